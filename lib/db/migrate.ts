// Applies prisma/migrations (SQLite) or prisma/postgres/migrations (PostgreSQL) in order.
// The Prisma CLI's native engine cannot be downloaded on our machines, so the runtime applies
// the committed SQL itself, keeping Prisma's `_prisma_migrations` bookkeeping so that
// `prisma migrate deploy` stays interchangeable. Each migration runs in one transaction: a
// failing migration leaves the database exactly as it was and raises MigrationError saying why.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { type DatabaseTarget, projectRoot } from "../env";
import { installJobQueue } from "./jobs";

export class MigrationError extends Error {
  constructor(
    readonly migration: string,
    cause: unknown,
  ) {
    super(
      `Migration ${migration} failed and was rolled back: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
    this.name = "MigrationError";
  }
}

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(provider: DatabaseTarget["provider"], root = projectRoot()): Migration[] {
  const dir = join(root, provider === "sqlite" ? "prisma/migrations" : "prisma/postgres/migrations");
  if (!existsSync(dir)) throw new Error(`No migrations folder at ${dir} (is SWITCHBOARD_ROOT the project folder?)`);
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, "migration.sql")))
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

const SQLITE_BOOKKEEPING = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" ("id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME, "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME, "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`;
const POSTGRES_BOOKKEEPING = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" ("id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`;

export interface MigrateResult {
  applied: string[];
}

const migratedInThisProcess = new Set<string>();

/** Brings the database up to date. Safe to call from several processes at once. */
export async function migrate(
  target: DatabaseTarget,
  migrations = readMigrations(target.provider),
): Promise<MigrateResult> {
  const key = target.provider === "sqlite" ? target.file : target.url;
  if (migratedInThisProcess.has(key)) return { applied: [] };
  const result =
    target.provider === "sqlite" ? migrateSqlite(target.file, migrations) : await migratePostgres(target, migrations);
  // PostgreSQL: the run queue's schema too (graphile-worker's own migrator; lib/db/jobs.ts).
  if (target.provider === "postgresql") await installJobQueue(target);
  migratedInThisProcess.add(key);
  return result;
}

function migrateSqlite(file: string, migrations: Migration[]): MigrateResult {
  const db = new Database(file, { timeout: 5000 });
  try {
    db.pragma("journal_mode = WAL");
    db.exec(SQLITE_BOOKKEEPING);
    const applied: string[] = [];
    for (const m of migrations) {
      // BEGIN IMMEDIATE takes the write lock first, so two starting processes cannot both apply.
      db.exec("BEGIN IMMEDIATE");
      try {
        const done = db
          .prepare(
            `SELECT 1 FROM "_prisma_migrations" WHERE migration_name = ? AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
          )
          .get(m.name);
        if (!done) {
          db.exec(m.sql);
          db.prepare(
            `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, 1)`,
          ).run(randomUUID(), m.checksum, Date.now(), m.name, Date.now());
          applied.push(m.name);
        }
        db.exec("COMMIT");
      } catch (error) {
        db.exec("ROLLBACK");
        throw new MigrationError(m.name, error);
      }
    }
    return { applied };
  } finally {
    db.close();
  }
}

async function migratePostgres(target: Extract<DatabaseTarget, { provider: "postgresql" }>, migrations: Migration[]) {
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    if (target.schema) {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${target.schema.replace(/"/g, "")}"`);
      await client.query(`SET search_path TO "${target.schema.replace(/"/g, "")}"`);
    }
    const applied: string[] = [];
    for (const m of migrations) {
      await client.query("BEGIN");
      try {
        // One migrator at a time across all web servers and workers.
        await client.query("SELECT pg_advisory_xact_lock(727274)");
        await client.query(POSTGRES_BOOKKEEPING);
        const done = await client.query(
          `SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
          [m.name],
        );
        if (done.rowCount === 0) {
          await client.query(m.sql);
          await client.query(
            `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES ($1, $2, now(), $3, now(), 1)`,
            [randomUUID(), m.checksum, m.name],
          );
          applied.push(m.name);
        }
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new MigrationError(m.name, error);
      }
    }
    return { applied };
  } finally {
    await client.end();
  }
}
