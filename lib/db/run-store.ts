// The engine's RunStore on Prisma, for SQLite and PostgreSQL (lib/engine/ports.ts says what each
// method must do; lib/engine/testing/store-contract.ts checks it on both databases).
//
// Hot path. A commit is one transaction of at most a handful of statements, whatever it carries:
//   1. UPDATE "Run" … WHERE id AND fence = lease.fence RETURNING lastSeq — the fence check, the
//      run's new state/status/usage, lastSeq += number of events and lease renew/release in one
//      statement; no row → FencedError and the transaction rolls back (nothing written);
//   2. one UPDATE per approval update (rare), guarded by status = 'pending' when asked;
//   3. one multi-row INSERT … ON CONFLICT DO UPDATE for the steps, one multi-row INSERT for the
//      events (consecutive seq after the old lastSeq), one for new approvals.
// Writes are hand-written SQL, because Prisma's model queries cost 2-3x a raw statement, and
// the model API cannot do (1) in one statement. Reads use the model API (typed, provider-agnostic).
//
// On SQLite the statements run synchronously on Prisma's own connection (see sqlite-direct.ts):
// ~0.05 ms per commit instead of ~1.4 ms through a Prisma interactive transaction. On PostgreSQL
// they run in one Prisma interactive transaction ($transaction(async tx => …)).
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
import type { WorkflowDocument } from "../workflow/schema";
import type { Db } from "./client";
import { RUN_QUEUE_CHANNEL } from "./run-queue";
import {
  createSqlBackend,
  type Param,
  type Row,
  runChain,
  type SqlBackend,
  type Stmt,
  andThen,
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

const EVENT_COLUMNS = ["id", "runId", "seq", "type", "data", "createdAt"] as const;

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
] as const;

/** JSON column value: SQL NULL for undefined/null, else the JSON text. */
function json(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

function q(column: string): string {
  return `"${column}"`;
}

export class PrismaRunStore implements RunStore {
  private readonly sql: SqlBackend;
  private readonly schemaPrefix: string;

  constructor(
    readonly db: Db,
    private readonly options: PrismaRunStoreOptions = {},
  ) {
    this.sql = createSqlBackend(db, { direct: options.direct });
    const schema = db.target.provider === "postgresql" ? db.target.schema : undefined;
    this.schemaPrefix = schema ? `"${schema.replace(/"/g, "")}".` : "";
  }

  /** Which write path is in use: "sqlite-direct", "pg-direct" or "prisma". */
  get backend(): SqlBackend["kind"] {
    return this.sql.kind;
  }

  /** Releases the PostgreSQL pool of the direct path (the Prisma client is the caller's). */
  async close(): Promise<void> {
    await this.sql.close();
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

  private insertStmts(table: string, columns: readonly string[], rows: Param[][], suffix = ""): Stmt[] {
    const out: Stmt[] = [];
    const tuple = `(${columns.map(() => "?").join(", ")})`;
    for (let i = 0; i < rows.length; i += MAX_ROWS_PER_INSERT) {
      const chunk = rows.slice(i, i + MAX_ROWS_PER_INSERT);
      out.push({
        sql: `INSERT INTO ${this.t(table)} (${columns.map(q).join(", ")}) VALUES ${chunk.map(() => tuple).join(", ")}${suffix}`,
        params: chunk.flat(),
      });
    }
    return out;
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
    const rows = events.map((e, i): Param[] => [
      `${runId}:${firstSeq + i}`,
      runId,
      firstSeq + i,
      e.type,
      JSON.stringify(e.data ?? {}),
      now,
    ]);
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
    const lease = input.lease
      ? { owner: input.lease.owner, until: new Date(input.createdAt.getTime() + input.lease.ttlMs) }
      : null;
    const fence = lease ? 1 : 0;
    const runRow: Param[] = [
      input.id,
      input.workspaceId,
      input.workflowId,
      input.workflowVersionId,
      input.status,
      input.trigger,
      JSON.stringify(input.input ?? null),
      JSON.stringify(input.state ?? {}),
      input.startedById ?? null,
      input.parentRunId ?? null,
      input.retryOfRunId ?? null,
      input.createdAt,
      input.startedAt ?? null,
      input.deadlineAt ?? null,
      lease?.owner ?? null,
      lease?.until ?? null,
      fence,
      events.length,
    ];
    const stmts = [
      ...this.insertStmts("Run", RUN_COLUMNS, [runRow]),
      ...this.eventStmts(input.id, 1, events, input.createdAt),
      // a queued run nobody executes yet: wake the workers (delivered on commit)
      ...(input.status === "queued" && !lease ? this.queuedNotice(input.id) : []),
    ];
    await this.sql.transaction((exec) => runChain(stmts.map((stmt) => () => exec.run(stmt))));
    const eventRecords = events.map((e, i) => ({
      runId: input.id,
      seq: i + 1,
      type: e.type,
      data: e.data ?? {},
      createdAt: input.createdAt,
    }));
    if (eventRecords.length) this.options.onEvents?.(input.id, eventRecords, "createRun");
    const run: RunRecord = {
      id: input.id,
      workspaceId: input.workspaceId,
      workflowId: input.workflowId,
      workflowVersionId: input.workflowVersionId,
      document: input.document,
      status: input.status,
      trigger: input.trigger,
      input: input.input ?? null,
      output: null,
      error: null,
      state: input.state ?? {},
      startedById: input.startedById ?? null,
      parentRunId: input.parentRunId ?? null,
      retryOfRunId: input.retryOfRunId ?? null,
      createdAt: input.createdAt,
      startedAt: input.startedAt ?? null,
      endedAt: null,
      deadlineAt: input.deadlineAt ?? null,
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
      stepCount: 0,
      waitingOnPerson: false,
      leaseOwner: lease?.owner ?? null,
      leaseUntil: lease?.until ?? null,
      fence,
      lastSeq: events.length,
    };
    return { run, lease: lease ? { runId: input.id, owner: lease.owner, fence } : null, events: eventRecords };
  }

  async loadRun(runId: string): Promise<RunRecord | null> {
    const row = await this.db.prisma.run.findUnique({
      where: { id: runId },
      include: { workflowVersion: { select: { document: true } } },
    });
    if (!row) return null;
    return {
      id: row.id,
      workspaceId: row.workspaceId,
      workflowId: row.workflowId,
      workflowVersionId: row.workflowVersionId,
      document: row.workflowVersion.document as unknown as WorkflowDocument,
      status: row.status as RunRecord["status"],
      trigger: row.trigger,
      input: row.input,
      output: row.output ?? null,
      error: (row.error as SerializedError | null) ?? null,
      state: row.state,
      startedById: row.startedById,
      parentRunId: row.parentRunId,
      retryOfRunId: row.retryOfRunId,
      createdAt: row.createdAt,
      startedAt: row.startedAt,
      endedAt: row.endedAt,
      deadlineAt: row.deadlineAt,
      usage: { inputTokens: row.inputTokens, outputTokens: row.outputTokens, costUsd: row.costUsd },
      stepCount: row.stepCount,
      waitingOnPerson: row.waitingOnPerson,
      leaseOwner: row.leaseOwner,
      leaseUntil: row.leaseUntil,
      fence: row.fence,
      lastSeq: row.lastSeq,
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

  async commit(lease: Lease, input: CommitInput, now: Date): Promise<CommitResult> {
    const events = input.events ?? [];
    const runUpdate = this.runUpdateStmt(lease, input, now, events.length);
    const stepRows = this.stepRows(input.steps ?? []);
    const approvalRows = this.approvalRows(input.approvals?.create ?? []);
    const approvalUpdates = input.approvals?.update ?? [];
    let lastSeq: number;
    if (
      this.db.provider === "postgresql" &&
      approvalUpdates.every((u) => u.ifPending !== "throw") &&
      Math.max(stepRows.length, approvalRows.length, events.length) <= MAX_ROWS_PER_INSERT
    ) {
      lastSeq = await this.commitInOneStatement(lease, runUpdate, stepRows, approvalRows, approvalUpdates, events, now);
    } else {
      lastSeq = await this.commitInTransaction(lease, runUpdate, stepRows, approvalRows, approvalUpdates, events, now);
    }
    const firstSeq = lastSeq - events.length + 1;
    const records: RunEventRecord[] = events.map((e, i) => ({
      runId: lease.runId,
      seq: firstSeq + i,
      type: e.type,
      data: e.data ?? {},
      createdAt: now,
    }));
    if (records.length) this.options.onEvents?.(lease.runId, records, "commit");
    return { lastSeq, events: records };
  }

  private commitInTransaction(
    lease: Lease,
    runUpdate: Stmt,
    stepRows: Param[][],
    approvalRows: Param[][],
    approvalUpdates: ApprovalUpdate[],
    events: RunEventInput[],
    now: Date,
  ): Promise<number> {
    const steps = this.stepStmts(stepRows);
    const creates = approvalRows.length ? this.insertStmts("Approval", APPROVAL_COLUMNS, approvalRows) : [];
    const updates = approvalUpdates.map((u) => ({ update: u, stmt: this.approvalUpdateStmt(u) }));
    return this.sql.transaction((exec) =>
      andThen(exec.all(runUpdate), (rows) => {
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
      }),
    );
  }

  /**
   * PostgreSQL: the whole commit as ONE statement (one round trip, atomic by itself). The run
   * update is a data-modifying CTE; the inserts select FROM it, so when the fence check leaves
   * it empty they insert nothing, and the events number themselves from its new lastSeq.
   */
  private async commitInOneStatement(
    lease: Lease,
    runUpdate: Stmt,
    stepRows: Param[][],
    approvalRows: Param[][],
    approvalUpdates: ApprovalUpdate[],
    events: RunEventInput[],
    now: Date,
  ): Promise<number> {
    const ctes = [`r AS (${runUpdate.sql})`];
    const params: Param[] = [...runUpdate.params];
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
      params.push(lease.runId, events.length, lease.runId, events.length);
      const rows = events
        .map((e, i) => {
          params.push(e.type, JSON.stringify(e.data ?? {}), now);
          return `(${i + 1}, ?::text, ?::jsonb, ?::timestamp(3))`;
        })
        .join(", ");
      ctes.push(
        `e AS (INSERT INTO ${this.t("RunEvent")} ("id", "runId", "seq", "type", "data", "createdAt") SELECT ?::text || ':' || (r."lastSeq" - ?::int + v.k), ?::text, r."lastSeq" - ?::int + v.k, v.t, v.d, v.c FROM r, (VALUES ${rows}) AS v (k, t, d, c))`,
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
          toDate(r.decidedAt),
        );
      },
    ) as never;
  }

  async listSteps(runId: string): Promise<StepRecord[]> {
    const rows = await this.db.prisma.step.findMany({
      where: { runId },
      orderBy: [{ startedAt: "asc" }, { nodeId: "asc" }, { visit: "asc" }, { attempt: "asc" }],
    });
    return rows.map((r) => ({
      id: r.id,
      runId: r.runId,
      workspaceId: r.workspaceId,
      nodeId: r.nodeId,
      nodeType: r.nodeType,
      visit: r.visit,
      attempt: r.attempt,
      status: r.status as StepRecord["status"],
      idempotencyKey: r.idempotencyKey,
      input: r.input ?? null,
      output: r.output ?? null,
      error: (r.error as SerializedError | null) ?? null,
      model: r.model,
      simulated: r.simulated,
      usage: { inputTokens: r.inputTokens, outputTokens: r.outputTokens, costUsd: r.costUsd },
      startedAt: r.startedAt,
      endedAt: r.endedAt,
      durationMs: r.durationMs,
    }));
  }

  async listEvents(runId: string, afterSeq: number, limit: number): Promise<RunEventRecord[]> {
    const rows = await this.db.prisma.runEvent.findMany({
      where: { runId, seq: { gt: afterSeq } },
      orderBy: { seq: "asc" },
      take: limit,
      select: { runId: true, seq: true, type: true, data: true, createdAt: true },
    });
    return rows.map((r) => ({
      runId: r.runId,
      seq: r.seq,
      type: r.type as RunEventRecord["type"],
      data: (r.data ?? {}) as Record<string, unknown>,
      createdAt: r.createdAt,
    }));
  }

  async listApprovals(filter: ApprovalFilter): Promise<ApprovalRecord[]> {
    const rows = await this.db.prisma.approval.findMany({
      where: {
        ...(filter.runId ? { runId: filter.runId } : {}),
        ...(filter.workspaceId ? { workspaceId: filter.workspaceId } : {}),
        ...(filter.kind ? { kind: filter.kind } : {}),
        ...(filter.status ? { status: Array.isArray(filter.status) ? { in: filter.status } : filter.status } : {}),
      },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      ...(filter.limit ? { take: filter.limit } : {}),
    });
    return rows.map(toApprovalRecord);
  }

  async getApproval(id: string): Promise<ApprovalRecord | null> {
    const row = await this.db.prisma.approval.findUnique({ where: { id } });
    return row ? toApprovalRecord(row) : null;
  }

  async decideApproval(id: string, input: DecideApprovalInput): Promise<DecideApprovalResult> {
    const events = input.events ?? [];
    const decide: Stmt = {
      sql: `UPDATE ${this.t("Approval")} SET "status" = ?, "decidedById" = ?, "decidedAt" = ?, "decision" = ? WHERE "id" = ? AND "status" = 'pending' RETURNING "runId"`,
      params: [input.status, input.by, input.at, json(input.decision), id],
    };
    const outcome = await this.sql.transaction((exec) =>
      andThen(exec.all(decide), (rows) => {
        if (rows.length === 0) return this.notPending(exec, id);
        const runId = String(rows[0].runId);
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
              ? { runId, requeued: requeued === 1, lastSeq: 0 }
              : andThen(exec.all(bump), (bumped) => {
                  const last = Number(bumped[0]?.lastSeq ?? 0);
                  const inserts = this.eventStmts(runId, last - events.length + 1, events, input.at).map(
                    (s) => () => exec.run(s),
                  );
                  return andThen(runChain(inserts), () => ({ runId, requeued: requeued === 1, lastSeq: last }));
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
        })), "decideApproval");
    }
    const approval = await this.getApproval(id);
    if (!approval) throw new NotFoundError(`Approval ${id} does not exist.`);
    return { approval, runRequeued: outcome.requeued };
  }

  async findRunsToRecover(now: Date, limit = 100): Promise<string[]> {
    const rows = await this.db.prisma.run.findMany({
      where: {
        status: { in: ["running", "queued"] },
        OR: [{ leaseOwner: null }, { leaseUntil: null }, { leaseUntil: { lt: now } }],
      },
      orderBy: { createdAt: "asc" },
      take: limit,
      select: { id: true },
    });
    return rows.map((r) => r.id);
  }

  async findRunsPastDeadline(now: Date, limit = 100): Promise<string[]> {
    const rows = await this.db.prisma.run.findMany({
      where: { status: { in: ["queued", "running", "waiting"] }, deadlineAt: { lt: now } },
      orderBy: { deadlineAt: "asc" },
      take: limit,
      select: { id: true },
    });
    return rows.map((r) => r.id);
  }

  async findApprovalsPastDeadline(now: Date, limit = 100): Promise<ApprovalRecord[]> {
    const rows = await this.db.prisma.approval.findMany({
      where: { status: "pending", deadlineAt: { lt: now } },
      orderBy: { deadlineAt: "asc" },
      take: limit,
    });
    return rows.map(toApprovalRecord);
  }
}

export function createPrismaRunStore(db: Db, options?: PrismaRunStoreOptions): PrismaRunStore {
  return new PrismaRunStore(db, options);
}

// ------------------------------------------------------------------ helpers

function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  const d = new Date(typeof value === "bigint" ? Number(value) : (value as string | number));
  return Number.isNaN(d.getTime()) ? null : d;
}

type ApprovalRow = Awaited<ReturnType<Db["prisma"]["approval"]["findFirstOrThrow"]>>;

function toApprovalRecord(r: ApprovalRow): ApprovalRecord {
  const assignees: Assignees = {
    roles: Array.isArray(r.assigneeRoles) ? (r.assigneeRoles as string[]) : [],
    users: Array.isArray(r.assigneeUserIds) ? (r.assigneeUserIds as string[]) : [],
  };
  return {
    id: r.id,
    workspaceId: r.workspaceId,
    runId: r.runId,
    nodeId: r.nodeId,
    visit: r.visit,
    kind: r.kind as ApprovalRecord["kind"],
    title: r.title,
    details: r.details,
    payload: r.payload ?? null,
    allowEdit: r.allowEdit,
    editSchema: (r.editSchema as Record<string, unknown> | null) ?? null,
    assignees,
    escalateTo: (r.escalateTo as Assignees[] | null) ?? null,
    escalationLevel: r.escalationLevel,
    status: r.status as ApprovalRecord["status"],
    decidedById: r.decidedById,
    decidedAt: r.decidedAt,
    decision: (r.decision as ApprovalDecision | null) ?? null,
    deadlineAt: r.deadlineAt,
    onTimeout: r.onTimeout as ApprovalRecord["onTimeout"],
    createdAt: r.createdAt,
  };
}
