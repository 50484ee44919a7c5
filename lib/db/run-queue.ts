// The run queue is the Run table itself: a run is claimable when it is `queued` (new, or carried
// on after an approval decision) or `running` with an expired lease (its executor died). A claim
// takes the run's lease in the same statement (fence + 1), so claiming IS lease acquisition and
// there is no second bookkeeping (job rows) that could disagree with the run's state.
//
// PostgreSQL: candidates are picked with FOR UPDATE SKIP LOCKED, so concurrent workers never
// wait on each other and never claim the same run; new work is announced with NOTIFY on
// `switchboard_runs` (sent by the run store inside the transaction that queues the run), with a
// poll as the fallback. SQLite (one host): the same UPDATE without SKIP LOCKED — SQLite runs one
// writer at a time anyway.
import pg from "pg";
import type { Lease } from "../engine/ports";
import type { Db } from "./client";

export const RUN_QUEUE_CHANNEL = "switchboard_runs";

function table(db: Db, name: string): string {
  const schema = db.target.provider === "postgresql" ? db.target.schema : undefined;
  return schema ? `"${schema.replace(/"/g, "")}"."${name}"` : `"${name}"`;
}

export interface ClaimOptions {
  owner: string;
  ttlMs: number;
  now: Date;
  limit: number;
}

/** Claims up to `limit` runnable runs, oldest first, taking their leases. */
export async function claimRuns(db: Db, options: ClaimOptions): Promise<Lease[]> {
  const run = table(db, "Run");
  const until = new Date(options.now.getTime() + options.ttlMs);
  const free = `"status" IN ('queued', 'running') AND ("leaseOwner" IS NULL OR "leaseUntil" IS NULL OR "leaseUntil" < $3)`;
  if (db.provider === "postgresql") {
    const rows = await db.prisma.$queryRawUnsafe<{ id: string; fence: number }[]>(
      `UPDATE ${run} SET "leaseOwner" = $1, "leaseUntil" = $2, "fence" = "fence" + 1
       WHERE "id" IN (SELECT "id" FROM ${run} WHERE ${free} ORDER BY "createdAt" LIMIT $4 FOR UPDATE SKIP LOCKED)
       RETURNING "id", "fence"`,
      options.owner,
      until.toISOString(),
      options.now.toISOString(),
      options.limit,
    );
    return rows.map((r) => ({ runId: r.id, owner: options.owner, fence: Number(r.fence) }));
  }
  const rows = await db.prisma.$queryRawUnsafe<{ id: string; fence: number | bigint }[]>(
    `UPDATE ${run} SET "leaseOwner" = ?, "leaseUntil" = ?, "fence" = "fence" + 1
     WHERE "id" IN (SELECT "id" FROM ${run} WHERE ${free.replace("$3", "?")} ORDER BY "createdAt" LIMIT ?)
     RETURNING "id", "fence"`,
    options.owner,
    until,
    options.now,
    options.limit,
  );
  return rows.map((r) => ({ runId: r.id, owner: options.owner, fence: Number(r.fence) }));
}

/** Counts runs waiting to be claimed (for the worker's log and health output). */
export async function countClaimable(db: Db, now: Date): Promise<number> {
  return db.prisma.run.count({
    where: {
      status: { in: ["queued", "running"] },
      OR: [{ leaseOwner: null }, { leaseUntil: null }, { leaseUntil: { lt: now } }],
    },
  });
}

/** Announces runnable work to listening workers (PostgreSQL; a no-op on SQLite). */
export async function notifyRunQueued(db: Db, runId: string): Promise<void> {
  if (db.provider !== "postgresql") return;
  await db.prisma.$executeRawUnsafe(`SELECT pg_notify('${RUN_QUEUE_CHANNEL}', $1)`, runId);
}

/**
 * Calls `onWake` whenever a run is announced on the queue channel (PostgreSQL). Returns the stop
 * function. On SQLite there is nothing to listen to: workers poll.
 */
export async function listenForQueuedRuns(db: Db, onWake: (runId: string) => void): Promise<() => Promise<void>> {
  if (db.target.provider !== "postgresql") return async () => {};
  const url = new URL(db.target.url);
  url.searchParams.delete("schema");
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | null = null;
  const connect = async () => {
    if (stopped) return;
    const c = new pg.Client({ connectionString: url.toString() });
    c.on("notification", (msg) => {
      if (msg.channel === RUN_QUEUE_CHANNEL) onWake(msg.payload ?? "");
    });
    c.on("error", () => {
      // connection lost: reconnect in a second; polling covers the gap
      client = null;
      c.end().catch(() => {});
      if (!stopped) retry = setTimeout(() => void connect().catch(() => {}), 1000);
    });
    await c.connect();
    await c.query(`LISTEN ${RUN_QUEUE_CHANNEL}`);
    client = c;
  };
  await connect();
  return async () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    const c = client;
    client = null;
    if (c) await c.end().catch(() => {});
  };
}
