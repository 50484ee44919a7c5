// The run store's approval queries and the decision, which changes the approval, requeues its
// waiting run and appends events in one transaction (the engine's commits write approvals too,
// through commit.ts).
import type { ApprovalFilter, ApprovalRecord, DecideApprovalInput, DecideApprovalResult } from "@/lib/contracts/ports";
import { andThen, type Param, runChain, type Stmt } from "../sql-exec";
import type { RunEventsListener, RunStoreContext } from "./context";
import { approvalRecordOf } from "./decode";
import { notPending } from "./failures";
import { eventRecordsOf, json } from "./rows";

export async function listApprovals(ctx: RunStoreContext, filter: ApprovalFilter): Promise<ApprovalRecord[]> {
  const where: string[] = [];
  const params: Param[] = [];
  const equals = (column: string, value: string | undefined) => {
    if (!value) return;
    where.push(`"${column}" = ?`);
    params.push(value);
  };
  equals("runId", filter.runId);
  equals("workspaceId", filter.workspaceId);
  equals("kind", filter.kind);
  if (filter.status) {
    const list = Array.isArray(filter.status) ? filter.status : [filter.status];
    if (list.length === 0) return [];
    where.push(`"status" IN (${list.map(() => "?").join(", ")})`);
    params.push(...list);
  }
  if (filter.limit) params.push(Math.max(0, Math.floor(filter.limit)));
  const rows = await ctx.sql.all({
    sql: `SELECT * FROM ${ctx.statements.t("Approval")}${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY "createdAt", "id"${filter.limit ? " LIMIT ?" : ""}`,
    params,
  });
  return rows.map((r) => approvalRecordOf(ctx.decode, r));
}

export async function getApproval(ctx: RunStoreContext, id: string): Promise<ApprovalRecord | null> {
  const rows = await ctx.sql.all({ sql: `SELECT * FROM ${ctx.statements.t("Approval")} WHERE "id" = ?`, params: [id] });
  return rows.length ? approvalRecordOf(ctx.decode, rows[0]) : null;
}

/**
 * Decides a pending approval; in the same transaction a run waiting on it is queued again (with
 * its job when the store enqueues, lib/db/jobs.ts) and the decision's events are appended after
 * the run's lastSeq.
 */
export async function decideApproval(
  ctx: RunStoreContext,
  id: string,
  input: DecideApprovalInput,
  onEvents: RunEventsListener | undefined,
): Promise<DecideApprovalResult> {
  const events = input.events ?? [];
  const decide: Stmt = {
    sql: `UPDATE ${ctx.statements.t("Approval")} SET "status" = ?, "decidedById" = ?, "decidedAt" = ?, "decision" = ? WHERE "id" = ? AND "status" = 'pending' RETURNING *`,
    params: [input.status, input.by, input.at, json(input.decision), id],
  };
  const outcome = await ctx.sql.transaction((exec) =>
    andThen(exec.all(decide), (rows) => {
      if (rows.length === 0) return notPending(ctx, exec, id);
      const approval = approvalRecordOf(ctx.decode, rows[0]);
      const runId = approval.runId;
      const requeue: Stmt = {
        sql: `UPDATE ${ctx.statements.t("Run")} SET "status" = 'queued', "waitingOnPerson" = ? WHERE "id" = ? AND "status" = 'waiting'`,
        params: [false, runId],
      };
      const bump: Stmt = {
        sql: `UPDATE ${ctx.statements.t("Run")} SET "lastSeq" = "lastSeq" + ? WHERE "id" = ? RETURNING "lastSeq"`,
        params: [events.length, runId],
      };
      return andThen(exec.run(requeue), (requeued) =>
        andThen(
          requeued === 1 ? runChain(ctx.statements.enqueueStmts(runId).map((n) => () => exec.run(n))) : undefined,
          () =>
            events.length === 0
              ? { approval, runId, requeued: requeued === 1, lastSeq: 0 }
              : andThen(exec.all(bump), (bumped) => {
                  const last = Number(bumped[0]?.lastSeq ?? 0);
                  const inserts = ctx.statements
                    .eventStmts(runId, last - events.length + 1, events, input.at)
                    .map((s) => () => exec.run(s));
                  return andThen(runChain(inserts), () => ({
                    approval,
                    runId,
                    requeued: requeued === 1,
                    lastSeq: last,
                  }));
                }),
        ),
      );
    }),
  );
  if (events.length) {
    const first = outcome.lastSeq - events.length + 1;
    onEvents?.(outcome.runId, eventRecordsOf(outcome.runId, first, events, input.at), "decideApproval");
  }
  return { approval: outcome.approval, runRequeued: outcome.requeued };
}

export async function findApprovalsPastDeadline(
  ctx: RunStoreContext,
  now: Date,
  limit = 100,
): Promise<ApprovalRecord[]> {
  const rows = await ctx.sql.all({
    sql: `SELECT * FROM ${ctx.statements.t("Approval")} WHERE "status" = 'pending' AND "deadlineAt" < ? ORDER BY "deadlineAt" LIMIT ?`,
    params: [now, limit],
  });
  return rows.map((r) => approvalRecordOf(ctx.decode, r));
}
