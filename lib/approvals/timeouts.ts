// Deadlines: the engine applies onTimeout (reject / approve / escalate along escalateTo) in
// engine.expireApprovals(now) and writes the run events. This module adds the audit trail:
// every timeout outcome and every escalation gets one `approval.timed_out` entry, found by
// reconciling (so it does not matter which process ran the sweep, or whether it crashed between
// the sweep and the audit). Call sweepApprovalDeadlines at start-up and periodically; the
// notification worker also runs auditTimeouts on each tick.
import type { Db } from "../db/client";
import { recordTimeouts } from "./service";

/** Approvals whose timeout outcome or escalation may lack its audit entry. */
export async function auditTimeouts(db: Pick<Db, "prisma">, now: Date = new Date(), windowMs = 30 * 86_400_000) {
  const since = new Date(now.getTime() - windowMs);
  const candidates = await db.prisma.approval.findMany({
    where: {
      OR: [
        { decidedById: null, decidedAt: { gte: since }, status: { in: ["approved", "rejected", "expired"] } },
        { status: "pending", escalationLevel: { gt: 0 } },
      ],
    },
    select: { id: true, escalationLevel: true, status: true, decision: true },
    take: 1000,
  });
  const timedOut = candidates.filter(
    (a) => a.status === "pending" || (a.decision as { via?: string } | null)?.via === "timeout",
  );
  if (timedOut.length === 0) return 0;
  const audited = await db.prisma.auditEntry.findMany({
    where: { action: "approval.timed_out", targetId: { in: timedOut.map((a) => a.id) } },
    select: { targetId: true, data: true },
  });
  const seen = new Set(
    audited.map((e) => {
      const d = e.data as { escalationLevel?: number; status?: string } | null;
      return `${e.targetId}:${d?.status}:${d?.escalationLevel}`;
    }),
  );
  const missing = timedOut.filter((a) => !seen.has(`${a.id}:${a.status}:${a.escalationLevel}`)).map((a) => a.id);
  return recordTimeouts(db, missing);
}

type ExpiringEngine = { expireApprovals(now?: Date): Promise<unknown> };

/** Applies onTimeout to every approval past its deadline (at start-up: those that passed while down), then audits. */
export async function sweepApprovalDeadlines(
  deps: { db: Pick<Db, "prisma">; engine: ExpiringEngine },
  now: Date = new Date(),
): Promise<number> {
  await deps.engine.expireApprovals(now);
  return auditTimeouts(deps.db, now);
}
