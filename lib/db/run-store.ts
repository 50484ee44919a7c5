// The engine's RunStore for SQLite and PostgreSQL (lib/contracts/ports/store.ts says what each method
// must do; lib/engine/testing/store-contract/ checks it on both databases, through every path).
//
// Hot path. A commit is one transaction of a handful of statements, whatever it carries:
//   1. UPDATE "Run" … WHERE id AND fence = lease.fence RETURNING lastSeq — the fence check, the
//      run's new state/status/usage, lastSeq += number of events and lease renew/release in one
//      statement; no row → FencedError and the transaction rolls back (nothing written);
//   2. one UPDATE per approval update (rare), guarded by status = 'pending' when asked;
//   3. the step upserts (INSERT … ON CONFLICT DO UPDATE), the events (consecutive seq after the
//      old lastSeq) and new approvals.
// On PostgreSQL the whole commit is ONE statement (the run update as a data-modifying CTE that
// the inserts select from). All SQL here is hand-written and executed through lib/db/sql-exec.ts:
// Prisma's model queries cost ~1 ms of CPU each on our machines against ~0.1 ms for a raw
// statement, and the model API cannot do (1) in one statement. docs/benchmarks.md has the numbers.
//
// Paths (sql-exec.ts): SQLite runs the statements synchronously on Prisma's own connection with
// group commit; PostgreSQL uses a small node-postgres pool; `direct: false` sends everything
// through Prisma ($transaction(async tx => …) and raw queries) — same SQL, same contract.
//
// The parts live in lib/db/run-store/: columns.ts, rows.ts, statements.ts (SQL builders), commit.ts
// (the commit paths), approvals.ts, decode.ts (rows to records), failures.ts, context.ts.
import type {
  AcquireLeaseOptions,
  ApprovalFilter,
  ApprovalRecord,
  CommitInput,
  CommitResult,
  CommitSource,
  CreateRunInput,
  CreateRunResult,
  DecideApprovalInput,
  DecideApprovalResult,
  Lease,
  RunEventRecord,
  RunRecord,
  RunStore,
  StepRecord,
} from "@/lib/contracts/ports";
import { takeCommitInput } from "@/lib/contracts/ports";
import { newRunRecord } from "../engine/run-record";
import type { Db } from "./client";
import { jobsSchemaOf } from "./jobs";
import { decideApproval, findApprovalsPastDeadline, getApproval, listApprovals } from "./run-store/approvals";
import { RUN_COLUMNS } from "./run-store/columns";
import {
  commitInOneStatement,
  commitInTransaction,
  commitManyInOneStatement,
  fitsOneStatement,
  type OneStatementCommit,
} from "./run-store/commit";
import type { RunEventsListener, RunStoreContext } from "./run-store/context";
import { eventRecordOf, rowDecoder, runRecordOf, stepRecordOf } from "./run-store/decode";
import { eventRecordsOf, runRow } from "./run-store/rows";
import { RunStoreStatements } from "./run-store/statements";
import { acquireSqlBackend, runChain, type SqlBackend, type Stmt } from "./sql-exec";

export interface PrismaRunStoreOptions {
  /**
   * SQLite only: run writes synchronously on Prisma's connection (default true when available).
   * false forces every write through Prisma transactions (used by tests to cover both paths).
   */
  direct?: boolean;
  /**
   * PostgreSQL only: add each run's job to the run queue (graphile-worker, lib/db/jobs.ts) in the
   * transaction that makes the run runnable — created queued without a lease, requeued by a
   * decision, or left queued/running by a commit that gives its lease up. For processes whose runs
   * workers execute (SWITCHBOARD_EXECUTE=workers) and for the workers themselves.
   */
  enqueue?: boolean;
  /**
   * Called after every transaction that appended events. The engine publishes what it commits
   * itself; a runtime typically forwards only `decideApproval` (decisions made outside the engine's
   * executions) to its notifier.
   */
  onEvents?: RunEventsListener;
}

export class PrismaRunStore implements RunStore {
  private readonly sql: SqlBackend;
  private readonly releaseBackend: () => Promise<void>;
  private readonly statements: RunStoreStatements;
  /** What the modules under lib/db/run-store/ work with (the same objects as the fields above). */
  private readonly ctx: RunStoreContext;

  constructor(
    readonly db: Db,
    private readonly options: PrismaRunStoreOptions = {},
  ) {
    const { backend, release } = acquireSqlBackend(db, { direct: options.direct });
    this.sql = backend;
    this.releaseBackend = release;
    const schema = db.target.provider === "postgresql" ? db.target.schema : undefined;
    if (options.enqueue && db.provider !== "postgresql") {
      void release();
      throw new Error("Runs can only be enqueued for workers on PostgreSQL (DATABASE_URL=postgres://…).");
    }
    this.statements = new RunStoreStatements(backend, schema, options.enqueue ? jobsSchemaOf(db.target) : null);
    this.ctx = { db, sql: backend, statements: this.statements, decode: rowDecoder(backend.kind) };
  }

  /** Which write path is in use: "sqlite-direct", "pg-direct" or "prisma". */
  get backend(): SqlBackend["kind"] {
    return this.sql.kind;
  }

  /** Releases this store's share of the write path (the PostgreSQL pool closes with its last user; the Prisma client is the caller's). */
  async close(): Promise<void> {
    await this.releaseBackend();
  }

  async createRun(input: CreateRunInput): Promise<CreateRunResult> {
    const events = input.events ?? [];
    const { run, lease } = newRunRecord(input);
    // a queued run nobody executes yet: its job, in the same transaction (enqueueing stores)
    const enqueue = input.status === "queued" && !lease ? this.statements.enqueueStmts(input.id) : [];
    const runInsert = this.statements.insertStmts("Run", RUN_COLUMNS, [runRow(run)]);
    const eventInserts = this.statements.eventStmts(input.id, 1, events, input.createdAt);
    if (this.sql.dialect === "postgresql" && eventInserts.length <= 1) {
      // One statement, one round trip: the events' INSERT rides along as a CTE (atomic together),
      // and so does the run's INSERT when the job is added by the main SELECT.
      const ctes = eventInserts.map((e, i) => `e${i} AS (${e.sql})`);
      const params = [...eventInserts.flatMap((e) => e.params), ...runInsert[0].params];
      let sql = runInsert[0].sql;
      if (enqueue.length) {
        ctes.push(`r AS (${runInsert[0].sql})`);
        sql = enqueue[0].sql;
        params.push(...enqueue[0].params);
      }
      await this.sql.run({ sql: `${ctes.length ? `WITH ${ctes.join(", ")} ` : ""}${sql}`, params });
    } else {
      const stmts = [...runInsert, ...eventInserts, ...enqueue];
      await this.sql.transaction((exec) => runChain(stmts.map((stmt) => () => exec.run(stmt))));
    }
    const eventRecords = eventRecordsOf(input.id, 1, events, input.createdAt);
    if (eventRecords.length) this.options.onEvents?.(input.id, eventRecords, "createRun");
    return { run, lease, events: eventRecords };
  }

  async loadRun(runId: string): Promise<RunRecord | null> {
    const rows = await this.sql.all({
      sql: `SELECT r.*, v."document" AS "document" FROM ${this.statements.t("Run")} r JOIN ${this.statements.t("WorkflowVersion")} v ON v."id" = r."workflowVersionId" WHERE r."id" = ?`,
      params: [runId],
    });
    if (rows.length === 0) return null;
    return runRecordOf(this.ctx.decode, rows[0]);
  }

  async acquireLease(
    runId: string,
    owner: string,
    ttlMs: number,
    now: Date,
    options?: AcquireLeaseOptions,
  ): Promise<Lease | null> {
    const params: Stmt["params"] = [owner, new Date(now.getTime() + ttlMs), runId];
    let where = `"id" = ?`;
    if (options?.unfinished) where += ` AND "status" NOT IN ('succeeded', 'failed', 'cancelled')`;
    if (!options?.force) {
      // free or expired — or still held by the dead holder named, at the fence it was seen with
      const from = options?.takeOverFrom;
      const dead = from ? ` OR ("leaseOwner" = ? AND "fence" = ?)` : "";
      where += ` AND ("leaseOwner" IS NULL OR "leaseUntil" IS NULL OR "leaseUntil" < ?${dead})`;
      params.push(now);
      if (from) params.push(from.owner, from.fence);
    }
    const stmt: Stmt = {
      sql: `UPDATE ${this.statements.t("Run")} SET "leaseOwner" = ?, "leaseUntil" = ?, "fence" = "fence" + 1 WHERE ${where} RETURNING "fence"`,
      params,
    };
    const rows = await this.sql.all(stmt);
    if (rows.length === 0) return null;
    return { runId, owner, fence: Number(rows[0].fence) };
  }

  /**
   * A worker's claim (lib/worker/worker.ts): takes the lease of an unfinished run that is free or
   * expired — what the engine's `acquireLease(…, { unfinished: true })` does — and in the same
   * statement reads the run (as `loadRun`) and whether it has any step or approval, so that a
   * fresh run costs one round trip before its first commit instead of four. null when the run is
   * finished, missing, or held by a live lease.
   */
  async claimRun(
    runId: string,
    owner: string,
    ttlMs: number,
    now: Date,
  ): Promise<{ lease: Lease; run: RunRecord; hasSteps: boolean; hasApprovals: boolean } | null> {
    return (await this.claimRuns([runId], owner, ttlMs, now)).get(runId) ?? null;
  }

  /**
   * `claimRun` for several runs in ONE statement (a worker's jobs that arrived together): each run
   * is claimed or not exactly as `claimRun` would (the same conditions, checked row by row; each
   * claimed run's fence + 1). Returns the runs claimed; the others are finished, missing or held.
   */
  async claimRuns(
    runIds: readonly string[],
    owner: string,
    ttlMs: number,
    now: Date,
  ): Promise<Map<string, { lease: Lease; run: RunRecord; hasSteps: boolean; hasApprovals: boolean }>> {
    if (this.sql.dialect !== "postgresql") throw new Error("claimRun is for workers on PostgreSQL.");
    const ids = [...new Set(runIds)];
    const claimed = new Map<string, { lease: Lease; run: RunRecord; hasSteps: boolean; hasApprovals: boolean }>();
    if (ids.length === 0) return claimed;
    const t = (name: string) => this.statements.t(name);
    const rows = await this.sql.all({
      sql: `WITH c AS (UPDATE ${t("Run")} SET "leaseOwner" = ?, "leaseUntil" = ?, "fence" = "fence" + 1
              WHERE ${ids.length === 1 ? `"id" = ?` : `"id" IN (${ids.map(() => "?").join(", ")})`}
                AND "status" NOT IN ('succeeded', 'failed', 'cancelled')
                AND ("leaseOwner" IS NULL OR "leaseUntil" IS NULL OR "leaseUntil" < ?) RETURNING *)
            SELECT c.*, v."document" AS "document",
              EXISTS (SELECT 1 FROM ${t("Step")} s WHERE s."runId" = c."id") AS "hasSteps",
              EXISTS (SELECT 1 FROM ${t("Approval")} a WHERE a."runId" = c."id") AS "hasApprovals"
            FROM c JOIN ${t("WorkflowVersion")} v ON v."id" = c."workflowVersionId"`,
      params: [owner, new Date(now.getTime() + ttlMs), ...ids, now],
      batched: ids.length > 1,
    });
    for (const row of rows) {
      const run = runRecordOf(this.ctx.decode, row);
      claimed.set(run.id, {
        lease: { runId: run.id, owner, fence: run.fence },
        run,
        hasSteps: this.ctx.decode.bool(row.hasSteps),
        hasApprovals: this.ctx.decode.bool(row.hasApprovals),
      });
    }
    return claimed;
  }

  async renewLease(lease: Lease, ttlMs: number, now: Date): Promise<boolean> {
    const changed = await this.sql.run({
      sql: `UPDATE ${this.statements.t("Run")} SET "leaseUntil" = ? WHERE "id" = ? AND "fence" = ? AND "leaseOwner" = ?`,
      params: [new Date(now.getTime() + ttlMs), lease.runId, lease.fence, lease.owner],
    });
    return changed === 1;
  }

  async releaseLease(lease: Lease): Promise<void> {
    await this.sql.run({
      sql: `UPDATE ${this.statements.t("Run")} SET "leaseOwner" = NULL, "leaseUntil" = NULL WHERE "id" = ? AND "fence" = ? AND "leaseOwner" = ?`,
      params: [lease.runId, lease.fence, lease.owner],
    });
  }

  async commit(lease: Lease, source: CommitSource, now: Date): Promise<CommitResult> {
    // PostgreSQL decides between one statement and a transaction by what the input holds, so it
    // takes the input before it starts — one event-loop turn after the request, as the SQLite
    // group commit does, so what the run did meanwhile rides along (a resumed run of zero-latency
    // steps: one commit instead of two). On the direct path that turn also gathers the commits of
    // other runs asked for meanwhile: those that fit one statement share ONE (group commit,
    // commitManyInOneStatement). Elsewhere the transaction body takes the input when the
    // transaction starts (SQLite: at the group commit).
    let input: CommitInput | null = null;
    let lastSeq: number;
    if (this.sql.kind === "pg-direct" && typeof source === "function") {
      ({ input, lastSeq } = await this.groupCommit(lease, source, now));
    } else {
      if (this.db.provider === "postgresql" && typeof source === "function")
        await new Promise<void>((resolve) => setImmediate(resolve));
      input = this.db.provider === "postgresql" ? takeCommitInput(source) : null;
      if (input && fitsOneStatement(input)) {
        lastSeq = await commitInOneStatement(this.ctx, lease, input, now);
      } else {
        lastSeq = await commitInTransaction(this.ctx, lease, () => (input ??= takeCommitInput(source)), now);
      }
    }
    const events = input?.events ?? [];
    const created = input?.create;
    const records = [
      ...(created ? eventRecordsOf(created.id, 1, created.events ?? [], created.createdAt) : []),
      ...eventRecordsOf(lease.runId, lastSeq - events.length + 1, events, now),
    ];
    if (records.length) this.options.onEvents?.(lease.runId, records, "commit");
    return { lastSeq, events: records };
  }

  /** Commits asked for during this event-loop turn (PostgreSQL, direct path): flushed together on the next. */
  private readonly commitQueue: {
    lease: Lease;
    source: () => CommitInput;
    now: Date;
    resolve: (value: { input: CommitInput; lastSeq: number }) => void;
    reject: (error: unknown) => void;
  }[] = [];
  private commitScheduled = false;

  private groupCommit(
    lease: Lease,
    source: () => CommitInput,
    now: Date,
  ): Promise<{ input: CommitInput; lastSeq: number }> {
    return new Promise((resolve, reject) => {
      this.commitQueue.push({ lease, source, now, resolve, reject });
      if (!this.commitScheduled) {
        this.commitScheduled = true;
        setImmediate(() => this.flushCommits());
      }
    });
  }

  /**
   * Takes each queued commit's input; those that fit one statement (one per run) go out together
   * as ONE statement, the others as before (a transaction each). Each caller settles with its own
   * commit's outcome (a fenced commit does not affect the others).
   */
  private flushCommits(): void {
    this.commitScheduled = false;
    const group: (OneStatementCommit & { settle: (p: Promise<number>) => void })[] = [];
    const runs = new Set<string>();
    for (const item of this.commitQueue.splice(0)) {
      let input: CommitInput;
      try {
        input = item.source();
      } catch (error) {
        item.reject(error);
        continue;
      }
      const taken = input;
      const settle = (p: Promise<number>) => p.then((lastSeq) => item.resolve({ input: taken, lastSeq }), item.reject);
      if (!fitsOneStatement(input)) settle(commitInTransaction(this.ctx, item.lease, () => taken, item.now));
      else if (runs.has(item.lease.runId)) settle(commitInOneStatement(this.ctx, item.lease, input, item.now));
      else {
        runs.add(item.lease.runId);
        group.push({ lease: item.lease, input, now: item.now, settle });
      }
    }
    if (group.length === 1) {
      const [c] = group;
      c!.settle(commitInOneStatement(this.ctx, c!.lease, c!.input, c!.now));
    } else if (group.length > 1) {
      const all = commitManyInOneStatement(this.ctx, group);
      for (const [i, c] of group.entries())
        c.settle(
          all.then((results) => {
            const r = results[i]!;
            if (r.status === "rejected") throw r.reason;
            return r.value;
          }),
        );
    }
  }

  async listSteps(runId: string): Promise<StepRecord[]> {
    const rows = await this.sql.all({
      sql: `SELECT * FROM ${this.statements.t("Step")} WHERE "runId" = ? ORDER BY "startedAt", "nodeId", "visit", "attempt"`,
      params: [runId],
    });
    const d = this.ctx.decode;
    return rows.map((r) => stepRecordOf(d, r));
  }

  async listEvents(runId: string, afterSeq: number, limit: number): Promise<RunEventRecord[]> {
    const rows = await this.sql.all({
      sql: `SELECT "runId", "seq", "type", "data", "createdAt" FROM ${this.statements.t("RunEvent")} WHERE "runId" = ? AND "seq" > ? ORDER BY "seq" LIMIT ?`,
      params: [runId, afterSeq, Math.max(0, Math.floor(limit))],
    });
    const d = this.ctx.decode;
    return rows.map((r) => eventRecordOf(d, r));
  }

  listApprovals(filter: ApprovalFilter): Promise<ApprovalRecord[]> {
    return listApprovals(this.ctx, filter);
  }

  getApproval(id: string): Promise<ApprovalRecord | null> {
    return getApproval(this.ctx, id);
  }

  decideApproval(id: string, input: DecideApprovalInput): Promise<DecideApprovalResult> {
    return decideApproval(this.ctx, id, input, this.options.onEvents);
  }

  async findRunsToRecover(now: Date, limit = 100): Promise<string[]> {
    const rows = await this.sql.all({
      sql: `SELECT "id" FROM ${this.statements.t("Run")} WHERE "status" IN ('queued', 'running') AND ("leaseOwner" IS NULL OR "leaseUntil" IS NULL OR "leaseUntil" < ?) ORDER BY "createdAt" LIMIT ?`,
      params: [now, limit],
    });
    return rows.map((r) => String(r.id));
  }

  async findRunsPastDeadline(now: Date, limit = 100): Promise<string[]> {
    const rows = await this.sql.all({
      sql: `SELECT "id" FROM ${this.statements.t("Run")} WHERE "status" IN ('queued', 'running', 'waiting') AND "deadlineAt" < ? ORDER BY "deadlineAt" LIMIT ?`,
      params: [now, limit],
    });
    return rows.map((r) => String(r.id));
  }

  findApprovalsPastDeadline(now: Date, limit = 100): Promise<ApprovalRecord[]> {
    return findApprovalsPastDeadline(this.ctx, now, limit);
  }
}

export function createPrismaRunStore(db: Db, options?: PrismaRunStoreOptions): PrismaRunStore {
  return new PrismaRunStore(db, options);
}
