// Faster recovery after a crash on the same machine. A run's lease names its executor as
// `<role>:<host>:<pid>` (engine.ts, executorName). When that host is this one and that process
// no longer exists, the executor is certainly dead, so the lease is expired at once instead of
// waiting out its time-to-live (30 s by default): `switchboard recover` right after a crash, or a
// restarted server, carries the run on immediately. The fence still increments on the next
// acquisition, so this never lets two executors write.
import { hostname } from "node:os";
import type { Db } from "../db/client";

export function parseExecutorName(owner: string): { role: string; host: string; pid: number } | null {
  const last = owner.lastIndexOf(":");
  const first = owner.indexOf(":");
  if (first <= 0 || last <= first) return null;
  const pid = Number(owner.slice(last + 1));
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return { role: owner.slice(0, first), host: owner.slice(first + 1, last), pid };
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Expires the leases held by dead processes of this host; returns the runs concerned. */
export async function expireDeadLocalLeases(db: Db, now = new Date()): Promise<string[]> {
  const host = hostname();
  const rows = await db.prisma.run.findMany({
    where: {
      status: { in: ["running", "queued"] },
      leaseOwner: { contains: `:${host}:` },
      leaseUntil: { gte: now },
    },
    select: { id: true, leaseOwner: true, fence: true },
    take: 500,
  });
  const expired: string[] = [];
  for (const row of rows) {
    const parsed = row.leaseOwner ? parseExecutorName(row.leaseOwner) : null;
    if (!parsed || parsed.host !== host || parsed.pid === process.pid || isProcessAlive(parsed.pid)) continue;
    const { count } = await db.prisma.run.updateMany({
      where: { id: row.id, leaseOwner: row.leaseOwner, fence: row.fence },
      data: { leaseUntil: new Date(now.getTime() - 1) },
    });
    if (count === 1) expired.push(row.id);
  }
  return expired;
}
