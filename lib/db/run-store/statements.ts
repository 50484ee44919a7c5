// Statement builders that need the table names: the schema prefix (PostgreSQL tests run each file
// in its own schema), the multi-row INSERTs with their SQL text cache, the run update with the
// fence check, and the approval update. Built once per store; the SQL text is kept across commits.
import type { ApprovalUpdate, CommitInput, Lease, RunEventInput } from "@/lib/contracts/ports";
import { enqueueRunCall, enqueueRunStmt } from "../jobs";
import type { Param, SqlBackend, Stmt } from "../sql-exec";
import { EVENT_COLUMNS, q, STEP_COLUMNS, STEP_UPSERT } from "./columns";
import { flatten, json } from "./rows";

export const MAX_ROWS_PER_INSERT = 400;
/** SQLite: rows per INSERT; each row count up to this is its own prepared statement. */
export const SQLITE_ROWS_PER_INSERT = 32;

export class RunStoreStatements {
  private readonly schemaPrefix: string;

  /**
   * `schema`: the PostgreSQL schema the tables live in (none: the connection's default).
   * `jobsSchema`: graphile-worker's schema when this store enqueues runs (lib/db/jobs.ts), else null.
   */
  constructor(
    private readonly sql: SqlBackend,
    schema: string | undefined,
    readonly jobsSchema: string | null = null,
  ) {
    this.schemaPrefix = schema ? `"${schema.replace(/"/g, "")}".` : "";
  }

  /** Whether this store adds a run's job in the transaction that makes the run runnable. */
  get enqueues(): boolean {
    return this.jobsSchema !== null;
  }

  /** The run's job (lib/db/jobs.ts), added inside the transaction; none when this store does not enqueue. */
  enqueueStmts(runId: string): Stmt[] {
    return this.jobsSchema ? [enqueueRunStmt(this.jobsSchema, runId)] : [];
  }

  /** `add_job(…)` as an expression with two `?` parameters (run id, job key), for one-statement commits. */
  enqueueCall(): string {
    if (!this.jobsSchema) throw new Error("This run store does not enqueue runs.");
    return enqueueRunCall(this.jobsSchema);
  }

  t(table: string): string {
    return `${this.schemaPrefix}"${table}"`;
  }

  private readonly insertSql = new Map<string, Map<string, string[]>>();

  /**
   * INSERTs for `rows`, several rows per statement: over the network (PostgreSQL, Prisma) because
   * round trips are what costs, on SQLite because each statement execution has a fixed cost
   * (binding, stepping, resetting) that a multi-row insert pays once. The SQL text for each
   * row count is built once (SQLite keeps one prepared statement per text).
   */
  insertStmts(table: string, columns: readonly string[], rows: Param[][], suffix = ""): Stmt[] {
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

  stepStmts(rows: Param[][]): Stmt[] {
    return rows.length ? this.insertStmts("Step", STEP_COLUMNS, rows, STEP_UPSERT) : [];
  }

  eventStmts(runId: string, firstSeq: number, events: RunEventInput[], now: Date): Stmt[] {
    const rows = events.map((e, i): Param[] => [runId, firstSeq + i, e.type, JSON.stringify(e.data ?? {}), now]);
    return rows.length ? this.insertStmts("RunEvent", EVENT_COLUMNS, rows) : [];
  }

  /** `guard`: extra SQL appended to the WHERE clause (the one-statement commit's fence check). */
  approvalUpdateStmt(update: ApprovalUpdate, guard = ""): Stmt {
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

  /**
   * The fence check and the run patch in one UPDATE; no row returned means the lease is stale.
   * Returns the run's `lastSeq` and `status` (whether a released run is left runnable).
   */
  runUpdateStmt(lease: Lease, input: CommitInput, now: Date, eventCount: number): Stmt {
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
      sql: `UPDATE ${this.t("Run")} SET ${sets.join(", ")} WHERE "id" = ? AND "fence" = ? RETURNING "lastSeq", "status"`,
      params,
    };
  }
}
