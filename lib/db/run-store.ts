// The engine's RunStore for SQLite and PostgreSQL (lib/engine/ports.ts says what each method
// must do; lib/engine/testing/store-contract.ts checks it on both databases, through every path).
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
import { ApprovalNotPendingError, FencedError, NotFoundError, type SerializedError } from "../engine/errors";
import type {
  ApprovalDecision,
  ApprovalFilter,
  ApprovalInput,
  ApprovalRecord,
  ApprovalUpdate,
  Assignees,
  CommitInput,
  CommitResult,
  CommitSource,
  CreateRunInput,
  CreateRunResult,
  DecideApprovalInput,
  DecideApprovalResult,
  Lease,
  RunEventInput,
  RunEventRecord,
  RunRecord,
  RunStore,
  StepRecord,
  StepUpsert,
} from "../engine/ports";
import { takeCommitInput } from "../engine/ports";
import { newRunRecord } from "../engine/run-record";
import type { WorkflowDocument } from "../workflow/schema";
import type { Db } from "./client";
import { RUN_QUEUE_CHANNEL } from "./run-queue";
import {
  acquireSqlBackend,
  andThen,
  type Param,
  type Row,
  runChain,
  type SqlBackend,
  type Stmt,
  type TxExec,
} from "./sql-exec";

export interface PrismaRunStoreOptions {
  /**
   * SQLite only: run writes synchronously on Prisma's connection (default true when available).
   * false forces every write through Prisma transactions (used by tests to cover both paths).
   */
  direct?: boolean;
  /**
   * Called after every transaction that appended events. The engine publishes what it commits
   * itself; a runtime typically forwards only `decideApproval` (decisions made outside the engine's
   * executions) to its notifier.
   */
  onEvents?: (runId: string, events: RunEventRecord[], source: "createRun" | "commit" | "decideApproval") => void;
}

const MAX_ROWS_PER_INSERT = 400;
/** SQLite: rows per INSERT; each row count up to this is its own prepared statement. */
const SQLITE_ROWS_PER_INSERT = 32;

const STEP_COLUMNS = [
  "id",
  "runId",
  "workspaceId",
  "nodeId",
  "nodeType",
  "visit",
  "attempt",
  "status",
  "idempotencyKey",
  "input",
  "output",
  "error",
  "model",
  "simulated",
  "inputTokens",
  "outputTokens",
  "costUsd",
  "startedAt",
  "endedAt",
  "durationMs",
] as const;
const STEP_KEY = new Set(["id", "runId", "nodeId", "visit", "attempt"]);
const STEP_UPSERT = ` ON CONFLICT ("runId", "nodeId", "visit", "attempt") DO UPDATE SET ${STEP_COLUMNS.filter(
  (c) => !STEP_KEY.has(c),
)
  .map((c) => `"${c}" = excluded."${c}"`)
  .join(", ")}`;
/** PostgreSQL types of the columns, for casts where a value's type cannot be inferred. */
const STEP_PG_TYPES = [
  "text",
  "text",
  "text",
  "text",
  "text",
  "int",
  "int",
  "text",
  "text",
  "jsonb",
  "jsonb",
  "jsonb",
  "text",
  "boolean",
  "int",
  "int",
  "float8",
  "timestamp(3)",
  "timestamp(3)",
  "int",
];

const EVENT_COLUMNS = ["runId", "seq", "type", "data", "createdAt"] as const;

const APPROVAL_COLUMNS = [
  "id",
  "workspaceId",
  "runId",
  "nodeId",
  "visit",
  "kind",
  "title",
  "details",
  "payload",
  "allowEdit",
  "editSchema",
  "assigneeRoles",
  "assigneeUserIds",
  "escalateTo",
  "escalationLevel",
  "status",
  "deadlineAt",
  "onTimeout",
  "createdAt",
] as const;
const APPROVAL_PG_TYPES = [
  "text",
  "text",
  "text",
  "text",
  "int",
  "text",
  "text",
  "text",
  "jsonb",
  "boolean",
  "jsonb",
  "jsonb",
  "jsonb",
  "jsonb",
  "int",
  "text",
  "timestamp(3)",
  "text",
  "timestamp(3)",
];

const RUN_COLUMNS = [
  "id",
  "workspaceId",
  "workflowId",
  "workflowVersionId",
  "status",
  "trigger",
  "input",
  "state",
  "startedById",
  "parentRunId",
  "retryOfRunId",
  "createdAt",
  "startedAt",
  "deadlineAt",
  "leaseOwner",
  "leaseUntil",
  "fence",
  "lastSeq",
  "output",
  "error",
  "inputTokens",
  "outputTokens",
  "costUsd",
  "stepCount",
  "endedAt",
  "durationMs",
  "waitingOnPerson",
] as const;

/** A new run's row, in RUN_COLUMNS order. */
function runRow(run: RunRecord, durationMs: number | null = null): Param[] {
  return [
    run.id,
    run.workspaceId,
    run.workflowId,
    run.workflowVersionId,
    run.status,
    run.trigger,
    JSON.stringify(run.input ?? null),
    JSON.stringify(run.state ?? {}),
    run.startedById,
    run.parentRunId,
    run.retryOfRunId,
    run.createdAt,
    run.startedAt,
    run.deadlineAt,
    run.leaseOwner,
    run.leaseUntil,
    run.fence,
    run.lastSeq,
    json(run.output),
    json(run.error),
    run.usage.inputTokens,
    run.usage.outputTokens,
    run.usage.costUsd,
    run.stepCount,
    run.endedAt,
    durationMs === null ? null : Math.round(durationMs),
    run.waitingOnPerson,
  ];
}

/** A commit's run patch and lease change applied to a run that is created by the same commit. */
function patchedNewRun(input: CommitInput & { create: CreateRunInput }, now: Date): RunRecord {
  const { run } = newRunRecord(input.create);
  const p = input.run ?? {};
  if (p.status !== undefined) run.status = p.status;
  if (p.state !== undefined) run.state = p.state;
  if (p.output !== undefined) run.output = p.output;
  if (p.error !== undefined) run.error = p.error;
  if (p.usage) run.usage = { ...p.usage };
  if (p.stepCount !== undefined) run.stepCount = p.stepCount;
  if (p.startedAt !== undefined) run.startedAt = p.startedAt;
  if (p.endedAt !== undefined) run.endedAt = p.endedAt;
  if (p.deadlineAt !== undefined) run.deadlineAt = p.deadlineAt;
  if (p.waitingOnPerson !== undefined) run.waitingOnPerson = p.waitingOnPerson;
  if (input.releaseLease) {
    run.leaseOwner = null;
    run.leaseUntil = null;
  } else if (input.renewLease && run.leaseOwner) {
    run.leaseUntil = new Date(now.getTime() + input.renewLease.ttlMs);
  }
  run.lastSeq += input.events?.length ?? 0;
  return run;
}

/** Rows to one parameter list (Array.prototype.flat took ~10 µs for a commit's 7 step rows on Node 20 here; this loop ~0.5 µs). */
function flatten(rows: Param[][]): Param[] {
  if (rows.length === 1) return rows[0];
  const out: Param[] = [];
  for (const row of rows) for (const value of row) out.push(value);
  return out;
}

function eventRecordsOf(runId: string, firstSeq: number, events: RunEventInput[], at: Date): RunEventRecord[] {
  return events.map((e, i) => ({ runId, seq: firstSeq + i, type: e.type, data: e.data ?? {}, createdAt: at }));
}

/** JSON column value: SQL NULL for undefined/null, else the JSON text. */
function json(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

function q(column: string): string {
  return `"${column}"`;
}

export class PrismaRunStore implements RunStore {
  private readonly sql: SqlBackend;
  private readonly releaseBackend: () => Promise<void>;
  private readonly schemaPrefix: string;
  private readonly decode: RowDecoder;

  constructor(
    readonly db: Db,
    private readonly options: PrismaRunStoreOptions = {},
  ) {
    const { backend, release } = acquireSqlBackend(db, { direct: options.direct });
    this.sql = backend;
    this.releaseBackend = release;
    this.decode = rowDecoder(this.sql.kind);
    const schema = db.target.provider === "postgresql" ? db.target.schema : undefined;
    this.schemaPrefix = schema ? `"${schema.replace(/"/g, "")}".` : "";
  }

  /** Which write path is in use: "sqlite-direct", "pg-direct" or "prisma". */
  get backend(): SqlBackend["kind"] {
    return this.sql.kind;
  }

  /** Releases this store's share of the write path (the PostgreSQL pool closes with its last user; the Prisma client is the caller's). */
  async close(): Promise<void> {
    await this.releaseBackend();
  }

  /** PostgreSQL: NOTIFY the run queue channel (lib/db/run-queue.ts) inside the transaction. */
  private queuedNotice(runId: string): Stmt[] {
    return this.sql.dialect === "postgresql"
      ? [{ sql: `SELECT 1 FROM (SELECT pg_notify('${RUN_QUEUE_CHANNEL}', ?::text)) AS n`, params: [runId] }]
      : [];
  }

  private t(table: string): string {
    return `${this.schemaPrefix}"${table}"`;
  }

  // ------------------------------------------------------------------ statement builders

  private readonly insertSql = new Map<string, Map<string, string[]>>();

  /**
   * INSERTs for `rows`, several rows per statement: over the network (PostgreSQL, Prisma) because
   * round trips are what costs, on SQLite because each statement execution has a fixed cost
   * (binding, stepping, resetting) that a multi-row insert pays once. The SQL text for each
   * row count is built once (SQLite keeps one prepared statement per text).
   */
  private insertStmts(table: string, columns: readonly string[], rows: Param[][], suffix = ""): Stmt[] {
    const max = this.sql.kind === "sqlite-direct" ? SQLITE_ROWS_PER_INSERT : MAX_ROWS_PER_INSERT;
    const out: Stmt[] = [];
    for (let i = 0; i < rows.length; i += max) {
      const chunk = rows.length <= max ? rows : rows.slice(i, i + max);
      out.push({ sql: this.insertSqlFor(table, columns, chunk.length, suffix), params: flatten(chunk) });
    }
    return out;
  }

  private insertSqlFor(table: string, columns: readonly string[], rowCount: number, suffix: string): string {
    // hot path: no key string per call; the SQL per (table, suffix) is kept by row count
    let bySuffix = this.insertSql.get(table);
    if (!bySuffix) {
      bySuffix = new Map();
      this.insertSql.set(table, bySuffix);
    }
    let byCount = bySuffix.get(suffix);
    if (!byCount) {
      byCount = [];
      bySuffix.set(suffix, byCount);
    }
    let sql = byCount[rowCount];
    if (!sql) {
      const tuple = `(${columns.map(() => "?").join(", ")})`;
      sql = `INSERT INTO ${this.t(table)} (${columns.map(q).join(", ")}) VALUES ${Array(rowCount).fill(tuple).join(", ")}${suffix}`;
      byCount[rowCount] = sql;
    }
    return sql;
  }

  /** One row per distinct step key, in STEP_COLUMNS order. */
  private stepRows(steps: StepUpsert[]): Param[][] {
    // One commit may carry several writes of the same step (running → succeeded): keep the last,
    // because one INSERT … ON CONFLICT cannot touch the same row twice on PostgreSQL.
    const byKey = new Map<string, StepUpsert>();
    for (const s of steps) byKey.set(`${s.nodeId}\u0000${s.visit}\u0000${s.attempt}`, s);
    return [...byKey.values()].map((s): Param[] => [
      s.id,
      s.runId,
      s.workspaceId,
      s.nodeId,
      s.nodeType,
      s.visit,
      s.attempt,
      s.status,
      s.idempotencyKey,
      json(s.input),
      json(s.output),
      json(s.error),
      s.model ?? null,
      s.simulated,
      s.usage.inputTokens,
      s.usage.outputTokens,
      s.usage.costUsd,
      s.startedAt,
      s.endedAt ?? null,
      s.durationMs ?? null,
    ]);
  }

  private stepStmts(rows: Param[][]): Stmt[] {
    return rows.length ? this.insertStmts("Step", STEP_COLUMNS, rows, STEP_UPSERT) : [];
  }

  private eventStmts(runId: string, firstSeq: number, events: RunEventInput[], now: Date): Stmt[] {
    const rows = events.map((e, i): Param[] => [runId, firstSeq + i, e.type, JSON.stringify(e.data ?? {}), now]);
    return rows.length ? this.insertStmts("RunEvent", EVENT_COLUMNS, rows) : [];
  }

  private approvalRows(approvals: ApprovalInput[]): Param[][] {
    return approvals.map((a): Param[] => [
      a.id,
      a.workspaceId,
      a.runId,
      a.nodeId,
      a.visit,
      a.kind,
      a.title,
      a.details ?? "",
      json(a.payload),
      a.allowEdit,
      json(a.editSchema),
      JSON.stringify(a.assignees?.roles ?? []),
      JSON.stringify(a.assignees?.users ?? []),
      json(a.escalateTo),
      a.escalationLevel ?? 0,
      "pending",
      a.deadlineAt ?? null,
      a.onTimeout,
      a.createdAt,
    ]);
  }

  /** `guard`: extra SQL appended to the WHERE clause (the one-statement commit's fence check). */
  private approvalUpdateStmt(update: ApprovalUpdate, guard = ""): Stmt {
    const sets: string[] = [];
    const params: Param[] = [];
    const set = (column: string, value: Param) => {
      sets.push(`${q(column)} = ?`);
      params.push(value);
    };
    const u = update.set;
    if (u.status !== undefined) set("status", u.status);
    if (u.decidedById !== undefined) set("decidedById", u.decidedById);
    if (u.decidedAt !== undefined) set("decidedAt", u.decidedAt);
    if (u.decision !== undefined) set("decision", json(u.decision));
    if (u.assignees !== undefined) {
      set("assigneeRoles", JSON.stringify(u.assignees.roles ?? []));
      set("assigneeUserIds", JSON.stringify(u.assignees.users ?? []));
    }
    if (u.escalationLevel !== undefined) set("escalationLevel", u.escalationLevel);
    if (u.deadlineAt !== undefined) set("deadlineAt", u.deadlineAt);
    if (sets.length === 0) sets.push(`"status" = "status"`);
    params.push(update.id);
    return {
      sql: `UPDATE ${this.t("Approval")} SET ${sets.join(", ")} WHERE "id" = ?${update.ifPending ? ` AND "status" = 'pending'` : ""}${guard}`,
      params,
    };
  }

  // ------------------------------------------------------------------ RunStore

  async createRun(input: CreateRunInput): Promise<CreateRunResult> {
    const events = input.events ?? [];
    const { run, lease } = newRunRecord(input);
    // a queued run nobody executes yet: wake the workers (delivered on commit)
    const notice = input.status === "queued" && !lease ? this.queuedNotice(input.id) : [];
    const runInsert = this.insertStmts("Run", RUN_COLUMNS, [runRow(run)]);
    const eventInserts = this.eventStmts(input.id, 1, events, input.createdAt);
    if (this.sql.dialect === "postgresql" && notice.length === 0 && eventInserts.length <= 1) {
      // One statement, one round trip: the events' INSERT rides along as a CTE (atomic together).
      const ctes = eventInserts.map((e, i) => `e${i} AS (${e.sql})`);
      await this.sql.run({
        sql: `${ctes.length ? `WITH ${ctes.join(", ")} ` : ""}${runInsert[0].sql}`,
        params: [...eventInserts.flatMap((e) => e.params), ...runInsert[0].params],
      });
    } else {
      const stmts = [...runInsert, ...eventInserts, ...notice];
      await this.sql.transaction((exec) => runChain(stmts.map((stmt) => () => exec.run(stmt))));
    }
    const eventRecords = eventRecordsOf(input.id, 1, events, input.createdAt);
    if (eventRecords.length) this.options.onEvents?.(input.id, eventRecords, "createRun");
    return { run, lease, events: eventRecords };
  }

  async loadRun(runId: string): Promise<RunRecord | null> {
    const rows = await this.sql.all({
      sql: `SELECT r.*, v."document" AS "document" FROM ${this.t("Run")} r JOIN ${this.t("WorkflowVersion")} v ON v."id" = r."workflowVersionId" WHERE r."id" = ?`,
      params: [runId],
    });
    if (rows.length === 0) return null;
    const r = rows[0];
    const d = this.decode;
    return {
      id: String(r.id),
      workspaceId: String(r.workspaceId),
      workflowId: String(r.workflowId),
      workflowVersionId: String(r.workflowVersionId),
      document: d.json(r.document) as WorkflowDocument,
      status: String(r.status) as RunRecord["status"],
      trigger: String(r.trigger),
      input: d.json(r.input),
      output: d.json(r.output),
      error: d.json(r.error) as SerializedError | null,
      state: d.json(r.state),
      startedById: d.str(r.startedById),
      parentRunId: d.str(r.parentRunId),
      retryOfRunId: d.str(r.retryOfRunId),
      createdAt: d.date(r.createdAt)!,
      startedAt: d.date(r.startedAt),
      endedAt: d.date(r.endedAt),
      deadlineAt: d.date(r.deadlineAt),
      usage: { inputTokens: d.int(r.inputTokens), outputTokens: d.int(r.outputTokens), costUsd: Number(r.costUsd) },
      stepCount: d.int(r.stepCount),
      waitingOnPerson: d.bool(r.waitingOnPerson),
      leaseOwner: d.str(r.leaseOwner),
      leaseUntil: d.date(r.leaseUntil),
      fence: d.int(r.fence),
      lastSeq: d.int(r.lastSeq),
    };
  }

  async acquireLease(
    runId: string,
    owner: string,
    ttlMs: number,
    now: Date,
    options?: { force?: boolean },
  ): Promise<Lease | null> {
    const free = options?.force ? "" : ` AND ("leaseOwner" IS NULL OR "leaseUntil" IS NULL OR "leaseUntil" < ?)`;
    const stmt: Stmt = {
      sql: `UPDATE ${this.t("Run")} SET "leaseOwner" = ?, "leaseUntil" = ?, "fence" = "fence" + 1 WHERE "id" = ?${free} RETURNING "fence"`,
      params: options?.force
        ? [owner, new Date(now.getTime() + ttlMs), runId]
        : [owner, new Date(now.getTime() + ttlMs), runId, now],
    };
    const rows = await this.sql.all(stmt);
    if (rows.length === 0) return null;
    return { runId, owner, fence: Number(rows[0].fence) };
  }

  async renewLease(lease: Lease, ttlMs: number, now: Date): Promise<boolean> {
    const changed = await this.sql.run({
      sql: `UPDATE ${this.t("Run")} SET "leaseUntil" = ? WHERE "id" = ? AND "fence" = ? AND "leaseOwner" = ?`,
      params: [new Date(now.getTime() + ttlMs), lease.runId, lease.fence, lease.owner],
    });
    return changed === 1;
  }

  async releaseLease(lease: Lease): Promise<void> {
    await this.sql.run({
      sql: `UPDATE ${this.t("Run")} SET "leaseOwner" = NULL, "leaseUntil" = NULL WHERE "id" = ? AND "fence" = ? AND "leaseOwner" = ?`,
      params: [lease.runId, lease.fence, lease.owner],
    });
  }

  async commit(lease: Lease, source: CommitSource, now: Date): Promise<CommitResult> {
    // PostgreSQL decides between one statement and a transaction by what the input holds, so it
    // takes the input now; elsewhere the transaction body takes it when the transaction starts
    // (SQLite: at the group commit, so the input carries whatever the engine did meanwhile).
    let input = this.db.provider === "postgresql" ? takeCommitInput(source) : null;
    let lastSeq: number;
    if (input && this.fitsOneStatement(input)) {
      lastSeq = await this.commitInOneStatement(lease, input, now);
    } else {
      lastSeq = await this.commitInTransaction(lease, () => (input ??= takeCommitInput(source)), now);
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

  private fitsOneStatement(input: CommitInput): boolean {
    return (
      (input.approvals?.update ?? []).every((u) => u.ifPending !== "throw") &&
      Math.max(
        input.steps?.length ?? 0,
        input.approvals?.create?.length ?? 0,
        (input.events?.length ?? 0) + (input.create?.events?.length ?? 0),
      ) <= MAX_ROWS_PER_INSERT
    );
  }

  private commitInTransaction(lease: Lease, take: () => CommitInput, now: Date): Promise<number> {
    return this.sql.transaction((exec) => {
      const input = take();
      if (input.create) return this.createWithCommit(exec, lease, { ...input, create: input.create }, now);
      const events = input.events ?? [];
      const runUpdate = this.runUpdateStmt(lease, input, now, events.length);
      const steps = this.stepStmts(this.stepRows(input.steps ?? []));
      const approvalRows = this.approvalRows(input.approvals?.create ?? []);
      const creates = approvalRows.length ? this.insertStmts("Approval", APPROVAL_COLUMNS, approvalRows) : [];
      const updates = (input.approvals?.update ?? []).map((u) => ({ update: u, stmt: this.approvalUpdateStmt(u) }));
      return andThen(exec.all(runUpdate), (rows) => {
        if (rows.length === 0) return this.fenced(exec, lease);
        const last = Number(rows[0].lastSeq);
        const firstSeq = last - events.length + 1;
        const checkApprovals = updates.map(
          ({ update, stmt }) =>
            () =>
              andThen(exec.run(stmt), (changed) => {
                if (changed === 0 && update.ifPending === "throw") return this.notPending(exec, update.id);
                return undefined;
              }),
        );
        const inserts = [...steps, ...creates, ...this.eventStmts(lease.runId, firstSeq, events, now)].map(
          (stmt) => () => exec.run(stmt),
        );
        return andThen(runChain([...checkApprovals, ...inserts]), () => last);
      });
    });
  }

  /** The INSERT of a run created by a commit, with the commit's patch applied. */
  private createdRunInsert(
    lease: Lease,
    input: CommitInput & { create: CreateRunInput },
    now: Date,
  ): { run: RunRecord; insert: Stmt } {
    const { create } = input;
    if (create.id !== lease.runId || !create.lease || create.lease.owner !== lease.owner || lease.fence !== 1)
      throw new Error(`A commit that creates run ${create.id} must hold its first lease.`);
    const run = patchedNewRun(input, now);
    const [insert] = this.insertStmts("Run", RUN_COLUMNS, [runRow(run, input.run?.durationMs ?? null)]);
    return { run, insert };
  }

  /**
   * A commit that creates its run: the run row goes in with the commit already applied (one
   * INSERT, no UPDATE after it), then the creation's events, the commit's steps, approvals and
   * events. A run that exists already fails the INSERT, and the transaction with it.
   */
  private createWithCommit(
    exec: TxExec,
    lease: Lease,
    input: CommitInput & { create: CreateRunInput },
    now: Date,
  ): number | Promise<number> {
    const { create } = input;
    const { run, insert } = this.createdRunInsert(lease, input, now);
    const createEvents = create.events ?? [];
    const events = input.events ?? [];
    const stmts = [
      insert,
      ...this.eventStmts(run.id, 1, createEvents, create.createdAt),
      ...this.stepStmts(this.stepRows(input.steps ?? [])),
      ...this.insertStmts("Approval", APPROVAL_COLUMNS, this.approvalRows(input.approvals?.create ?? [])),
      ...this.eventStmts(run.id, createEvents.length + 1, events, now),
    ];
    const updates = (input.approvals?.update ?? []).map(
      (u) => () =>
        andThen(exec.run(this.approvalUpdateStmt(u)), (changed) =>
          changed === 0 && u.ifPending === "throw" ? this.notPending(exec, u.id) : undefined,
        ),
    );
    return andThen(runChain([...stmts.map((stmt) => () => exec.run(stmt)), ...updates]), () => run.lastSeq);
  }

  /**
   * PostgreSQL: the whole commit as ONE statement (one round trip, atomic by itself). The run
   * update is a data-modifying CTE; the inserts select FROM it, so when the fence check leaves
   * it empty they insert nothing, and the events number themselves from its new lastSeq.
   */
  private async commitInOneStatement(lease: Lease, input: CommitInput, now: Date): Promise<number> {
    const { create } = input;
    // the creation's events first (a created run's lastSeq counts them), then the commit's
    const events: [RunEventInput, Date][] = [
      ...(create?.events ?? []).map((e): [RunEventInput, Date] => [e, create!.createdAt]),
      ...(input.events ?? []).map((e): [RunEventInput, Date] => [e, now]),
    ];
    // a created run is INSERTed with the commit applied; foreign keys are checked at the end of
    // the statement, so the step and event rows may come from the same statement
    const runStmt = create
      ? this.createdRunInsert(lease, { ...input, create }, now).insert
      : this.runUpdateStmt(lease, input, now, events.length);
    const stepRows = this.stepRows(input.steps ?? []);
    const approvalRows = this.approvalRows(input.approvals?.create ?? []);
    const approvalUpdates = input.approvals?.update ?? [];
    const ctes = [`r AS (${runStmt.sql}${create ? ` RETURNING "lastSeq"` : ""})`];
    const params: Param[] = [...runStmt.params];
    approvalUpdates.forEach((update, i) => {
      const stmt = this.approvalUpdateStmt(update, " AND EXISTS (SELECT 1 FROM r)");
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
        `s AS (INSERT INTO ${this.t("Step")} (${cols}) SELECT * FROM (VALUES ${values(stepRows, STEP_PG_TYPES)}) AS v (${cols}) WHERE EXISTS (SELECT 1 FROM r)${STEP_UPSERT})`,
      );
    }
    if (approvalRows.length) {
      const cols = APPROVAL_COLUMNS.map(q).join(", ");
      ctes.push(
        `a AS (INSERT INTO ${this.t("Approval")} (${cols}) SELECT * FROM (VALUES ${values(approvalRows, APPROVAL_PG_TYPES)}) AS v (${cols}) WHERE EXISTS (SELECT 1 FROM r))`,
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
        `e AS (INSERT INTO ${this.t("RunEvent")} ("runId", "seq", "type", "data", "createdAt") SELECT ?::text, r."lastSeq" - ?::int + v.k, v.t, v.d, v.c FROM r, (VALUES ${rows}) AS v (k, t, d, c))`,
      );
    }
    const rows = await this.sql.all({ sql: `WITH ${ctes.join(", ")} SELECT "lastSeq" FROM r`, params });
    if (rows.length === 0) {
      const current = await this.db.prisma.run.findUnique({ where: { id: lease.runId }, select: { fence: true } });
      throw new FencedError(lease.runId, lease.fence, current?.fence);
    }
    return Number(rows[0].lastSeq);
  }

  private runUpdateStmt(lease: Lease, input: CommitInput, now: Date, eventCount: number): Stmt {
    const sets: string[] = [];
    const params: Param[] = [];
    const set = (column: string, value: Param) => {
      sets.push(`${q(column)} = ?`);
      params.push(value);
    };
    const p = input.run ?? {};
    if (p.status !== undefined) set("status", p.status);
    if ("state" in p && p.state !== undefined) set("state", JSON.stringify(p.state));
    if ("output" in p && p.output !== undefined) set("output", json(p.output));
    if ("error" in p && p.error !== undefined) set("error", json(p.error));
    if (p.usage) {
      set("inputTokens", p.usage.inputTokens);
      set("outputTokens", p.usage.outputTokens);
      set("costUsd", p.usage.costUsd);
    }
    if (p.stepCount !== undefined) set("stepCount", p.stepCount);
    if (p.startedAt !== undefined) set("startedAt", p.startedAt);
    if (p.endedAt !== undefined) set("endedAt", p.endedAt);
    if (p.durationMs !== undefined) set("durationMs", p.durationMs === null ? null : Math.round(p.durationMs));
    if (p.deadlineAt !== undefined) set("deadlineAt", p.deadlineAt);
    if (p.waitingOnPerson !== undefined) set("waitingOnPerson", p.waitingOnPerson);
    if (input.releaseLease) {
      sets.push(`"leaseOwner" = NULL`, `"leaseUntil" = NULL`);
    } else if (input.renewLease) {
      set("leaseUntil", new Date(now.getTime() + input.renewLease.ttlMs));
    }
    sets.push(`"lastSeq" = "lastSeq" + ?`);
    params.push(eventCount);
    params.push(lease.runId, lease.fence);
    return {
      sql: `UPDATE ${this.t("Run")} SET ${sets.join(", ")} WHERE "id" = ? AND "fence" = ? RETURNING "lastSeq"`,
      params,
    };
  }

  /** Inside the failed commit's transaction: read the current fence for the error, then throw. */
  private fenced(exec: TxExec, lease: Lease): never | Promise<never> {
    return andThen(
      exec.all({ sql: `SELECT "fence" FROM ${this.t("Run")} WHERE "id" = ?`, params: [lease.runId] }),
      (rows) => {
        throw new FencedError(lease.runId, lease.fence, rows.length ? Number(rows[0].fence) : undefined);
      },
    ) as never;
  }

  private notPending(exec: TxExec, approvalId: string): never | Promise<never> {
    return andThen(
      exec.all({
        sql: `SELECT "status", "decidedById", "decidedAt" FROM ${this.t("Approval")} WHERE "id" = ?`,
        params: [approvalId],
      }),
      (rows) => {
        if (rows.length === 0) throw new NotFoundError(`Approval ${approvalId} does not exist.`);
        const r = rows[0];
        throw new ApprovalNotPendingError(
          approvalId,
          String(r.status),
          (r.decidedById as string | null) ?? null,
          this.decode.date(r.decidedAt),
        );
      },
    ) as never;
  }

  async listSteps(runId: string): Promise<StepRecord[]> {
    const rows = await this.sql.all({
      sql: `SELECT * FROM ${this.t("Step")} WHERE "runId" = ? ORDER BY "startedAt", "nodeId", "visit", "attempt"`,
      params: [runId],
    });
    const d = this.decode;
    return rows.map((r) => ({
      id: String(r.id),
      runId: String(r.runId),
      workspaceId: String(r.workspaceId),
      nodeId: String(r.nodeId),
      nodeType: String(r.nodeType),
      visit: d.int(r.visit),
      attempt: d.int(r.attempt),
      status: String(r.status) as StepRecord["status"],
      idempotencyKey: String(r.idempotencyKey),
      input: d.json(r.input),
      output: d.json(r.output),
      error: d.json(r.error) as SerializedError | null,
      model: d.str(r.model),
      simulated: d.bool(r.simulated),
      usage: { inputTokens: d.int(r.inputTokens), outputTokens: d.int(r.outputTokens), costUsd: Number(r.costUsd) },
      startedAt: d.date(r.startedAt)!,
      endedAt: d.date(r.endedAt),
      durationMs: r.durationMs === null || r.durationMs === undefined ? null : d.int(r.durationMs),
    }));
  }

  async listEvents(runId: string, afterSeq: number, limit: number): Promise<RunEventRecord[]> {
    const rows = await this.sql.all({
      sql: `SELECT "runId", "seq", "type", "data", "createdAt" FROM ${this.t("RunEvent")} WHERE "runId" = ? AND "seq" > ? ORDER BY "seq" LIMIT ?`,
      params: [runId, afterSeq, Math.max(0, Math.floor(limit))],
    });
    const d = this.decode;
    return rows.map((r) => ({
      runId: String(r.runId),
      seq: d.int(r.seq),
      type: String(r.type) as RunEventRecord["type"],
      data: (d.json(r.data) ?? {}) as Record<string, unknown>,
      createdAt: d.date(r.createdAt)!,
    }));
  }

  async listApprovals(filter: ApprovalFilter): Promise<ApprovalRecord[]> {
    const where: string[] = [];
    const params: Param[] = [];
    if (filter.runId) where.push(`"runId" = ?`) && params.push(filter.runId);
    if (filter.workspaceId) where.push(`"workspaceId" = ?`) && params.push(filter.workspaceId);
    if (filter.kind) where.push(`"kind" = ?`) && params.push(filter.kind);
    if (filter.status) {
      const list = Array.isArray(filter.status) ? filter.status : [filter.status];
      if (list.length === 0) return [];
      where.push(`"status" IN (${list.map(() => "?").join(", ")})`);
      params.push(...list);
    }
    if (filter.limit) params.push(Math.max(0, Math.floor(filter.limit)));
    const rows = await this.sql.all({
      sql: `SELECT * FROM ${this.t("Approval")}${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY "createdAt", "id"${filter.limit ? " LIMIT ?" : ""}`,
      params,
    });
    return rows.map((r) => this.approvalRecord(r));
  }

  async getApproval(id: string): Promise<ApprovalRecord | null> {
    const rows = await this.sql.all({ sql: `SELECT * FROM ${this.t("Approval")} WHERE "id" = ?`, params: [id] });
    return rows.length ? this.approvalRecord(rows[0]) : null;
  }

  private approvalRecord(r: Row): ApprovalRecord {
    const d = this.decode;
    const strings = (v: unknown) => {
      const list = d.json(v);
      return Array.isArray(list) ? list.map(String) : [];
    };
    return {
      id: String(r.id),
      workspaceId: String(r.workspaceId),
      runId: String(r.runId),
      nodeId: String(r.nodeId),
      visit: d.int(r.visit),
      kind: String(r.kind) as ApprovalRecord["kind"],
      title: String(r.title),
      details: String(r.details ?? ""),
      payload: d.json(r.payload),
      allowEdit: d.bool(r.allowEdit),
      editSchema: d.json(r.editSchema) as Record<string, unknown> | null,
      assignees: { roles: strings(r.assigneeRoles), users: strings(r.assigneeUserIds) },
      escalateTo: d.json(r.escalateTo) as Assignees[] | null,
      escalationLevel: d.int(r.escalationLevel),
      status: String(r.status) as ApprovalRecord["status"],
      decidedById: d.str(r.decidedById),
      decidedAt: d.date(r.decidedAt),
      decision: d.json(r.decision) as ApprovalDecision | null,
      deadlineAt: d.date(r.deadlineAt),
      onTimeout: String(r.onTimeout) as ApprovalRecord["onTimeout"],
      createdAt: d.date(r.createdAt)!,
    };
  }

  async decideApproval(id: string, input: DecideApprovalInput): Promise<DecideApprovalResult> {
    const events = input.events ?? [];
    const decide: Stmt = {
      sql: `UPDATE ${this.t("Approval")} SET "status" = ?, "decidedById" = ?, "decidedAt" = ?, "decision" = ? WHERE "id" = ? AND "status" = 'pending' RETURNING *`,
      params: [input.status, input.by, input.at, json(input.decision), id],
    };
    const outcome = await this.sql.transaction((exec) =>
      andThen(exec.all(decide), (rows) => {
        if (rows.length === 0) return this.notPending(exec, id);
        const approval = this.approvalRecord(rows[0]);
        const runId = approval.runId;
        const requeue: Stmt = {
          sql: `UPDATE ${this.t("Run")} SET "status" = 'queued', "waitingOnPerson" = ? WHERE "id" = ? AND "status" = 'waiting'`,
          params: [false, runId],
        };
        const bump: Stmt = {
          sql: `UPDATE ${this.t("Run")} SET "lastSeq" = "lastSeq" + ? WHERE "id" = ? RETURNING "lastSeq"`,
          params: [events.length, runId],
        };
        return andThen(exec.run(requeue), (requeued) =>
          andThen(requeued === 1 ? runChain(this.queuedNotice(runId).map((n) => () => exec.run(n))) : undefined, () =>
            events.length === 0
              ? { approval, runId, requeued: requeued === 1, lastSeq: 0 }
              : andThen(exec.all(bump), (bumped) => {
                  const last = Number(bumped[0]?.lastSeq ?? 0);
                  const inserts = this.eventStmts(runId, last - events.length + 1, events, input.at).map(
                    (s) => () => exec.run(s),
                  );
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
      this.options.onEvents?.(
        outcome.runId,
        events.map((e, i) => ({
          runId: outcome.runId,
          seq: first + i,
          type: e.type,
          data: e.data ?? {},
          createdAt: input.at,
        })),
        "decideApproval",
      );
    }
    return { approval: outcome.approval, runRequeued: outcome.requeued };
  }

  async findRunsToRecover(now: Date, limit = 100): Promise<string[]> {
    const rows = await this.sql.all({
      sql: `SELECT "id" FROM ${this.t("Run")} WHERE "status" IN ('queued', 'running') AND ("leaseOwner" IS NULL OR "leaseUntil" IS NULL OR "leaseUntil" < ?) ORDER BY "createdAt" LIMIT ?`,
      params: [now, limit],
    });
    return rows.map((r) => String(r.id));
  }

  async findRunsPastDeadline(now: Date, limit = 100): Promise<string[]> {
    const rows = await this.sql.all({
      sql: `SELECT "id" FROM ${this.t("Run")} WHERE "status" IN ('queued', 'running', 'waiting') AND "deadlineAt" < ? ORDER BY "deadlineAt" LIMIT ?`,
      params: [now, limit],
    });
    return rows.map((r) => String(r.id));
  }

  async findApprovalsPastDeadline(now: Date, limit = 100): Promise<ApprovalRecord[]> {
    const rows = await this.sql.all({
      sql: `SELECT * FROM ${this.t("Approval")} WHERE "status" = 'pending' AND "deadlineAt" < ? ORDER BY "deadlineAt" LIMIT ?`,
      params: [now, limit],
    });
    return rows.map((r) => this.approvalRecord(r));
  }
}

export function createPrismaRunStore(db: Db, options?: PrismaRunStoreOptions): PrismaRunStore {
  return new PrismaRunStore(db, options);
}

// ------------------------------------------------------------------ helpers

// ------------------------------------------------------------------ row decoding

interface RowDecoder {
  json(v: unknown): unknown;
  date(v: unknown): Date | null;
  int(v: unknown): number;
  bool(v: unknown): boolean;
  str(v: unknown): string | null;
}

/**
 * Raw rows differ by path: better-sqlite3 (direct) gives JSON as text, dates as ISO text,
 * integers as BigInt and booleans as 0/1; Prisma's raw queries and node-postgres give parsed
 * JSON, Date objects, numbers and booleans.
 */
function rowDecoder(kind: SqlBackend["kind"]): RowDecoder {
  const textJson = kind === "sqlite-direct";
  return {
    json: (v) => (v === null || v === undefined ? null : textJson && typeof v === "string" ? JSON.parse(v) : v),
    date: (v) => {
      if (v === null || v === undefined) return null;
      if (v instanceof Date) return v;
      const d = new Date(typeof v === "bigint" ? Number(v) : (v as string | number));
      return Number.isNaN(d.getTime()) ? null : d;
    },
    int: (v) => (v === null || v === undefined ? 0 : Number(v)),
    bool: (v) => v === true || v === 1 || v === 1n || v === "1" || v === "true",
    str: (v) => (v === null || v === undefined ? null : String(v)),
  };
}
