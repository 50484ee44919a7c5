// `switchboard worker`: a process that executes queued runs from the shared database, so several
// workers and web servers can share one PostgreSQL database (see docs/cli.md, "Scale-out").
//
// Loop: claim up to `concurrency − active` runnable runs (oldest first; queued, or running with
// an expired lease) in one statement that also takes their leases (lib/db/run-queue.ts), hand each
// lease to the engine and execute the run until it pauses or ends. Wake-ups come from NOTIFY
// (a run was queued or an approval decided) and from a poll as the fallback. The engine's fence
// makes "exactly once" hold even when a lease expires under a slow worker: the late commit is
// refused and the run continues in the worker that holds the newer lease.
import type { Db } from "../db/client";
import { claimRuns, listenForQueuedRuns } from "../db/run-queue";
import { PrismaRunStore } from "../db/run-store";
import type { RunResult } from "../engine/types";
import { createRuntime, type Runtime, type RuntimeOptions } from "../runtime/engine";
import { type Runner, startRunner } from "../runtime/runner";
import { startRunTelemetryFromEnv } from "../telemetry/export";
import { HandoffStore } from "./handoff-store";

export interface WorkerOptions {
  /** Runs executed at once (default 4). */
  concurrency?: number;
  /** Poll interval when no NOTIFY arrives (default 1000 ms). */
  pollMs?: number;
  leaseTtlMs?: number;
  owner?: string;
  /** Also run the reaper and the approval-deadline sweeper (default true). */
  sweeps?: boolean;
  log?: (line: string) => void;
  /** Extra runtime options (tests: a slow model gateway). */
  runtime?: Omit<RuntimeOptions, "store" | "owner" | "leaseTtlMs" | "role">;
  /** Called after each run this worker executed paused or ended. */
  onRun?: (result: RunResult) => void;
}

export interface Worker {
  readonly owner: string;
  readonly runtime: Runtime;
  /** Runs this worker has carried to a pause or an end so far. */
  readonly executed: number;
  /** Claims now instead of waiting for the next wake-up. */
  wake(): void;
  /** Stops claiming, lets running runs pause at their next commit (they stay recoverable), closes. */
  stop(): Promise<void>;
  /** Resolves when the worker has stopped. */
  readonly stopped: Promise<void>;
}

export async function startWorker(db: Db, options: WorkerOptions = {}): Promise<Worker> {
  const log = options.log ?? (() => {});
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const pollMs = options.pollMs ?? 1000;
  const leaseTtlMs = options.leaseTtlMs ?? 30_000;
  const inner = new PrismaRunStore(db);
  const store = new HandoffStore(inner);
  const runtime = createRuntime(db, {
    ...options.runtime,
    role: "worker",
    owner: options.owner,
    leaseTtlMs,
    store,
  });
  const owner = runtime.owner;
  // OpenTelemetry export of the runs this worker finishes, when OTEL_EXPORTER_OTLP_ENDPOINT is set.
  const telemetry = startRunTelemetryFromEnv(db, runtime.notifier);
  const runner: Runner | null =
    options.sweeps === false ? null : startRunner(runtime, { recoverOnStart: false, recoverIntervalMs: 0, log });

  const active = new Map<string, Promise<void>>();
  let executed = 0;
  let stopping = false;
  let wakeUp: (() => void) | null = null;
  let woken = false;
  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  const stopListening = await listenForQueuedRuns(db, wake);

  const execute = (runId: string) => {
    const done = runtime.engine
      .runUntilPauseOrEnd(runId)
      .then((result) => {
        executed++;
        options.onRun?.(result);
      })
      .catch((error: unknown) => {
        log(`[worker] run ${runId} stopped: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(async () => {
        // A lease the engine never took (the run was already executing here): give it back.
        const unused = store.reclaim(runId);
        if (unused) await inner.releaseLease(unused).catch(() => {});
        active.delete(runId);
        wake();
      });
    active.set(runId, done);
  };

  async function loop() {
    while (!stopping) {
      const free = concurrency - active.size;
      let claimed = 0;
      if (free > 0) {
        try {
          woken = false;
          const leases = await claimRuns(db, { owner, ttlMs: leaseTtlMs, now: new Date(), limit: free });
          claimed = leases.length;
          for (const lease of leases) {
            store.adopt(lease);
            execute(lease.runId);
          }
        } catch (error) {
          log(`[worker] claim failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      // More may be waiting when every free slot was filled; otherwise sleep until woken.
      if (claimed > 0 && claimed === free && concurrency - active.size > 0) continue;
      if (woken && concurrency - active.size > 0) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, pollMs);
        wakeUp = () => {
          clearTimeout(t);
          wakeUp = null;
          resolve();
        };
      });
    }
  }

  log(`[worker] ${owner} started (${db.provider}, concurrency ${concurrency})`);
  const looping = loop();
  let stopPromise: Promise<void> | null = null;
  const stop = () => {
    stopPromise ??= (async () => {
      stopping = true;
      wakeUp?.();
      await looping;
      await stopListening();
      await runner?.stop();
      await runtime.engine.shutdown();
      await Promise.allSettled([...active.values()]);
      await telemetry?.stop();
      await inner.close();
      log(`[worker] ${owner} stopped after ${executed} run(s)`);
    })();
    return stopPromise;
  };
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => {
    resolveStopped = r;
  });

  return {
    owner,
    runtime,
    get executed() {
      return executed;
    },
    wake,
    stop: () => stop().then(resolveStopped),
    stopped,
  };
}
