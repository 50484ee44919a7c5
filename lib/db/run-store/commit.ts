// The commit paths (the file header of lib/db/run-store.ts describes the statements of a commit):
// a transaction of a handful of statements (SQLite, Prisma, and PostgreSQL when a commit does not
// fit one statement), the same for a commit that creates its run, and PostgreSQL's one statement.
import { FencedError } from "@/lib/contracts/errors";
import type { CommitInput, CreateRunInput, Lease, RunEventInput, RunRecord } from "@/lib/contracts/ports";
import { runJobKey } from "../jobs";
import { andThen, type Param, type Row, runChain, type Stmt, type TxExec } from "../sql-exec";
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

/** One commit's part of a one-statement commit: its CTEs (named with `tag`) and their parameters, in order. */
interface OneStatementParts {
  ctes: string[];
  params: Param[];
  /** the commit may add the run's job (its `j` CTE must be read by the final SELECT) */
  enqueues: boolean;
}

/**
 * PostgreSQL: a commit as CTEs of one statement. The run update is a data-modifying CTE (`r`);
 * the inserts select FROM it, so when the fence check leaves it empty they insert nothing, and the
 * events number themselves from its new lastSeq. `tag` is appended to every CTE name, so that the
 * parts of several commits can share one statement (commitManyInOneStatement).
 */
function oneStatementParts(
  ctx: RunStoreContext,
  lease: Lease,
  input: CommitInput,
  now: Date,
  tag: string,
): OneStatementParts {
  const { create } = input;
  const r = `r${tag}`;
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
  const ctes = [`${r} AS (${runStmt.sql}${create ? ` RETURNING "lastSeq", "status"` : ""})`];
  const params: Param[] = [...runStmt.params];
  approvalUpdates.forEach((update, i) => {
    const stmt = ctx.statements.approvalUpdateStmt(update, ` AND EXISTS (SELECT 1 FROM ${r})`);
    ctes.push(`u${i}${tag} AS (${stmt.sql})`);
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
      `s${tag} AS (INSERT INTO ${ctx.statements.t("Step")} (${cols}) SELECT * FROM (VALUES ${values(stepRows, STEP_PG_TYPES)}) AS v (${cols}) WHERE EXISTS (SELECT 1 FROM ${r})${STEP_UPSERT})`,
    );
  }
  if (approvalRows.length) {
    const cols = APPROVAL_COLUMNS.map(q).join(", ");
    ctes.push(
      `a${tag} AS (INSERT INTO ${ctx.statements.t("Approval")} (${cols}) SELECT * FROM (VALUES ${values(approvalRows, APPROVAL_PG_TYPES)}) AS v (${cols}) WHERE EXISTS (SELECT 1 FROM ${r}))`,
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
      `e${tag} AS (INSERT INTO ${ctx.statements.t("RunEvent")} ("runId", "seq", "type", "data", "createdAt") SELECT ?::text, ${r}."lastSeq" - ?::int + v.k, v.t, v.d, v.c FROM ${r}, (VALUES ${rows}) AS v (k, t, d, c))`,
    );
  }
  const enqueues = enqueuesOnRelease(ctx, input);
  if (enqueues) {
    // the run's job when the commit leaves it runnable without a lease (a SELECT CTE runs only
    // when read, hence the count in the final SELECT)
    ctes.push(
      `j${tag} AS (SELECT ${ctx.statements.enqueueCall()} AS "job" FROM ${r} WHERE ${r}."status" IN ('queued', 'running'))`,
    );
    params.push(lease.runId, runJobKey(lease.runId));
  }
  return { ctes, params, enqueues };
}

/** The FencedError of a commit whose fence check matched no row (with the run's current fence). */
async function fencedCommit(ctx: RunStoreContext, lease: Lease): Promise<FencedError> {
  const current = await ctx.db.prisma.run.findUnique({ where: { id: lease.runId }, select: { fence: true } });
  return new FencedError(lease.runId, lease.fence, current?.fence);
}

/** PostgreSQL: the whole commit as ONE statement (one round trip, atomic by itself). */
export async function commitInOneStatement(
  ctx: RunStoreContext,
  lease: Lease,
  input: CommitInput,
  now: Date,
): Promise<number> {
  const { ctes, params, enqueues } = oneStatementParts(ctx, lease, input, now, "");
  const select = enqueues
    ? `SELECT "lastSeq", (SELECT count(*) FROM j) AS "enqueued" FROM r`
    : `SELECT "lastSeq" FROM r`;
  const rows = await ctx.sql.all({ sql: `WITH ${ctes.join(", ")} ${select}`, params });
  if (rows.length === 0) throw await fencedCommit(ctx, lease);
  return Number(rows[0].lastSeq);
}

export interface OneStatementCommit {
  lease: Lease;
  input: CommitInput;
  now: Date;
}

/**
 * An error the server reported for the statement itself (a SQLSTATE; not a connection exception,
 * an operator intervention such as a shutdown, or an internal error): the statement was rolled back.
 */
export function isStatementError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && !/^(08|57|58|XX)/.test(code);
}

/** A group commit's statement holds at most this many commits and parameters (PostgreSQL's limit: 65,535). */
const GROUP_MAX_COMMITS = 32;
const GROUP_MAX_PARAMS = 30_000;

/** The tag placeholder while the parts of a group are sorted (never part of our SQL otherwise). */
const TAG = "\u0001";

/**
 * PostgreSQL group commit: one-statement commits of DIFFERENT runs (each must fit one statement)
 * as ONE statement — one round trip and one transaction for all of them. Each commit keeps its own
 * fence check (its `r` CTE) and its inserts select from it, so a fenced commit writes nothing and
 * the others are unaffected; the result has one row per commit whose fence matched. Settles with
 * each commit's lastSeq or FencedError, in input order. When the statement fails as a whole (a
 * constraint, a serialization failure), nothing of it was written: each commit is then retried on
 * its own, so each caller gets its own commit's outcome.
 */
export async function commitManyInOneStatement(
  ctx: RunStoreContext,
  commits: OneStatementCommit[],
): Promise<PromiseSettledResult<number>[]> {
  if (new Set(commits.map((c) => c.lease.runId)).size !== commits.length)
    throw new Error("A group commit holds one commit per run.");
  // commits of the same shape in the same order: the statement's text repeats (a named statement);
  // within a shape by run id, the order in which a batched claim (PrismaRunStore.claimRuns) locks runs
  const parts = commits
    .map((c, i) => ({ i, id: c.lease.runId, p: oneStatementParts(ctx, c.lease, c.input, c.now, TAG) }))
    .map((x) => ({ ...x, text: x.p.ctes.join(", ") }))
    .sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : a.id < b.id ? -1 : 1));
  // statements of at most GROUP_MAX_COMMITS commits and GROUP_MAX_PARAMS parameters
  const chunks: (typeof parts)[] = [];
  let size = Number.POSITIVE_INFINITY;
  for (const part of parts) {
    const last = chunks.at(-1);
    if (!last || last.length >= GROUP_MAX_COMMITS || size + part.p.params.length > GROUP_MAX_PARAMS) {
      chunks.push([part]);
      size = part.p.params.length;
    } else {
      last.push(part);
      size += part.p.params.length;
    }
  }
  const results: PromiseSettledResult<number>[] = new Array(commits.length);
  await Promise.all(
    chunks.map(async (chunk) => {
      const ctes: string[] = [];
      const params: Param[] = [];
      const selects: string[] = [];
      chunk.forEach(({ p, text }, k) => {
        ctes.push(text.split(TAG).join(String(k)));
        params.push(...p.params);
        selects.push(
          `SELECT ${k}::int AS "k", "lastSeq", ${p.enqueues ? `(SELECT count(*) FROM j${k})` : "0::bigint"} AS "enqueued" FROM r${k}`,
        );
      });
      let rows: Row[] | null = null;
      try {
        rows = await ctx.sql.all({
          sql: `WITH ${ctes.join(", ")} ${selects.join(" UNION ALL ")}`,
          params,
          batched: true,
        });
      } catch (error) {
        // the server refused the statement, so nothing of it was written: each commit on its own,
        // with its own outcome. Anything else (the connection broke: was it written?) is every
        // commit's error, as it would be for a commit of its own.
        if (!isStatementError(error)) {
          for (const { i } of chunk) results[i] = { status: "rejected", reason: error };
          return;
        }
      }
      // row k is the chunk's k-th commit
      const lastSeq = new Map(rows?.map((row) => [chunk[Number(row.k)]!.i, Number(row.lastSeq)]));
      const settled = await Promise.allSettled(
        chunk.map(async ({ i }) => {
          const c = commits[i]!;
          if (!rows) return commitInOneStatement(ctx, c.lease, c.input, c.now);
          const seq = lastSeq.get(i);
          if (seq === undefined) throw await fencedCommit(ctx, c.lease);
          return seq;
        }),
      );
      chunk.forEach(({ i }, k) => {
        results[i] = settled[k]!;
      });
    }),
  );
  return results;
}
