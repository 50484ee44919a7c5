// The commit paths (the file header of lib/db/run-store.ts describes the statements of a commit):
// a transaction of a handful of statements (SQLite, Prisma, and PostgreSQL when a commit does not
// fit one statement), the same for a commit that creates its run, and PostgreSQL's one statement.
import { FencedError } from "@/lib/contracts/errors";
import type { CommitInput, CreateRunInput, Lease, RunEventInput, RunRecord } from "@/lib/contracts/ports";
import { runJobKey } from "../jobs";
import { andThen, type Param, runChain, type Stmt, type TxExec } from "../sql-exec";
import {
  APPROVAL_COLUMNS,
  APPROVAL_PG_TYPES,
  q,
  RUN_COLUMNS,
  STEP_COLUMNS,
  STEP_PG_TYPES,
  STEP_UPSERT,
} from "./columns";
import type { RunStoreContext } from "./context";
import { fenced, notPending } from "./failures";
import { approvalRowsOf, patchedNewRun, runRow, stepRowsOf } from "./rows";
import { MAX_ROWS_PER_INSERT } from "./statements";

/** A run left in one of these states without a lease needs an executor: its job is added (enqueueing stores). */
const RUNNABLE = new Set(["queued", "running"]);

/** Whether this commit, in an enqueueing store, adds the run's job: it gives the lease of a still runnable run up. */
function enqueuesOnRelease(ctx: RunStoreContext, input: CommitInput): boolean {
  return ctx.statements.enqueues && input.releaseLease === true;
}

/** PostgreSQL: whether the commit can be one statement (no approval update that must throw, no part over one INSERT's rows). */
export function fitsOneStatement(input: CommitInput): boolean {
  return (
    (input.approvals?.update ?? []).every((u) => u.ifPending !== "throw") &&
    Math.max(
      input.steps?.length ?? 0,
      input.approvals?.create?.length ?? 0,
      (input.events?.length ?? 0) + (input.create?.events?.length ?? 0),
    ) <= MAX_ROWS_PER_INSERT
  );
}

/**
 * The commit as one transaction of a handful of statements. `take` hands over the commit input when
 * the transaction body starts (SQLite: at the group commit), not when the commit was asked for.
 */
export function commitInTransaction(
  ctx: RunStoreContext,
  lease: Lease,
  take: () => CommitInput,
  now: Date,
): Promise<number> {
  return ctx.sql.transaction((exec) => {
    const input = take();
    if (input.create) return createWithCommit(ctx, exec, lease, { ...input, create: input.create }, now);
    const events = input.events ?? [];
    const runUpdate = ctx.statements.runUpdateStmt(lease, input, now, events.length);
    const steps = ctx.statements.stepStmts(stepRowsOf(input.steps ?? []));
    const approvalRows = approvalRowsOf(input.approvals?.create ?? []);
    const creates = approvalRows.length ? ctx.statements.insertStmts("Approval", APPROVAL_COLUMNS, approvalRows) : [];
    const updates = (input.approvals?.update ?? []).map((u) => ({
      update: u,
      stmt: ctx.statements.approvalUpdateStmt(u),
    }));
    return andThen(exec.all(runUpdate), (rows) => {
      if (rows.length === 0) return fenced(ctx, exec, lease);
      const last = Number(rows[0].lastSeq);
      // a released, still runnable run (a retry's seeding, a worker's shutdown): its job, same transaction
      const enqueue =
        enqueuesOnRelease(ctx, input) && RUNNABLE.has(String(rows[0].status))
          ? ctx.statements.enqueueStmts(lease.runId)
          : [];
      const firstSeq = last - events.length + 1;
      const checkApprovals = updates.map(
        ({ update, stmt }) =>
          () =>
            andThen(exec.run(stmt), (changed) => {
              if (changed === 0 && update.ifPending === "throw") return notPending(ctx, exec, update.id);
              return undefined;
            }),
      );
      const inserts = [
        ...steps,
        ...creates,
        ...ctx.statements.eventStmts(lease.runId, firstSeq, events, now),
        ...enqueue,
      ].map((stmt) => () => exec.run(stmt));
      return andThen(runChain([...checkApprovals, ...inserts]), () => last);
    });
  });
}

/** The INSERT of a run created by a commit, with the commit's patch applied. */
function createdRunInsert(
  ctx: RunStoreContext,
  lease: Lease,
  input: CommitInput & { create: CreateRunInput },
  now: Date,
): { run: RunRecord; insert: Stmt } {
  const { create } = input;
  if (create.id !== lease.runId || !create.lease || create.lease.owner !== lease.owner || lease.fence !== 1)
    throw new Error(`A commit that creates run ${create.id} must hold its first lease.`);
  const run = patchedNewRun(input, now);
  const [insert] = ctx.statements.insertStmts("Run", RUN_COLUMNS, [runRow(run, input.run?.durationMs ?? null)]);
  return { run, insert };
}

/**
 * A commit that creates its run: the run row goes in with the commit already applied (one
 * INSERT, no UPDATE after it), then the creation's events, the commit's steps, approvals and
 * events. A run that exists already fails the INSERT, and the transaction with it.
 */
function createWithCommit(
  ctx: RunStoreContext,
  exec: TxExec,
  lease: Lease,
  input: CommitInput & { create: CreateRunInput },
  now: Date,
): number | Promise<number> {
  const { create } = input;
  const { run, insert } = createdRunInsert(ctx, lease, input, now);
  const createEvents = create.events ?? [];
  const events = input.events ?? [];
  const stmts = [
    insert,
    ...ctx.statements.eventStmts(run.id, 1, createEvents, create.createdAt),
    ...ctx.statements.stepStmts(stepRowsOf(input.steps ?? [])),
    ...ctx.statements.insertStmts("Approval", APPROVAL_COLUMNS, approvalRowsOf(input.approvals?.create ?? [])),
    ...ctx.statements.eventStmts(run.id, createEvents.length + 1, events, now),
    ...(enqueuesOnRelease(ctx, input) && RUNNABLE.has(run.status) ? ctx.statements.enqueueStmts(run.id) : []),
  ];
  const updates = (input.approvals?.update ?? []).map(
    (u) => () =>
      andThen(exec.run(ctx.statements.approvalUpdateStmt(u)), (changed) =>
        changed === 0 && u.ifPending === "throw" ? notPending(ctx, exec, u.id) : undefined,
      ),
  );
  return andThen(runChain([...stmts.map((stmt) => () => exec.run(stmt)), ...updates]), () => run.lastSeq);
}

/**
 * PostgreSQL: the whole commit as ONE statement (one round trip, atomic by itself). The run
 * update is a data-modifying CTE; the inserts select FROM it, so when the fence check leaves
 * it empty they insert nothing, and the events number themselves from its new lastSeq.
 */
export async function commitInOneStatement(
  ctx: RunStoreContext,
  lease: Lease,
  input: CommitInput,
  now: Date,
): Promise<number> {
  const { create } = input;
  // the creation's events first (a created run's lastSeq counts them), then the commit's
  const events: [RunEventInput, Date][] = [
    ...(create?.events ?? []).map((e): [RunEventInput, Date] => [e, create!.createdAt]),
    ...(input.events ?? []).map((e): [RunEventInput, Date] => [e, now]),
  ];
  // a created run is INSERTed with the commit applied; foreign keys are checked at the end of
  // the statement, so the step and event rows may come from the same statement
  const runStmt = create
    ? createdRunInsert(ctx, lease, { ...input, create }, now).insert
    : ctx.statements.runUpdateStmt(lease, input, now, events.length);
  const stepRows = stepRowsOf(input.steps ?? []);
  const approvalRows = approvalRowsOf(input.approvals?.create ?? []);
  const approvalUpdates = input.approvals?.update ?? [];
  const ctes = [`r AS (${runStmt.sql}${create ? ` RETURNING "lastSeq", "status"` : ""})`];
  const params: Param[] = [...runStmt.params];
  approvalUpdates.forEach((update, i) => {
    const stmt = ctx.statements.approvalUpdateStmt(update, " AND EXISTS (SELECT 1 FROM r)");
    ctes.push(`u${i} AS (${stmt.sql})`);
    params.push(...stmt.params);
  });
  const values = (rows: Param[][], types: string[]) =>
    rows
      .map((row) => {
        params.push(...row);
        return `(${types.map((t) => `?::${t}`).join(", ")})`;
      })
      .join(", ");
  if (stepRows.length) {
    const cols = STEP_COLUMNS.map(q).join(", ");
    ctes.push(
      `s AS (INSERT INTO ${ctx.statements.t("Step")} (${cols}) SELECT * FROM (VALUES ${values(stepRows, STEP_PG_TYPES)}) AS v (${cols}) WHERE EXISTS (SELECT 1 FROM r)${STEP_UPSERT})`,
    );
  }
  if (approvalRows.length) {
    const cols = APPROVAL_COLUMNS.map(q).join(", ");
    ctes.push(
      `a AS (INSERT INTO ${ctx.statements.t("Approval")} (${cols}) SELECT * FROM (VALUES ${values(approvalRows, APPROVAL_PG_TYPES)}) AS v (${cols}) WHERE EXISTS (SELECT 1 FROM r))`,
    );
  }
  if (events.length) {
    params.push(lease.runId, events.length);
    const rows = events
      .map(([e, at], i) => {
        params.push(e.type, JSON.stringify(e.data ?? {}), at);
        return `(${i + 1}, ?::text, ?::jsonb, ?::timestamp(3))`;
      })
      .join(", ");
    ctes.push(
      `e AS (INSERT INTO ${ctx.statements.t("RunEvent")} ("runId", "seq", "type", "data", "createdAt") SELECT ?::text, r."lastSeq" - ?::int + v.k, v.t, v.d, v.c FROM r, (VALUES ${rows}) AS v (k, t, d, c))`,
    );
  }
  let select = `SELECT "lastSeq" FROM r`;
  if (enqueuesOnRelease(ctx, input)) {
    // the run's job when the commit leaves it runnable without a lease (a SELECT CTE runs only
    // when read, hence the count in the final SELECT)
    ctes.push(
      `j AS (SELECT ${ctx.statements.enqueueCall()} AS "job" FROM r WHERE r."status" IN ('queued', 'running'))`,
    );
    params.push(lease.runId, runJobKey(lease.runId));
    select = `SELECT "lastSeq", (SELECT count(*) FROM j) AS "enqueued" FROM r`;
  }
  const rows = await ctx.sql.all({ sql: `WITH ${ctes.join(", ")} ${select}`, params });
  if (rows.length === 0) {
    const current = await ctx.db.prisma.run.findUnique({ where: { id: lease.runId }, select: { fence: true } });
    throw new FencedError(lease.runId, lease.fence, current?.fence);
  }
  return Number(rows[0].lastSeq);
}
