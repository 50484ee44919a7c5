// Deadlines: the engine applies onTimeout (reject / approve / escalate along escalateTo) in
// engine.expireApprovals(now) and writes the run events. This module adds the audit trail:
// every timeout outcome and every escalation gets one `approval.timed_out` entry, found by
// reconciling (so it does not matter which process ran the sweep, or whether it crashed between
// the sweep and the audit). Call sweepApprovalDeadlines at start-up and periodically; the
// notification worker also runs auditTimeouts on each tick.
import { findApprovalById, timeoutCandidates } from "@/lib/db/approvals";
import { auditDataFor, recordAudit } from "@/lib/db/audit";
import type { Db } from "@/lib/db/client";

type TimeoutAudit = { escalationLevel?: number; status?: string } | null;

/**
 * Audit entries for approvals the engine's deadline sweep handled (onTimeout). Call with the
 * ids `engine.expireApprovals(now)` reports; records what each one became.
 */
export async function recordTimeouts(db: Db, approvalIds: string[]): Promise<number> {
  let n = 0;
  for (const id of approvalIds) {
    const row = await findApprovalById(db, id);
    if (!row) continue;
    const level = row.escalationLevel;
    const previous = await auditDataFor(db, { action: "approval.timed_out", targetIds: [id] });
    if (
      previous.some((e) => {
        const d = e.data as TimeoutAudit;
        return d?.escalationLevel === level && d?.status === row.status;
      })
    )
      continue;
    const became =
      row.status === "pending" ? `escalated to level ${level}` : row.status === "approved" ? "approved" : row.status;
    await recordAudit(db, {
      workspaceId: row.workspaceId,
      actor: { label: "system" },
      action: "approval.timed_out",
      targetType: "approval",
      targetId: row.id,
      summary: `Deadline passed for "${row.title}": ${became} (onTimeout ${row.onTimeout})`,
      data: { runId: row.runId, onTimeout: row.onTimeout, status: row.status, escalationLevel: level },
    });
    n++;
  }
  return n;
}

/** Approvals whose timeout outcome or escalation may lack its audit entry. */
export async function auditTimeouts(db: Db, now: Date = new Date(), windowMs = 30 * 86_400_000) {
  const since = new Date(now.getTime() - windowMs);
  const candidates = await timeoutCandidates(db, since);
  const timedOut = candidates.filter(
    (a) => a.status === "pending" || (a.decision as { via?: string } | null)?.via === "timeout",
  );
  if (timedOut.length === 0) return 0;
  const audited = await auditDataFor(db, {
    action: "approval.timed_out",
    targetIds: timedOut.map((a) => a.id),
  });
  const seen = new Set(
    audited.map((e) => {
      const d = e.data as TimeoutAudit;
      return `${e.targetId}:${d?.status}:${d?.escalationLevel}`;
    }),
  );
  const missing = timedOut.filter((a) => !seen.has(`${a.id}:${a.status}:${a.escalationLevel}`)).map((a) => a.id);
  return recordTimeouts(db, missing);
}

type ExpiringEngine = { expireApprovals(now?: Date): Promise<unknown> };

/** Applies onTimeout to every approval past its deadline (at start-up: those that passed while down), then audits. */
export async function sweepApprovalDeadlines(
  deps: { db: Db; engine: ExpiringEngine },
  now: Date = new Date(),
): Promise<number> {
  await deps.engine.expireApprovals(now);
  return auditTimeouts(deps.db, now);
}
