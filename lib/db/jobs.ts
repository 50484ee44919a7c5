// The run queue on PostgreSQL: graphile-worker (https://worker.graphile.org), database side.
//
// One job per runnable run: task `switchboard_run`, payload `{ runId }`, job key `run:<runId>`.
// The job is added by the transaction that makes the run runnable (the run store, in its
// `enqueue` mode: a run created queued, a run requeued by a decision, a commit that gives the
// lease of an unfinished run up), through graphile-worker's own SQL function `add_job`, so a run
// is never runnable without its job and a job never exists for a run that was rolled back. The
// key's `replace` mode keeps one pending job per run: adding it again replaces a pending job, and
// next to a job a worker has already started it adds a new one (graphile-worker clears the old
// job's key), because whatever requeued the run happened after that worker read it.
//
// The engine's own lease and fence decide who executes a run; a job only says "look at this run".
// A job whose run is finished, or held by a live executor, completes without doing anything.
// graphile-worker frees the jobs of a worker that died only after 4 hours, so the workers' sweep
// (lib/worker/worker.ts) adds a job for every run that needs one and has none available
// (`findRunsWithoutJob`): runs whose executor died (expired lease, or a dead process of this
// host), and runs queued by a process that did not enqueue (the embedded or inline mode).
//
// graphile-worker's tables live in their own schema, `<app schema>_jobs` when DATABASE_URL names
// a schema (tests: one per file), else `graphile_worker`; lib/db/migrate.ts installs and
// migrates it with graphile-worker's migrator after our own migrations.
import { Logger, runMigrations } from "graphile-worker";
import pg from "pg";
import type { DatabaseTarget } from "../env";
import type { Db } from "./client";
import type { Stmt } from "./sql-exec";

/** The task every run job runs (lib/worker/worker.ts registers it). */
export const RUN_TASK = "switchboard_run";

/** A failing job is retried this many times with graphile-worker's exponential backoff (e^attempt s); then the sweep adds it again. */
export const RUN_JOB_MAX_ATTEMPTS = 10;

export function runJobKey(runId: string): string {
  return `run:${runId}`;
}

/** The schema graphile-worker's tables live in, or null on SQLite (no queue there). */
export function jobsSchemaOf(target: DatabaseTarget): string | null {
  if (target.provider !== "postgresql") return null;
  return target.schema ? `${target.schema}_jobs` : "graphile_worker";
}

/** A schema name as a quoted SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, "")}"`;
}

/** A connection string node-postgres accepts: `?schema=` is ours (tables are schema-qualified), not libpq's. */
export function pgConnectionString(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.delete("schema");
  return parsed.toString();
}

/**
 * A node-postgres pool for graphile-worker (the migrator, a worker). A client that dies (server
 * restart, network) is dropped and replaced on the next query instead of crashing the process.
 */
export function jobQueuePool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: pgConnectionString(url), max, allowExitOnIdle: true });
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}

/** graphile-worker's log lines: warnings and errors to `log`, the rest dropped. */
export function graphileLogger(log: (line: string) => void = () => {}): Logger {
  return new Logger(() => (level, message) => {
    if (level === "error" || level === "warning") log(`[jobs] ${level}: ${message}`);
  });
}

/**
 * Installs or migrates graphile-worker's schema (idempotent; several processes starting at once
 * take turns through an advisory lock, and graphile-worker checks its own migrations again).
 */
export async function installJobQueue(target: Extract<DatabaseTarget, { provider: "postgresql" }>): Promise<void> {
  const schema = jobsSchemaOf(target)!;
  const pool = jobQueuePool(target.url, 2);
  const lock = await pool.connect();
  try {
    await lock.query("SELECT pg_advisory_lock(727275)");
    try {
      await runMigrations({ pgPool: pool, schema, logger: graphileLogger() });
    } finally {
      await lock.query("SELECT pg_advisory_unlock(727275)");
    }
  } finally {
    lock.release();
    await pool.end();
  }
}

/**
 * The statement that adds (or replaces) a run's job, for a transaction of the run store. `?`
 * placeholders (lib/db/sql-exec.ts); a SELECT that returns one row.
 */
export function enqueueRunStmt(jobsSchema: string, runId: string): Stmt {
  return {
    sql: `SELECT 1 AS "queued" FROM (SELECT ${enqueueRunCall(jobsSchema)}) AS j`,
    params: [runId, runJobKey(runId)],
  };
}

/** `add_job(…)` for one run: two parameters, the run id and its job key. */
export function enqueueRunCall(jobsSchema: string): string {
  return `${quoteIdent(jobsSchema)}.add_job(identifier := '${RUN_TASK}', payload := json_build_object('runId', ?::text), job_key := ?::text, job_key_mode := 'replace', max_attempts := ${RUN_JOB_MAX_ATTEMPTS})`;
}

function jobsSchemaOrThrow(db: Db): string {
  const schema = jobsSchemaOf(db.target);
  if (!schema) throw new Error("The run queue needs PostgreSQL (DATABASE_URL=postgres://…).");
  return schema;
}

/** Adds (or replaces) the jobs of these runs in one statement (the sweep; explicit dispatches). */
export async function enqueueRuns(db: Db, runIds: string[]): Promise<void> {
  if (runIds.length === 0) return;
  const js = quoteIdent(jobsSchemaOrThrow(db));
  await db.prisma.$executeRawUnsafe(
    `SELECT ${js}.add_jobs(ARRAY(SELECT ROW('${RUN_TASK}', json_build_object('runId', id), NULL, NULL, ${RUN_JOB_MAX_ATTEMPTS}, 'run:' || id, NULL, NULL)::${js}.job_spec FROM unnest($1::text[]) AS id))`,
    runIds,
  );
}

function appTable(db: Db, name: string): string {
  const schema = db.target.provider === "postgresql" ? db.target.schema : undefined;
  return schema ? `${quoteIdent(schema)}."${name}"` : `"${name}"`;
}

/**
 * Runs that need an executor and have no job a worker could take: `queued` or `running` without
 * a live lease (the same predicate as the engine's recovery and the partial index on Run), and no
 * available job (none, or only one locked by a worker that died, or one that failed for good).
 */
export async function findRunsWithoutJob(db: Db, now: Date, limit = 200): Promise<string[]> {
  const js = quoteIdent(jobsSchemaOrThrow(db));
  const rows = await db.prisma.$queryRawUnsafe<{ id: string }[]>(
    `SELECT r."id" FROM ${appTable(db, "Run")} r
     WHERE r."status" IN ('queued', 'running') AND (r."leaseOwner" IS NULL OR r."leaseUntil" IS NULL OR r."leaseUntil" < $1::timestamp(3))
       AND NOT EXISTS (SELECT 1 FROM ${js}._private_jobs j WHERE j."key" = 'run:' || r."id" AND j."is_available")
     ORDER BY r."createdAt" LIMIT $2`,
    now.toISOString(),
    limit,
  );
  return rows.map((r) => r.id);
}

/**
 * Deletes run jobs that another job replaced while they were locked (graphile-worker cleared
 * their key and spent their attempts) and whose worker has not completed them within
 * `olderThanMs`: their worker died. Nothing would ever run them again; this only tidies the table.
 */
export async function deleteSupersededJobs(db: Db, olderThanMs = 10 * 60_000): Promise<number> {
  const js = quoteIdent(jobsSchemaOrThrow(db));
  return db.prisma.$executeRawUnsafe(
    `DELETE FROM ${js}._private_jobs j USING ${js}._private_tasks t
     WHERE t."id" = j."task_id" AND t."identifier" = '${RUN_TASK}' AND j."key" IS NULL AND j."attempts" >= j."max_attempts"
       AND (j."locked_at" IS NULL OR j."locked_at" < now() - make_interval(secs => $1))`,
    olderThanMs / 1000,
  );
}

export interface QueueStats {
  /** Jobs a worker may take now. */
  waiting: number;
  /** Jobs a worker holds (executing, or in its local batch). */
  running: number;
  /** Jobs due later (a retry's backoff). */
  scheduled: number;
}

/** The run queue's depth (metrics, the worker's health port). */
export async function queueStats(db: Db): Promise<QueueStats> {
  const js = quoteIdent(jobsSchemaOrThrow(db));
  const rows = await db.prisma.$queryRawUnsafe<{ waiting: number; running: number; scheduled: number }[]>(
    `SELECT count(*) FILTER (WHERE j."is_available" AND j."run_at" <= now())::int AS "waiting",
            count(*) FILTER (WHERE j."locked_at" IS NOT NULL)::int AS "running",
            count(*) FILTER (WHERE j."is_available" AND j."run_at" > now())::int AS "scheduled"
     FROM ${js}._private_jobs j JOIN ${js}._private_tasks t ON t."id" = j."task_id" WHERE t."identifier" = '${RUN_TASK}'`,
  );
  const r = rows[0] ?? { waiting: 0, running: 0, scheduled: 0 };
  return { waiting: Number(r.waiting), running: Number(r.running), scheduled: Number(r.scheduled) };
}

/** Whether graphile-worker's schema is installed and migrated as far as this version knows (readiness). */
export async function jobQueueReady(db: Db): Promise<boolean> {
  const js = quoteIdent(jobsSchemaOrThrow(db));
  try {
    const rows = await db.prisma.$queryRawUnsafe<{ id: number }[]>(
      `SELECT max("id")::int AS "id" FROM ${js}."migrations"`,
    );
    return Number(rows[0]?.id ?? 0) > 0;
  } catch {
    return false;
  }
}
