// A process that executes runs on PostgreSQL beats every second (lib/db/heartbeats.ts), so that
// its leases can be taken over within seconds when it dies anywhere — also on another machine or
// in another container, where its pid means nothing (lib/runtime/recovery.ts). Stopping cleanly
// removes the beat. A failed beat is retried on the next tick; a process that cannot beat for
// HEARTBEAT_STALE_MS loses its leases (fenced: its later commits are refused), as if it had died.
import type { Db } from "../db/client";
import { beat, removeHeartbeat } from "../db/heartbeats";

/** How often an executor beats. */
export const HEARTBEAT_INTERVAL_MS = 1_000;
/** A beat older than this means the executor is gone: its leases are taken over. */
export const HEARTBEAT_STALE_MS = 6_000;

export interface Heartbeat {
  /** Stops beating and removes the beat (call after the leases are given up). */
  stop(): Promise<void>;
}

/** Starts beating for `owner` (the first beat is written before this resolves); null on SQLite. */
export async function startHeartbeat(
  db: Db,
  owner: string,
  options: { intervalMs?: number; log?: (line: string) => void } = {},
): Promise<Heartbeat | null> {
  if (db.provider !== "postgresql") return null;
  const intervalMs = options.intervalMs ?? HEARTBEAT_INTERVAL_MS;
  let failing = false;
  let inFlight: Promise<void> | null = null;
  const tick = () => {
    if (inFlight) return inFlight;
    inFlight = beat(db, owner)
      .then(
        () => {
          if (failing) options.log?.("[heartbeat] beating again");
          failing = false;
        },
        (error: unknown) => {
          if (!failing)
            options.log?.(`[heartbeat] beat failed: ${error instanceof Error ? error.message : String(error)}`);
          failing = true;
        },
      )
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };
  await tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref?.();
  let stopped: Promise<void> | null = null;
  return {
    stop() {
      stopped ??= (async () => {
        clearInterval(timer);
        await inFlight;
        await removeHeartbeat(db, owner).catch(() => {});
      })();
      return stopped;
    },
  };
}
