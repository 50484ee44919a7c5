// Executor heartbeats on PostgreSQL (the ExecutorHeartbeat table): each process that executes
// runs beats every second (lib/runtime/heartbeat.ts), and a lease whose owner's beat is stale is
// taken over at once instead of waited out (lib/runtime/recovery.ts). All times are the database
// server's clock (`now()` in UTC, as Prisma stores timestamps), so hosts' clocks need not agree.
// On SQLite (one machine) the pid check of lib/runtime/recovery.ts is enough: these do nothing.
import type { Db } from "./client";
import { quoteIdent } from "./jobs";

const NOW = `(now() AT TIME ZONE 'UTC')`;

function table(db: Db, name: string): string | null {
  if (db.target.provider !== "postgresql") return null;
  const schema = db.target.schema;
  return schema ? `${quoteIdent(schema)}."${name}"` : `"${name}"`;
}

/** Records that `owner` is alive now. */
export async function beat(db: Db, owner: string): Promise<void> {
  const hb = table(db, "ExecutorHeartbeat");
  if (!hb) return;
  await db.prisma.$executeRawUnsafe(
    `INSERT INTO ${hb} ("owner", "beatAt", "startedAt") VALUES ($1, ${NOW}, ${NOW})
     ON CONFLICT ("owner") DO UPDATE SET "beatAt" = EXCLUDED."beatAt"`,
    owner,
  );
}

/** `owner` stopped cleanly (its leases are given up): forget it. */
export async function removeHeartbeat(db: Db, owner: string): Promise<void> {
  const hb = table(db, "ExecutorHeartbeat");
  if (!hb) return;
  await db.prisma.$executeRawUnsafe(`DELETE FROM ${hb} WHERE "owner" = $1`, owner);
}

/**
 * Expires, fence raised, the live leases of unfinished runs whose owner's last beat is older than
 * `staleMs`: the owner's commits are refused from now on (the fence), and the runs can be taken
 * over at once (the lease is over). Owners that never beat (the CLI, SQLite, older versions) are
 * not touched. Returns the runs concerned. Also forgets beats older than an hour.
 */
export async function expireLeasesOfStaleOwners(db: Db, now: Date, staleMs: number): Promise<string[]> {
  const hb = table(db, "ExecutorHeartbeat");
  const run = table(db, "Run");
  if (!hb || !run) return [];
  const rows = await db.prisma.$queryRawUnsafe<{ id: string }[]>(
    `UPDATE ${run} r SET "leaseUntil" = $1::timestamp(3), "fence" = r."fence" + 1
     FROM ${hb} h
     WHERE h."owner" = r."leaseOwner" AND h."beatAt" < ${NOW} - make_interval(secs => $2)
       AND r."status" IN ('queued', 'running') AND r."leaseUntil" > $1::timestamp(3)
     RETURNING r."id"`,
    new Date(now.getTime() - 1).toISOString(),
    staleMs / 1000,
  );
  await db.prisma.$executeRawUnsafe(`DELETE FROM ${hb} WHERE "beatAt" < ${NOW} - interval '1 hour'`);
  return rows.map((r) => r.id);
}

/** The owners whose beat is fresher than `staleMs` (tests, `switchboard` diagnostics). */
export async function liveOwners(db: Db, staleMs: number): Promise<string[]> {
  const hb = table(db, "ExecutorHeartbeat");
  if (!hb) return [];
  const rows = await db.prisma.$queryRawUnsafe<{ owner: string }[]>(
    `SELECT "owner" FROM ${hb} WHERE "beatAt" >= ${NOW} - make_interval(secs => $1) ORDER BY "owner"`,
    staleMs / 1000,
  );
  return rows.map((r) => r.owner);
}
