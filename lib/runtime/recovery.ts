// Faster recovery after a crash on the same machine. A run's lease names its executor as
// `<role>:<host>:<pid>` (engine.ts, executorName). When that host is this one and that process
// no longer exists, the executor is certainly dead, so its lease need not be waited out (30 s
// by default): the engine takes such a run over when it resumes it or a decision carries it on
// (`isLocalExecutorGone`, the engine's `executorGone`), and `expireDeadLocalLeases` expires
// those leases so that `switchboard recover`, a restarted server or a worker's claim loop finds
// the runs at once. The fence still increments on the next acquisition, so this never lets two
// executors write.
//
// Elsewhere (another container: another host name, so no pid to check) PostgreSQL executors beat
// (lib/runtime/heartbeat.ts) and `expireDeadExecutorLeases` also expires, fence raised, the leases
// of executors whose beat is stale.
import { hostname } from "node:os";
import type { Db } from "../db/client";
import { expireLeasesOfStaleOwners } from "../db/heartbeats";
import { expireLease, liveLeasesOnHost } from "../db/runs";
import { HEARTBEAT_STALE_MS } from "./heartbeat";

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

/** True when `owner` names a process of this host (not this one) that no longer exists. */
export function isLocalExecutorGone(owner: string): boolean {
  const parsed = parseExecutorName(owner);
  return parsed !== null && parsed.host === hostname() && parsed.pid !== process.pid && !isProcessAlive(parsed.pid);
}

/** Expires the leases held by dead processes of this host; returns the runs concerned. */
export async function expireDeadLocalLeases(db: Db, now = new Date()): Promise<string[]> {
  const host = hostname();
  const rows = await liveLeasesOnHost(db, host, now);
  const expired: string[] = [];
  for (const row of rows) {
    if (!row.leaseOwner || !isLocalExecutorGone(row.leaseOwner)) continue;
    if (await expireLease(db, row, now)) expired.push(row.id);
  }
  return expired;
}

/**
 * Expires the leases of executors that are gone: dead processes of this host (pid check) and, on
 * PostgreSQL, executors anywhere whose heartbeat is older than `staleMs` (fence raised). Returns
 * the runs concerned (the worker's sweep queues them, the runner's recovery carries them on).
 */
export async function expireDeadExecutorLeases(
  db: Db,
  now = new Date(),
  staleMs = HEARTBEAT_STALE_MS,
): Promise<string[]> {
  const local = await expireDeadLocalLeases(db, now);
  const stale = db.provider === "postgresql" ? await expireLeasesOfStaleOwners(db, now, staleMs) : [];
  return [...new Set([...local, ...stale])];
}
