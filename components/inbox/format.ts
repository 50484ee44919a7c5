// Small formatting helpers shared by the inbox components (server and client).

export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  const s = Math.round(abs / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60 ? `${m % 60} min` : ""}`.trim();
  return `${Math.floor(h / 24)} d ${h % 24 ? `${h % 24} h` : ""}`.trim();
}

export function formatAgo(date: Date | string, now: Date = new Date()): string {
  return `${formatDuration(now.getTime() - new Date(date).getTime())} ago`;
}

export function formatDeadline(
  deadline: Date | string | null,
  now: Date = new Date(),
): { text: string; overdue: boolean } {
  if (!deadline) return { text: "no deadline", overdue: false };
  const ms = new Date(deadline).getTime() - now.getTime();
  if (ms <= 0) return { text: `overdue by ${formatDuration(-ms)}`, overdue: true };
  return { text: `in ${formatDuration(ms)}`, overdue: false };
}

export function formatUsd(value: number): string {
  return `$${value.toFixed(value < 1 ? 4 : 2)}`;
}

export function isoTitle(date: Date | string | null | undefined): string | undefined {
  return date ? `${new Date(date).toISOString().replace("T", " ").slice(0, 19)} UTC` : undefined;
}

/** Link to the run's live canvas (the builder's run view). */
export function runHref(workflowId: string, runId: string): string {
  return `/workflows/${encodeURIComponent(workflowId)}?run=${encodeURIComponent(runId)}`;
}

export const KIND_LABELS = {
  approval: "Approval",
  budget: "Budget escalation",
  guardrail: "Guardrail escalation",
} as const;

export const STATUS_LABELS: Record<string, string> = {
  pending: "Waiting",
  approved: "Approved",
  rejected: "Rejected",
  expired: "Expired",
  cancelled: "Cancelled",
};
