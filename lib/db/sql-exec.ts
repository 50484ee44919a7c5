// How the run store executes its hand-written SQL. Three backends, one interface:
//
// - "sqlite-direct": synchronous statements on the better-sqlite3 connection Prisma already
//   uses (sqlite-direct.ts). A transaction is BEGIN IMMEDIATE…COMMIT in one synchronous block, so
//   nothing else in the process can interleave; it first waits for any open Prisma transaction on
//   the connection to finish, and starts on the next event-loop turn (group commit, see below).
// - "pg-direct": a small node-postgres pool of its own. Measured on our 2-core machines, Prisma 7
//   spends ~0.8 ms of CPU per PostgreSQL statement against ~0.2 ms for node-postgres, and the
//   hot path is a handful of statements per step.
// - "prisma": $queryRawUnsafe / $executeRawUnsafe, transactions through $transaction(async tx => …).
//   Used when the direct paths are off (tests cover both) or unavailable.
//
// SQL is written with `?` placeholders; PostgreSQL gets `$1…$n`. Dates are bound the way Prisma
// stores them (SQLite: ISO text with +00:00; PostgreSQL: timestamp(3) in UTC).
import pg from "pg";
import type { Db } from "./client";
import { type SqliteHandle, type SqliteStatement, sqliteHandleOf } from "./sqlite-direct";
import { createWalFlusher, type WalFlusher } from "./sqlite-wal-flush";

export type Param = string | number | boolean | Date | null;
export interface Stmt {
  sql: string;
  params: Param[];
  /**
   * A statement that carries several requests at once (a group commit, a batched claim): its text
   * varies with how many and which shapes, so such texts get names from a budget of their own.
   */
  batched?: boolean;
}
export type Row = Record<string, unknown>;

/** Statements inside one transaction: sync on the SQLite direct path, promises elsewhere. */
export interface TxExec {
  all(stmt: Stmt): Row[] | Promise<Row[]>;
  run(stmt: Stmt): number | Promise<number>;
}

export type BackendKind = "sqlite-direct" | "pg-direct" | "prisma";

export interface SqlBackend {
  readonly kind: BackendKind;
  readonly dialect: "sqlite" | "postgresql";
  /** Runs `body` in one transaction; `body` must be synchronous on "sqlite-direct". */
  transaction<T>(body: (exec: TxExec) => T | Promise<T>): Promise<T>;
  /** One statement on its own (atomic by itself). */
  all(stmt: Stmt): Promise<Row[]>;
  run(stmt: Stmt): Promise<number>;
  close(): Promise<void>;
}

function createSqlBackend(db: Db, direct: boolean): SqlBackend {
  if (direct) {
    if (db.provider === "sqlite") {
      const handle = sqliteHandleOf(db.prisma);
      if (handle) return new SqliteDirectBackend(handle);
    } else if (db.target.provider === "postgresql") {
      return new PgDirectBackend(db.target.url);
    }
  }
  return new PrismaBackend(db);
}

const shared = new WeakMap<Db, Map<boolean, { backend: SqlBackend; refs: number }>>();

/**
 * The backend for a database, shared by every store of the process on that Db (one PostgreSQL
 * pool, one SQLite group-commit queue), however many stores are created (e.g. one per request).
 * `release()` drops this user's reference; the pool closes when the last one is released.
 */
export function acquireSqlBackend(
  db: Db,
  options: { direct?: boolean } = {},
): { backend: SqlBackend; release(): Promise<void> } {
  const direct = options.direct !== false;
  let byMode = shared.get(db);
  if (!byMode) {
    byMode = new Map();
    shared.set(db, byMode);
  }
  let entry = byMode.get(direct);
  if (!entry) {
    entry = { backend: createSqlBackend(db, direct), refs: 0 };
    byMode.set(direct, entry);
  }
  entry.refs++;
  const mine = entry;
  let released = false;
  return {
    backend: mine.backend,
    async release() {
      if (released) return;
      released = true;
      mine.refs--;
      if (mine.refs === 0 && byMode.get(direct) === mine) {
        byMode.delete(direct);
        await mine.backend.close();
      }
    },
  };
}

/** Sequences `next` after a value that is a promise on async paths and plain on the sync one. */
export function andThen<A, B>(value: A | Promise<A>, next: (a: A) => B | Promise<B>): B | Promise<B> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/** Runs thunks one after another; synchronous while they are, a promise chain once one is not. */
export function runChain(thunks: (() => unknown)[]): unknown {
  let i = 0;
  const step = (): unknown => {
    while (i < thunks.length) {
      const r = thunks[i++]();
      if (r instanceof Promise) return r.then(step);
    }
    return undefined;
  };
  return step();
}

/** `?` placeholders to PostgreSQL's `$1, $2, …` (our SQL never has `?` inside literals). */
export function toPgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

// ------------------------------------------------------------------ SQLite, same connection

class SqliteDirectBackend implements SqlBackend {
  readonly kind = "sqlite-direct" as const;
  readonly dialect = "sqlite" as const;
  private readonly cache = new Map<string, SqliteStatement>();
  private readonly exec: TxExec = { all: (s) => this.allSync(s), run: (s) => this.runSync(s) };

  /** See sqlite-wal-flush.ts. Counts only this backend's commits (the run store's: nearly all). */
  readonly walFlush: WalFlusher | null;

  constructor(private readonly handle: SqliteHandle) {
    this.walFlush = handle.memory ? null : createWalFlusher(`${handle.name}-wal`);
  }

  /**
   * Group commit. A transaction does not start at once: every transaction requested during one
   * turn of the event loop runs at the start of the next turn, together, in ONE
   * BEGIN IMMEDIATE…COMMIT, each body inside its own SAVEPOINT (a body that throws — fenced, not
   * pending, a constraint — is rolled back alone and its caller gets the error; the others
   * commit). The engine pipelines (it keeps executing while a commit is in flight and buffers
   * what happens meanwhile), so zero-latency steps of one run share a commit, and concurrent runs
   * share one too. Nothing is reported early: each caller's promise resolves after COMMIT.
   */
  transaction<T>(body: (exec: TxExec) => T | Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ body, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private readonly queue: {
    body: (exec: TxExec) => unknown;
    resolve: (value: unknown) => void;
    reject: (error: unknown) => void;
  }[] = [];
  private scheduled = false;

  private async flush(): Promise<void> {
    try {
      await this.idle();
    } catch (error) {
      this.scheduled = false;
      for (const item of this.queue.splice(0)) item.reject(error);
      return;
    }
    this.scheduled = false;
    const batch = this.queue.splice(0);
    if (batch.length === 0) return;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.prepared("BEGIN IMMEDIATE").run();
      for (const item of batch) {
        this.prepared("SAVEPOINT sb").run();
        try {
          const value = item.body(this.exec);
          if (value instanceof Promise) {
            value.catch(() => {});
            throw new Error("A direct SQLite transaction body must be synchronous.");
          }
          this.prepared("RELEASE sb").run();
          outcomes.push({ ok: true, value });
        } catch (error) {
          this.prepared("ROLLBACK TO sb").run();
          this.prepared("RELEASE sb").run();
          outcomes.push({ ok: false, error });
        }
      }
      this.prepared("COMMIT").run();
      this.walFlush?.committed();
    } catch (error) {
      // BEGIN or COMMIT failed (e.g. the database stayed locked by another process): nothing was written
      if (this.handle.inTransaction) this.prepared("ROLLBACK").run();
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const o = outcomes[i];
      if (o.ok) item.resolve(o.value);
      else item.reject(o.error);
    });
  }

  async all(stmt: Stmt): Promise<Row[]> {
    await this.idle();
    return this.allSync(stmt);
  }

  async run(stmt: Stmt): Promise<number> {
    await this.idle();
    return this.runSync(stmt);
  }

  async close(): Promise<void> {
    this.cache.clear();
    await this.walFlush?.close();
  }

  /** A Prisma interactive transaction may be open on the shared connection: let it finish first. */
  private async idle(): Promise<void> {
    if (!this.handle.inTransaction) return;
    const started = Date.now();
    while (this.handle.inTransaction) {
      if (Date.now() - started > 15_000)
        throw new Error("The database connection stayed inside a transaction for 15 s.");
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }

  private prepared(sql: string): SqliteStatement {
    let stmt = this.cache.get(sql);
    if (!stmt) {
      stmt = this.handle.prepare<unknown[], Row>(sql);
      // the run store keeps one statement per table and row count (up to 32 rows): room for all
      if (this.cache.size > 1000) this.cache.clear();
      this.cache.set(sql, stmt);
    }
    return stmt;
  }

  private allSync(s: Stmt): Row[] {
    return this.prepared(s.sql).all(...s.params.map(sqliteParam));
  }

  private runSync(s: Stmt): number {
    return this.prepared(s.sql).run(...s.params.map(sqliteParam)).changes;
  }
}

/** better-sqlite3 binds no booleans or Dates: store them the way Prisma's adapter does. */
function sqliteParam(value: Param): string | number | null {
  if (value instanceof Date) return sqliteDate(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}

// A commit stamps many rows with the same instant (often distinct Date objects within one
// millisecond): convert each instant once.
let lastDateTime = Number.NaN;
let lastDateText = "";
function sqliteDate(d: Date): string {
  const time = d.getTime();
  if (time !== lastDateTime) {
    lastDateTime = time;
    lastDateText = d.toISOString().replace("Z", "+00:00");
  }
  return lastDateText;
}

// ------------------------------------------------------------------ PostgreSQL, own pool

const TIMESTAMP_OID = 1114;
const INT8_OID = 20;
/** timestamp(3) columns hold UTC (as Prisma writes them); node-postgres would read local time. */
const pgTypes = {
  getTypeParser(oid: number, format?: string) {
    if (oid === TIMESTAMP_OID) return (text: string) => new Date(`${text.replace(" ", "T")}Z`);
    if (oid === INT8_OID) return (text: string) => Number(text);
    return pg.types.getTypeParser(oid, format as "text");
  },
} as unknown as pg.CustomTypesConfig;

function pgParam(value: Param): Param {
  return value instanceof Date ? value.toISOString() : value;
}

/**
 * Named (server-side prepared) statements: PostgreSQL parses and analyses a statement's text once
 * per connection instead of on every execution — the run store sends the same few texts over and
 * over (a commit's CTE, the claim, a lease renewal), and parsing a commit's CTE cost about as
 * much as executing it. At most PREPARED_LIMIT distinct texts, plus PREPARED_BATCHED_LIMIT texts of
 * batched statements, get a name (each connection keeps the ones it has seen); the rest run unnamed. Turned off with SWITCHBOARD_PG_PREPARED=0 (e.g.
 * behind a pooler in transaction mode, which cannot keep prepared statements).
 */
const PREPARED_LIMIT = 400;
/** Texts of batched statements (Stmt.batched) have a budget of their own: they cannot use up the others' names. */
const PREPARED_BATCHED_LIMIT = 100;
const preparedNames = new Map<string, string>();
let preparedBatched = 0;
let preparedOn = true;

/** Turns named statements on or off for the process (lib/db/client.ts reads the environment). */
export function setPgPreparedStatements(on: boolean): void {
  preparedOn = on;
}

function pgQuery(s: Stmt): pg.QueryConfig {
  const text = toPgPlaceholders(s.sql);
  let name = preparedOn ? preparedNames.get(text) : undefined;
  if (
    preparedOn &&
    name === undefined &&
    (s.batched ? preparedBatched < PREPARED_BATCHED_LIMIT : preparedNames.size - preparedBatched < PREPARED_LIMIT)
  ) {
    name = `sb${preparedNames.size}`;
    preparedNames.set(text, name);
    if (s.batched) preparedBatched++;
  }
  return { text, values: s.params.map(pgParam), types: pgTypes, ...(name ? { name } : {}) };
}

class PgDirectBackend implements SqlBackend {
  readonly kind = "pg-direct" as const;
  readonly dialect = "postgresql" as const;
  private readonly pool: pg.Pool;

  constructor(url: string) {
    // `schema` is ours (tables are schema-qualified in the SQL), not a libpq parameter.
    const parsed = new URL(url);
    parsed.searchParams.delete("schema");
    // allowExitOnIdle: a pool nobody closed (e.g. a store per request) never keeps a process alive
    this.pool = new pg.Pool({
      connectionString: parsed.toString(),
      max: 10,
      idleTimeoutMillis: 10_000,
      allowExitOnIdle: true,
    });
    this.pool.on("error", () => {
      // an idle client died (server restart); the pool replaces it on the next query
    });
  }

  async transaction<T>(body: (exec: TxExec) => T | Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const exec: TxExec = {
      all: async (s) => (await client.query(pgQuery(s))).rows,
      run: async (s) => (await client.query(pgQuery(s))).rowCount ?? 0,
    };
    let broken: unknown;
    try {
      await client.query("BEGIN");
      const result = await body(exec);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      try {
        await client.query("ROLLBACK");
      } catch (rollbackError) {
        broken = rollbackError;
      }
      throw error;
    } finally {
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  async all(stmt: Stmt): Promise<Row[]> {
    const r = await this.pool.query(pgQuery(stmt));
    return r.rows;
  }

  async run(stmt: Stmt): Promise<number> {
    const r = await this.pool.query(pgQuery(stmt));
    return r.rowCount ?? 0;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

// ------------------------------------------------------------------ Prisma

class PrismaBackend implements SqlBackend {
  readonly kind = "prisma" as const;
  readonly dialect: "sqlite" | "postgresql";

  constructor(private readonly db: Db) {
    this.dialect = db.provider;
  }

  private sql(s: Stmt): [string, ...Param[]] {
    return this.dialect === "postgresql" ? [toPgPlaceholders(s.sql), ...s.params.map(pgParam)] : [s.sql, ...s.params];
  }

  transaction<T>(body: (exec: TxExec) => T | Promise<T>): Promise<T> {
    return this.db.prisma.$transaction(
      async (tx) =>
        body({
          // async wrappers: Prisma's promises are lazy thenables, not Promise instances
          all: async (s) => tx.$queryRawUnsafe<Row[]>(...this.sql(s)),
          run: async (s) => tx.$executeRawUnsafe(...this.sql(s)),
        }),
      { maxWait: 10_000, timeout: 20_000 },
    );
  }

  async all(stmt: Stmt): Promise<Row[]> {
    return this.db.prisma.$queryRawUnsafe<Row[]>(...this.sql(stmt));
  }

  async run(stmt: Stmt): Promise<number> {
    return this.db.prisma.$executeRawUnsafe(...this.sql(stmt));
  }

  async close(): Promise<void> {}
}
