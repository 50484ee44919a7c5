/**
 * Writes a SQLite database's write-ahead log out to disk in the background, between checkpoints.
 *
 * Why: with `synchronous = NORMAL`, a commit only copies its pages into the WAL in the OS page
 * cache; the disk flush comes at the automatic checkpoint, which fsyncs everything written to the
 * WAL since the previous one (~16 MB at `wal_autocheckpoint = 4000`) on the thread that happened
 * to commit. On our 2-core machines that fsync took ~50 ms once every ~285 step commits, ~160 µs
 * per commit. An `fdatasync` of the same file on libuv's thread pool every few dozen commits
 * writes those pages while the main thread goes on, so the checkpoint's own fsync finds little
 * left to write (checkpoints measured ~10–15 ms instead; docs/benchmarks.md).
 *
 * Durability is unchanged: a commit is on disk for certain after the next checkpoint, as before;
 * this only moves when its pages get there. SQLite may delete or truncate the -wal file (the last
 * connection closing, a TRUNCATE checkpoint), so the file is opened for each flush and a missing
 * one is skipped. A flush that fails changes nothing: the checkpoint's own fsync still runs.
 */
import { open } from "node:fs/promises";

export interface WalFlusher {
  /** Called after each COMMIT on the connection. */
  committed(): void;
  /** Flushes started and finished so far (for tests and diagnostics). */
  readonly flushes: number;
  /** Stops flushing; resolves once no flush is in flight. */
  close(): Promise<void>;
}

/** Commits between two background flushes: ~3 MB of WAL at a step commit's ~12 pages. */
export const COMMITS_PER_FLUSH = 64;

export function createWalFlusher(walPath: string, commitsPerFlush = COMMITS_PER_FLUSH): WalFlusher {
  let sinceFlush = 0;
  let inFlight: Promise<void> | null = null;
  let closed = false;
  let flushes = 0;
  const flush = async () => {
    const file = await open(walPath, "r").catch(() => null);
    if (!file) return;
    try {
      await file.datasync();
      flushes++;
    } catch {
      // see above: the checkpoint still syncs
    } finally {
      await file.close().catch(() => {});
    }
  };
  return {
    committed() {
      // at most one in flight; commits made meanwhile count towards the next one
      if (closed || ++sinceFlush < commitsPerFlush || inFlight) return;
      sinceFlush = 0;
      inFlight = flush().finally(() => {
        inFlight = null;
      });
    },
    get flushes() {
      return flushes;
    },
    async close() {
      closed = true;
      await inFlight;
    },
  };
}
