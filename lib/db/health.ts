// Readiness of the database for a process's health checks (`/api/health`, a worker's health
// port): reachable, every migration this version ships applied, and on PostgreSQL the run queue's
// schema installed. Cheap enough for a probe every few seconds: two small queries.
import type { Db } from "./client";
import { jobQueueReady } from "./jobs";
import { readMigrations } from "./migrate";

export interface DatabaseHealth {
  reachable: boolean;
  /** Every migration of this version is applied. */
  migrated: boolean;
  /** PostgreSQL: graphile-worker's schema is installed (null on SQLite: no queue there). */
  queue: boolean | null;
  /** What went wrong, in words that name no host or credential. */
  problem: string | null;
}

const expected = new Map<string, string[]>();

function expectedMigrations(provider: Db["provider"]): string[] {
  let names = expected.get(provider);
  if (!names) {
    names = readMigrations(provider).map((m) => m.name);
    expected.set(provider, names);
  }
  return names;
}

export async function databaseHealth(db: Db): Promise<DatabaseHealth> {
  let applied: Set<string>;
  try {
    const rows = await db.prisma.$queryRawUnsafe<{ migration_name: string }[]>(
      `SELECT "migration_name" FROM ${migrationsTable(db)} WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`,
    );
    applied = new Set(rows.map((r) => r.migration_name));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const missingTable = /_prisma_migrations/.test(message) && /(does not exist|no such table)/.test(message);
    return {
      reachable: missingTable,
      migrated: false,
      queue: null,
      problem: missingTable ? "the database has no migrations applied" : "the database is unreachable",
    };
  }
  const missing = expectedMigrations(db.provider).filter((name) => !applied.has(name));
  const queue = db.provider === "postgresql" ? await jobQueueReady(db) : null;
  const problem = missing.length
    ? `${missing.length} migration(s) not applied (first: ${missing[0]})`
    : queue === false
      ? "the run queue's schema is not installed"
      : null;
  return { reachable: true, migrated: missing.length === 0, queue, problem };
}

/** Whether the database is ready for this version: reachable, migrated, and (PostgreSQL) the queue installed. */
export function isReady(h: DatabaseHealth): boolean {
  return h.reachable && h.migrated && h.queue !== false;
}

function migrationsTable(db: Db): string {
  const schema = db.target.provider === "postgresql" ? db.target.schema : undefined;
  return schema ? `"${schema.replace(/"/g, "")}"."_prisma_migrations"` : `"_prisma_migrations"`;
}
