// Formatting shared by the runs list, run detail, compare and dashboard (server and client).
import type { BadgeTone } from "@/components/ui/badge";

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  const h = Math.floor(ms / 3_600_000);
  return `${h} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
}

export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined) return "—";
  if (usd === 0) return "$0";
  if (usd < 0.01) return `$${Number(usd.toPrecision(2))}`;
  return `$${usd.toFixed(2)}`;
}

export function formatTokens(n: number | null | undefined): string {
  if (n === null || n === undefined) return "—";
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  if (n >= 10_000) return `${(n / 1000).toFixed(1)}k`;
  return n.toLocaleString("en-US");
}

export function formatWhen(date: Date | string | null | undefined): string {
  if (!date) return "—";
  const d = typeof date === "string" ? new Date(date) : date;
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

export function formatPercent(x: number | null | undefined): string {
  return x === null || x === undefined ? "—" : `${(x * 100).toFixed(1)}%`;
}

export function statusTone(status: string): BadgeTone {
  switch (status) {
    case "succeeded":
    case "approved":
      return "success";
    case "failed":
    case "rejected":
    case "expired":
      return "danger";
    case "waiting":
    case "pending":
      return "warning";
    case "running":
    case "queued":
      return "info";
    default:
      return "neutral";
  }
}

/** Colours per status for charts and trace bars (also read as text; colour is never the only cue). */
export const STATUS_COLORS: Record<string, string> = {
  succeeded: "#16a34a",
  failed: "#dc2626",
  cancelled: "#64748b",
  running: "#2563eb",
  queued: "#93c5fd",
  waiting: "#d97706",
  skipped: "#cbd5e1",
  pending: "#d97706",
};

/** A /runs URL with the given filters (empty values dropped), for deep links from charts. */
export function runsHref(filters: Record<string, string | number | boolean | null | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== null && v !== "") p.set(k, String(v));
  const qs = p.toString();
  return qs ? `/runs?${qs}` : "/runs";
}

/** What started a run (Run.trigger), as the runs list and its filter name it. */
export const TRIGGER_LABELS: Record<string, string> = {
  manual: "Manual (editor)",
  api: "API",
  cli: "CLI",
  webhook: "Webhook",
  schedule: "Schedule",
  chat: "Chat",
  subworkflow: "Subworkflow",
  retry: "Retry",
  rerun: "Re-run",
  mcp: "MCP",
  a2a: "A2A",
};

export function triggerLabel(trigger: string): string {
  return TRIGGER_LABELS[trigger] ?? trigger;
}

/** "v3" for a published version; "draft" for the snapshot of a draft that a run from the editor used (numbered -1, -2, …). */
export function versionLabel(version: number): string {
  return version < 0 ? "draft" : `v${version}`;
}
