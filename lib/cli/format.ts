// Human-readable output of the CLI (the --json forms print the spec's shapes instead).
import type { ApprovalRecord } from "@/lib/contracts/ports";
import type { RunResult } from "../engine/types";
import { EXIT } from "./io";

const MARK: Record<string, string> = {
  succeeded: "✓",
  failed: "✗",
  skipped: "·",
  cancelled: "✗",
  waiting: "…",
  running: "▸",
  pending: "…",
};

/** Exit code for a run's status: 0 succeeded, 1 failed/cancelled, 3 waiting, 4 executing elsewhere. */
export function exitCodeFor(status: RunResult["status"]): number {
  switch (status) {
    case "succeeded":
      return EXIT.ok;
    case "waiting":
      return EXIT.waiting;
    case "queued":
    case "running":
      return EXIT.elsewhere;
    default:
      return EXIT.failed;
  }
}

function ms(from: string, to: string | null): string {
  if (!to) return "";
  const d = new Date(to).getTime() - new Date(from).getTime();
  return d < 1000 ? `${d} ms` : `${(d / 1000).toFixed(1)} s`;
}

function short(value: unknown, max = 200): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (text === undefined) return "";
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function formatRunResult(r: RunResult): string {
  const lines: string[] = [];
  const first = r.steps[0]?.startedAt;
  const last = r.steps.reduce<string | null>(
    (acc, s) => (s.endedAt && (!acc || s.endedAt > acc) ? s.endedAt : acc),
    null,
  );
  lines.push(`Run ${r.runId}: ${r.status}${first && last ? ` (${ms(first, last)})` : ""}`);
  const width = Math.max(4, ...r.steps.map((s) => s.nodeId.length));
  for (const s of r.steps) {
    const tag = `${s.visit > 1 ? ` visit ${s.visit}` : ""}${s.attempt > 1 ? ` attempt ${s.attempt}` : ""}`;
    const detail = s.error ? ` — ${s.error.message}` : "";
    lines.push(
      `  ${MARK[s.status] ?? " "} ${s.nodeId.padEnd(width)}  ${s.status.padEnd(9)} ${ms(s.startedAt, s.endedAt).padStart(7)}${tag}${detail}`,
    );
  }
  const u = r.usage;
  if (u.inputTokens || u.outputTokens || u.costUsd)
    lines.push(`Usage: ${u.inputTokens} input + ${u.outputTokens} output tokens, $${u.costUsd.toFixed(4)}`);
  if (r.status === "succeeded") lines.push(`Output: ${short(r.output, 2000)}`);
  if (r.error) lines.push(`Error: ${r.error.message}`);
  for (const a of r.approvals.filter((x) => x.status === "pending")) {
    lines.push(
      `Waiting for ${a.kind === "approval" ? "an approval" : `a ${a.kind} decision`} at "${a.nodeId}": ${a.id}`,
    );
    lines.push(`  decide with: switchboard decide ${a.id} approve|reject [--comment TEXT]`);
  }
  if (r.status === "queued" || r.status === "running")
    lines.push(`Another process is executing this run; see it with: switchboard runs show ${r.runId}`);
  return `${lines.join("\n")}\n`;
}

export interface ApprovalView {
  id: string;
  runId: string;
  nodeId: string;
  kind: string;
  title: string;
  details: string;
  status: string;
  payload: unknown;
  assignees: { roles: string[]; users: string[] };
  createdAt: string;
  deadlineAt: string | null;
}

export function approvalView(a: ApprovalRecord): ApprovalView {
  return {
    id: a.id,
    runId: a.runId,
    nodeId: a.nodeId,
    kind: a.kind,
    title: a.title,
    details: a.details,
    status: a.status,
    payload: a.payload,
    assignees: a.assignees,
    createdAt: a.createdAt.toISOString(),
    deadlineAt: a.deadlineAt ? a.deadlineAt.toISOString() : null,
  };
}

export function formatApprovals(list: ApprovalView[]): string {
  if (list.length === 0) return "No pending approvals.\n";
  return `${list
    .map(
      (a) =>
        `${a.id}  ${a.title}\n  run ${a.runId} at "${a.nodeId}" (${a.kind}), since ${a.createdAt}${
          a.deadlineAt ? `, deadline ${a.deadlineAt}` : ""
        }${a.payload !== null && a.payload !== undefined ? `\n  data: ${short(a.payload)}` : ""}`,
    )
    .join("\n")}\n`;
}
