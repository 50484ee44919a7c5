// The only place that constructs a Prisma client. A process opens its database once, in its
// composition root (lib/host.ts, through bootstrap()); everything else is handed that Db.
// SQLite (embedded default) and PostgreSQL share one data model: prisma/schema.prisma is
// the source, prisma/postgres/schema.prisma is derived from it, and each has its own
// generated client. Their APIs are identical, so callers see the SQLite client's type.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
// Installs the connection hook the run store's fast SQLite path needs (see sqlite-direct.ts).
import "./sqlite-direct";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { type DatabaseTarget, databaseTarget } from "../env";
import { prepareSqliteFile } from "./file-modes";
import { PrismaClient as PostgresClient } from "./generated/postgres/client";
import { PrismaClient as SqliteClient } from "./generated/sqlite/client";
import { migrate } from "./migrate";

export type PrismaClient = SqliteClient;
export type Provider = DatabaseTarget["provider"];

export interface Db {
  prisma: PrismaClient;
  provider: Provider;
  target: DatabaseTarget;
  close(): Promise<void>;
}

/** SQLite busy timeout: concurrent writers wait this long instead of failing "database is locked". */
const SQLITE_BUSY_TIMEOUT_MS = 5000;

export function createPrisma(target: DatabaseTarget): PrismaClient {
  if (target.provider === "sqlite") {
    mkdirSync(dirname(target.file), { recursive: true });
    const adapter = new PrismaBetterSqlite3({ url: target.file, timeout: SQLITE_BUSY_TIMEOUT_MS });
    return new SqliteClient({ adapter, transactionOptions: { maxWait: 10_000 } });
  }
  const adapter = new PrismaPg({ connectionString: target.url }, target.schema ? { schema: target.schema } : undefined);
  // A burst of transactions (audited actions append to one chain, serialised by its head's lock)
  // queues for the pool's few connections; Prisma's default of 2 s to get one failed such bursts
  // on a busy two-core machine with "Unable to start a transaction in the given time".
  return new PostgresClient({ adapter, transactionOptions: { maxWait: 10_000 } }) as unknown as PrismaClient;
}

/** Opens a database, migrating it first (every entry point goes through here). */
export async function openDb(target: DatabaseTarget = databaseTarget()): Promise<Db> {
  // A fresh data directory: the SQLite file's folder must exist before the migrator opens it, and
  // the file is created (or tightened to) mode 0600 first; its -wal/-shm files inherit that mode.
  if (target.provider === "sqlite") prepareSqliteFile(target.file);
  await migrate(target);
  const prisma = createPrisma(target);
  if (target.provider === "sqlite") {
    // Per-connection pragmas; WAL itself is persistent and set by migrate().
    await prisma.$queryRawUnsafe("PRAGMA synchronous = NORMAL");
    await prisma.$queryRawUnsafe("PRAGMA foreign_keys = ON");
    // Performance only (durability is unchanged: every commit still goes to the WAL as before).
    // A 64 MB page cache instead of 2 MB keeps the hot index pages of Run/Step/RunEvent in
    // memory; checkpointing every 4,000 WAL pages instead of 1,000 copies a page that several
    // commits changed to the database file once instead of several times (docs/benchmarks.md).
    await prisma.$queryRawUnsafe("PRAGMA cache_size = -65536");
    await prisma.$queryRawUnsafe("PRAGMA wal_autocheckpoint = 4000");
    // Statement journals and sorter spills in memory: otherwise SQLite creates (and unlinks) a
    // file under /var/tmp about once per run's commits, a few filesystem calls each time.
    await prisma.$queryRawUnsafe("PRAGMA temp_store = MEMORY");
  }
  return { prisma, provider: target.provider, target, close: () => prisma.$disconnect() };
}
