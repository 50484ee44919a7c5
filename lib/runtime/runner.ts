// The process-level loops every long-running process starts through its host (lib/host.ts: the
// web server, `switchboard worker`): on start, carry on the runs a crash left behind; then, on
// timers, fail runs stuck past their deadline (reaper), apply onTimeout to approvals past theirs
// (sweeper), and pick up runs nobody is carrying on (decided approvals, expired leases). All of
// it goes through the engine, whose leases make it safe for several processes to do the same.
// Maintenance (its own timer, so a long prune never holds up the reaper): roll ended runs up
// for the dashboard (lib/db/rollup.ts) every few seconds, and prune old runs per workspace
// retention setting (lib/db/retention.ts) about daily, the first time shortly after start, and
// delete Idempotency-Key rows older than their retention (24 h, lib/db/idempotency.ts) and closed
// webhook test windows (lib/db/webhook-tests.ts) and ended session records (lib/db/sessions.ts) hourly.
// Both are idempotent and safe when several processes do them at once.
import type { Db } from "../db/client";
import { IDEMPOTENCY_RETENTION_MS, pruneIdempotencyKeys } from "../db/idempotency";
import { type PruneResult, pruneAllWorkspaces } from "../db/retention";
import { type RollupResult, rollUpFinishedRuns } from "../db/rollup";
import { pruneUserSessions } from "../db/sessions";
import { pruneWebhookTestWindows } from "../db/webhook-tests";
import type { RunResult } from "../engine/types";
import type { Runtime } from "./engine";
import { expireDeadExecutorLeases } from "./recovery";

export interface RunnerOptions {
  /** Carry on interrupted runs once at start (default true). */
  recoverOnStart?: boolean;
  /** Reaper + approval deadline sweep interval (default 5 s; 0 turns the timer off). */
  sweepIntervalMs?: number;
  /** Periodic recovery interval (default 10 s; 0 off: e.g. web servers when workers execute runs). */
  recoverIntervalMs?: number;
  /** Most recovered runs executed at once by this process (default 8); the rest wait for the next round. */
  maxConcurrentRecoveries?: number;
  /** Maintenance tick: dashboard rollup + retention check (default: the sweep interval; 0 off). */
  maintenanceIntervalMs?: number;
  /** Retention pruning: first run this long after start (default 5 min), then every `retentionEveryMs` (default 24 h). */
  retentionFirstDelayMs?: number;
  retentionEveryMs?: number;
  /** Idempotency-Key pruning: first this long after start (default 1 min), then every `idempotencyEveryMs` (default 1 h). */
  idempotencyFirstDelayMs?: number;
  idempotencyEveryMs?: number;
  /** The clock of the maintenance schedule (tests). */
  now?: () => Date;
  /** Replace the maintenance jobs (tests). */
  rollUp?: (db: Db) => Promise<RollupResult>;
  prune?: (db: Db, now: Date) => Promise<PruneResult[]>;
  log?: (line: string) => void;
}

export interface MaintenanceResult {
  rolledUp: number;
  /** null when retention was not due */
  pruned: PruneResult[] | null;
  /** Idempotency-Key rows older than IDEMPOTENCY_RETENTION_MS deleted; absent when that was not due */
  idempotencyKeysPruned?: number;
}

/**
 * When an interval job is due: the first time `firstDelayMs` after `startMs`, then `everyMs`
 * after the previous run STARTED (a failed run counts: it is retried at the next interval, not
 * on every tick). Pure, for the runner and its tests.
 */
export function intervalSchedule(startMs: number, firstDelayMs: number, everyMs: number) {
  let next = startMs + firstDelayMs;
  return {
    due: (nowMs: number) => nowMs >= next,
    ran(nowMs: number) {
      next = nowMs + everyMs;
    },
    get nextAt() {
      return next;
    },
  };
}

export interface SweepResult {
  /** Runs this sweep started carrying on (they execute in the background; see `idle()`). */
  recovering: string[];
  reaped: RunResult[];
  expired: RunResult[];
}

export interface Runner {
  /** Resolves with the runs the start-up recovery carried on, once they paused or ended. */
  readonly ready: Promise<RunResult[]>;
  /** Resolves when every recovery this runner started has paused or ended. */
  idle(): Promise<RunResult[]>;
  /** One sweep now (tests). */
  sweep(options?: { recover?: boolean }): Promise<SweepResult>;
  /** One maintenance tick now: rollup, then retention if due (tests). */
  maintain(): Promise<MaintenanceResult>;
  /** Stops the timers and waits for a sweep in progress (recovered runs keep executing until the engine shuts down). */
  stop(): Promise<void>;
}

export function startRunner(runtime: Runtime, options: RunnerOptions = {}): Runner {
  const { engine, store } = runtime;
  const log = options.log ?? (() => {});
  const sweepEvery = options.sweepIntervalMs ?? 5000;
  const recoverEvery = options.recoverIntervalMs ?? 10_000;
  const maxConcurrent = options.maxConcurrentRecoveries ?? 8;
  const maintainEvery = options.maintenanceIntervalMs ?? sweepEvery;
  const now = options.now ?? (() => new Date());
  const rollUp = options.rollUp ?? ((db: Db) => rollUpFinishedRuns(db, { maxBatches: 20 }));
  const prune = options.prune ?? ((db: Db, at: Date) => pruneAllWorkspaces(db, at));
  const retention = intervalSchedule(
    now().getTime(),
    options.retentionFirstDelayMs ?? 5 * 60_000,
    options.retentionEveryMs ?? 24 * 3_600_000,
  );
  const idempotency = intervalSchedule(
    now().getTime(),
    options.idempotencyFirstDelayMs ?? 60_000,
    options.idempotencyEveryMs ?? 3_600_000,
  );
  const inFlight = new Map<string, Promise<RunResult | null>>();
  const timers: ReturnType<typeof setInterval>[] = [];
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();

  /** One sweep at a time per runner. */
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = current.then(fn, fn);
    current = next.catch(() => {});
    return next;
  }

  async function guarded<T>(name: string, fallback: T, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      log(`[runner] ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      return fallback;
    }
  }

  /**
   * Recovered runs execute in the background (a long run must not hold up the reaper), at most
   * `maxConcurrent` at a time; the engine's lease makes a run another process carries on a no-op.
   */
  async function dispatchRecoveries(): Promise<Promise<RunResult | null>[]> {
    const free = maxConcurrent - inFlight.size;
    if (free <= 0) return [];
    const ids = (await store.findRunsToRecover(new Date(), free + inFlight.size)).filter((id) => !inFlight.has(id));
    return ids.slice(0, free).map((id) => {
      const done = engine
        .runUntilPauseOrEnd(id)
        .then((r) => {
          log(`[runner] carried on run ${id}: ${r.status}`);
          return r;
        })
        .catch((error: unknown) => {
          log(`[runner] carrying on run ${id} failed: ${error instanceof Error ? error.message : String(error)}`);
          return null;
        })
        .finally(() => inFlight.delete(id));
      inFlight.set(id, done);
      return done;
    });
  }

  const settled = async (ps: Promise<RunResult | null>[]) =>
    (await Promise.all(ps)).filter((r): r is RunResult => r !== null);

  async function sweep({ recover = true } = {}): Promise<SweepResult> {
    const reaped = await guarded("reaper", [], () => engine.reap());
    for (const r of reaped) log(`[runner] reaped run ${r.runId}: ${r.status}`);
    const expired = await guarded("approval deadlines", [], () => engine.expireApprovals());
    for (const r of expired) log(`[runner] approval deadline passed, run ${r.runId}: ${r.status}`);
    const before = new Set(inFlight.keys());
    if (recover) await guarded("recovery", [], dispatchRecoveries);
    return { recovering: [...inFlight.keys()].filter((id) => !before.has(id)), reaped, expired };
  }

  let maintaining: Promise<MaintenanceResult> | null = null;
  function maintain(): Promise<MaintenanceResult> {
    maintaining ??= (async () => {
      const rolled = await guarded("dashboard rollup", { runs: 0, batches: 0 }, () => rollUp(runtime.db));
      let pruned: PruneResult[] | null = null;
      const at = now();
      if (retention.due(at.getTime())) {
        retention.ran(at.getTime());
        pruned = await guarded("retention", [], () => prune(runtime.db, at));
        const deleted = pruned.reduce((a, p) => a + p.runsDeleted, 0);
        if (deleted) log(`[runner] retention pruned ${deleted} run(s) in ${pruned.length} workspace(s)`);
      }
      if (!idempotency.due(at.getTime())) return { rolledUp: rolled.runs, pruned };
      idempotency.ran(at.getTime());
      const keys = await guarded("idempotency keys", 0, () =>
        pruneIdempotencyKeys(runtime.db, new Date(at.getTime() - IDEMPOTENCY_RETENTION_MS)),
      );
      if (keys) log(`[runner] deleted ${keys} Idempotency-Key(s) older than 24 h`);
      // webhook test URLs whose two-minute window closed more than an hour ago
      await guarded("webhook test windows", 0, () =>
        pruneWebhookTestWindows(runtime.db, new Date(at.getTime() - 3_600_000)),
      );
      // session records expired or revoked more than a day ago (lib/db/sessions.ts)
      await guarded("session records", 0, () => pruneUserSessions(runtime.db, at));
      return { rolledUp: rolled.runs, pruned, idempotencyKeysPruned: keys };
    })().finally(() => {
      maintaining = null;
    });
    return maintaining;
  }

  const ready =
    options.recoverOnStart === false
      ? Promise.resolve([])
      : serial(async () => {
          // A restart on the same machine: the previous process's leases need not be waited out.
          const taken = await guarded("dead-executor takeover", [], () => expireDeadExecutorLeases(runtime.db));
          if (taken.length) log(`[runner] took over ${taken.length} run(s) of an executor that is gone`);
          return guarded("start-up recovery", [], dispatchRecoveries);
        }).then((started) => {
          if (started.length) log(`[runner] carrying on ${started.length} interrupted run(s)`);
          return settled(started);
        });

  if (sweepEvery > 0) {
    const t = setInterval(() => {
      if (!stopped) void serial(() => sweep({ recover: false }));
    }, sweepEvery);
    t.unref?.();
    timers.push(t);
  }
  if (recoverEvery > 0) {
    const t = setInterval(() => {
      if (!stopped)
        void serial(async () => {
          // a process of this host that died since (a killed CLI run, worker or server): at once
          await guarded("dead-executor takeover", [], () => expireDeadExecutorLeases(runtime.db));
          return guarded("recovery", [], dispatchRecoveries);
        });
    }, recoverEvery);
    t.unref?.();
    timers.push(t);
  }

  if (maintainEvery > 0) {
    const t = setInterval(() => {
      if (!stopped && !maintaining) void maintain();
    }, maintainEvery);
    t.unref?.();
    timers.push(t);
  }

  return {
    ready,
    idle: () => settled([...inFlight.values()]),
    sweep: (o) => serial(() => sweep(o)),
    maintain,
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      await current;
      await maintaining;
    },
  };
}
