// `switchboard worker`: a process that executes runs, so web servers only serve (docs/deploy.md).
//
// PostgreSQL: the runs come from the run queue, graphile-worker (lib/db/jobs.ts). Each job names
// a run; the worker carries it on with the engine, whose lease (fence + 1) makes it the run's only
// executor and whose commits are fenced, exactly as anywhere else. A job whose run is finished or
// held by a live executor completes without doing anything; an unexpected failure lets
// graphile-worker retry the job with its backoff. graphile-worker frees a dead worker's jobs only
// after 4 hours, so every worker also sweeps (at start, then every few seconds): it expires the
// leases of dead processes of its host and, fence raised, those of executors anywhere whose
// heartbeat is stale (lib/runtime/recovery.ts; every worker beats every second, lib/runtime/
// heartbeat.ts, so a worker killed in another container loses its leases within seconds, not
// their 30 s) and adds a job for every run that
// needs an executor and has none a worker could take — a run whose worker was killed, one queued
// by a process that did not enqueue (inline web servers, the CLI). Plus the reaper and the
// approval-deadline sweeper (lib/runtime/runner.ts) unless `sweeps: false`.
//
// SQLite (one machine, no queue): the worker polls for runs to carry on (queued, or running with
// an expired lease) and executes them; leases keep two workers from executing the same run.
//
// Stopping (SIGTERM; `stop()`): no new jobs; the runs in progress get `graceMs` to pause or end;
// the rest are abandoned — their leases given up in a final commit that also queues their jobs
// again, so another worker carries them on at once (steps in flight run again with the same
// idempotency key). Then the process exits.

import { type Runner as GraphileRunner, run as runGraphileWorker, type Task } from "graphile-worker";
import { isFencedError } from "@/lib/contracts/errors";
import type { Lease, RunStore } from "@/lib/contracts/ports";
import type { Db } from "../db/client";
import { databaseHealth, isReady } from "../db/health";
import {
  deleteSupersededJobs,
  enqueueRuns,
  findRunsWithoutJob,
  graphileLogger,
  jobQueuePool,
  jobsSchemaOf,
  RUN_TASK,
} from "../db/jobs";
import type { PrismaRunStore } from "../db/run-store";
import { isStatementError } from "../db/run-store/commit";
import type { RunResult } from "../engine/types";
import { createHost, type Host, type HostOptions } from "../host";
import { expireDeadExecutorLeases } from "../runtime/recovery";
import { switchboardMetrics } from "../telemetry/metrics";
import { type HealthServer, startHealthServer } from "./health";

export interface WorkerOptions {
  /** Runs executed at once (default 4). */
  concurrency?: number;
  /** How often the queue is polled when no notification arrives, and the SQLite poll (default 1000 ms). */
  pollMs?: number;
  /** The recovery sweep's interval (default 5 × pollMs, at least 1 s and at most 5 s). */
  sweepMs?: number;
  leaseTtlMs?: number;
  owner?: string;
  /** Also run the reaper, the approval-deadline sweeper and maintenance (default true). */
  sweeps?: boolean;
  /** On stop, how long runs in progress may go on before they are handed back to the queue (default 10 s). */
  graceMs?: number;
  /** Serve /live, /ready, /health and /metrics on this port (0: any free port). */
  healthPort?: number;
  log?: (line: string) => void;
  /** Extra host options (tests: a slow model gateway). */
  host?: Pick<HostOptions, "env" | "clock" | "models" | "runtime">;
  /** Called after each run this worker executed paused or ended. */
  onRun?: (result: RunResult) => void;
}

export interface Worker {
  readonly owner: string;
  /** The worker's host: its engine, runner and telemetry. */
  readonly host: Host;
  /** Runs this worker has carried to a pause or an end so far (not jobs it found nothing to do for). */
  readonly executed: number;
  /** The health server's port, when one was asked for. */
  readonly healthPort: number | null;
  /** Looks for work now instead of at the next poll. */
  wake(): void;
  /** Stops taking runs, gives runs in progress `graceMs` to pause or end, hands the rest back, closes. */
  stop(): Promise<void>;
  /** Resolves when the worker has stopped. */
  readonly stopped: Promise<void>;
  /** Why the worker stopped on its own (the job queue failed), or null. */
  readonly failure: unknown;
}

type Claim = NonNullable<Awaited<ReturnType<PrismaRunStore["claimRun"]>>>;

/**
 * The worker's view of the run store. It notes which runs this process's engine took the lease
 * of (so a job knows whether it executed its run), and hands the engine what a job's claim
 * (PrismaRunStore.claimRun: the lease, the run and whether it has steps or approvals, in one
 * statement) already read: the engine's next `acquireLease`, `loadRun`, `listSteps` and
 * `listApprovals` of that run are answered from the claim, once each, instead of four round trips.
 */
class WorkerStore implements RunStore {
  readonly took = new Set<string>();
  private readonly claims = new Map<string, Claim & { leaseUsed?: boolean; runUsed?: boolean }>();
  constructor(
    private readonly inner: RunStore,
    private readonly own: PrismaRunStore,
  ) {}

  /**
   * Claims the run for `owner` (PostgreSQL); false when it is finished or held by someone else.
   * The claims asked for during one event-loop turn (graphile-worker hands a fetched batch of jobs
   * out together) go out on the next as ONE statement (PrismaRunStore.claimRuns); a run asked for
   * twice in one batch is claimed once (the second ask gets false, as its own claim would).
   */
  claim(runId: string, owner: string, ttlMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.pendingClaims.push({ runId, owner, ttlMs, resolve, reject });
      if (this.pendingClaims.length === 1) setImmediate(() => void this.flushClaims());
    });
  }

  private pendingClaims: {
    runId: string;
    owner: string;
    ttlMs: number;
    resolve: (claimed: boolean) => void;
    reject: (error: unknown) => void;
  }[] = [];

  private async flushClaims(): Promise<void> {
    const asked = this.pendingClaims.splice(0);
    // one statement per (owner, ttl): in practice one
    const groups = new Map<string, typeof asked>();
    for (const a of asked) {
      const key = `${a.owner}\u0000${a.ttlMs}`;
      const g = groups.get(key);
      if (g) g.push(a);
      else groups.set(key, [a]);
    }
    await Promise.all(
      [...groups.values()].map(async (group) => {
        const { owner, ttlMs } = group[0]!;
        let claimed: Awaited<ReturnType<PrismaRunStore["claimRuns"]>>;
        try {
          claimed = await this.own.claimRuns(
            group.map((a) => a.runId),
            owner,
            ttlMs,
            new Date(),
          );
        } catch (error) {
          if (group.length === 1 || !isStatementError(error)) {
            for (const a of group) a.reject(error);
            return;
          }
          // nothing was claimed (e.g. a deadlock with another worker's statement): each on its own
          claimed = new Map();
          await Promise.all(
            [...new Set(group.map((a) => a.runId))].map(async (runId) => {
              try {
                const c = await this.own.claimRun(runId, owner, ttlMs, new Date());
                if (c) claimed.set(runId, c);
              } catch (e) {
                for (const a of group) if (a.runId === runId) a.reject(e);
              }
            }),
          );
        }
        for (const a of group) {
          const c = claimed.get(a.runId);
          claimed.delete(a.runId); // a second ask for the same run gets false
          if (c) this.claims.set(a.runId, c);
          a.resolve(c !== undefined);
        }
      }),
    );
  }

  /** Forgets what the engine did not use; returns a claimed lease it never asked for (to be released). */
  unclaim(runId: string): Lease | null {
    const c = this.claims.get(runId);
    this.claims.delete(runId);
    return c && !c.leaseUsed ? c.lease : null;
  }

  acquireLease: RunStore["acquireLease"] = async (runId, owner, ttlMs, now, options) => {
    const c = this.claims.get(runId);
    if (c && !c.leaseUsed && c.lease.owner === owner && !options?.force) {
      c.leaseUsed = true;
      this.took.add(runId);
      return c.lease;
    }
    const lease = await this.inner.acquireLease(runId, owner, ttlMs, now, options);
    if (lease) this.took.add(runId);
    return lease;
  };
  loadRun: RunStore["loadRun"] = async (runId) => {
    const c = this.claims.get(runId);
    if (c?.leaseUsed && !c.runUsed) {
      c.runUsed = true;
      return c.run;
    }
    return this.inner.loadRun(runId);
  };
  listSteps: RunStore["listSteps"] = async (runId) => {
    const c = this.claims.get(runId);
    if (c?.runUsed && !c.hasSteps) return [];
    return this.inner.listSteps(runId);
  };
  listApprovals: RunStore["listApprovals"] = async (filter) => {
    const c = filter.runId ? this.claims.get(filter.runId) : undefined;
    if (c?.runUsed && !c.hasApprovals && Object.keys(filter).length === 1) {
      this.claims.delete(filter.runId!);
      return [];
    }
    return this.inner.listApprovals(filter);
  };
  createRun: RunStore["createRun"] = (input) => this.inner.createRun(input);
  renewLease: RunStore["renewLease"] = (lease, ttlMs, now) => this.inner.renewLease(lease, ttlMs, now);
  releaseLease: RunStore["releaseLease"] = (lease) => this.inner.releaseLease(lease);
  commit: RunStore["commit"] = (lease, input, now) => this.inner.commit(lease, input, now);
  listEvents: RunStore["listEvents"] = (runId, afterSeq, limit) => this.inner.listEvents(runId, afterSeq, limit);
  getApproval: RunStore["getApproval"] = (id) => this.inner.getApproval(id);
  decideApproval: RunStore["decideApproval"] = (id, input) => this.inner.decideApproval(id, input);
  findRunsToRecover: RunStore["findRunsToRecover"] = (now, limit) => this.inner.findRunsToRecover(now, limit);
  findRunsPastDeadline: RunStore["findRunsPastDeadline"] = (now, limit) => this.inner.findRunsPastDeadline(now, limit);
  findApprovalsPastDeadline: RunStore["findApprovalsPastDeadline"] = (now, limit) =>
    this.inner.findApprovalsPastDeadline(now, limit);
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startWorker(db: Db, options: WorkerOptions = {}): Promise<Worker> {
  const log = options.log ?? (() => {});
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const pollMs = options.pollMs ?? 1000;
  const sweepMs = options.sweepMs ?? Math.min(5000, Math.max(1000, 5 * pollMs));
  const leaseTtlMs = options.leaseTtlMs ?? 30_000;
  const graceMs = options.graceMs ?? 10_000;
  const metrics = switchboardMetrics();
  let tracker!: WorkerStore;
  const host = await createHost({
    ...options.host,
    role: "worker",
    db,
    owner: options.owner,
    leaseTtlMs,
    log,
    runtime: {
      ...options.host?.runtime,
      wrapStore: (own) => {
        const inner = options.host?.runtime?.wrapStore ? options.host.runtime.wrapStore(own) : own;
        tracker = new WorkerStore(inner, own);
        return tracker;
      },
    },
  });
  const owner = host.owner;
  // The reaper, deadlines and maintenance (recovery is the sweep below), OTLP export of the runs
  // this worker finishes when configured, metrics, and announcing its commits to web servers.
  await host.start({
    runner: options.sweeps === false ? false : { recoverOnStart: false, recoverIntervalMs: 0 },
    telemetry: true,
    metrics: true,
    relay: { publish: true, listen: false },
    heartbeat: true,
    schedules: options.sweeps === false ? false : {},
  });

  let executed = 0;
  let stopping = false;
  /** Runs this worker is executing: runId → the promise of its execution (settles, never rejects). */
  const active = new Map<string, Promise<void>>();

  /**
   * Carries one run on; resolves with whether this worker executed it (took its lease). `claim`
   * (PostgreSQL): take the lease and read the run in one statement first.
   */
  async function carryOn(runId: string, claim = false): Promise<"executed" | "skipped"> {
    tracker.took.delete(runId);
    let result: RunResult;
    try {
      // a run held by a live executor elsewhere is not claimed; the engine then decides (a dead
      // executor of this host is taken over at once, anything else is left to its holder)
      if (claim) await tracker.claim(runId, owner, leaseTtlMs);
      result = await host.engine.runUntilPauseOrEnd(runId);
    } catch (error) {
      tracker.took.delete(runId);
      // someone else took the run over, or it no longer exists (retention): nothing left to do here
      if (isFencedError(error) || (error as { code?: string })?.code === "not_found") return "skipped";
      throw error;
    } finally {
      const unused = tracker.unclaim(runId);
      if (unused) await host.store.releaseLease(unused).catch(() => {});
    }
    if (!tracker.took.delete(runId)) return "skipped";
    executed++;
    options.onRun?.(result);
    return "executed";
  }

  function track(runId: string, p: Promise<unknown>) {
    const done = p.then(
      () => {},
      () => {},
    );
    active.set(runId, done);
    void done.finally(() => {
      if (active.get(runId) === done) active.delete(runId);
    });
  }

  // ---------------------------------------------------------------- PostgreSQL: graphile-worker
  let graphile: GraphileRunner | null = null;
  let failure: unknown = null;
  let closePool: (() => Promise<void>) | null = null;
  const jobsSchema = jobsSchemaOf(db.target);
  if (db.target.provider === "postgresql" && jobsSchema) {
    const task: Task = async (payload) => {
      const runId = (payload as { runId?: unknown } | null)?.runId;
      if (typeof runId !== "string" || runId === "") {
        log(`[worker] a job without a run id: ${JSON.stringify(payload)}`);
        return;
      }
      // A second job for a run this worker is executing (the sweep queues a run again whose job
      // waits, locked, in a worker's local batch) waits for that execution, then carries on what
      // is left: usually nothing, as the run has ended or waits. Two executions of one run in one
      // worker would each take the other's note of having executed it.
      while (active.has(runId)) await active.get(runId);
      if (stopping) {
        // a run handed back by this worker's stop has a job of its own, for another worker
        metrics.jobsExecuted.add(1, { result: "skipped" });
        return;
      }
      const p = carryOn(runId, true);
      track(runId, p);
      try {
        const outcome = await p;
        metrics.jobsExecuted.add(1, { result: outcome });
      } catch (error) {
        metrics.jobsExecuted.add(1, { result: "failed" });
        log(`[worker] run ${runId} stopped: ${message(error)}`);
        throw error; // graphile-worker retries the job with its backoff
      }
    };
    // graphile-worker's own connections: one to listen for new jobs, one to fetch them (in
    // batches), one to complete them (in batches). The runs themselves use the engine's pool.
    const pool = jobQueuePool(db.target.url, 3);
    closePool = () => pool.end();
    const schema = jobsSchema;
    const startQueue = async () => {
      const runner = await runGraphileWorker({
        pgPool: pool,
        schema,
        concurrency,
        pollInterval: pollMs,
        noHandleSignals: true,
        logger: graphileLogger(log),
        taskList: { [RUN_TASK]: task },
        parsedCronItems: [],
        gracefulShutdownAbortTimeout: graceMs + 60_000,
        preset: {
          worker: {
            // fetch (and lock) a few jobs per query, and complete finished ones together: two
            // statements per batch instead of two per run. A killed worker's locked jobs are
            // queued again by the sweep (their runs have no live lease and no available job).
            // Every new job notifies every worker; a worker whose fetch came back empty waits
            // 25 ms (or a few more notifications) before fetching again, instead of all workers
            // racing for each job.
            localQueue: { size: Math.max(2, concurrency), refetchDelay: { durationMs: 25 } },
            completeJobBatchDelay: 1,
            failJobBatchDelay: 1,
          },
        },
      });
      graphile = runner;
      runner.promise.then(
        () => queueStopped(runner, null),
        (error: unknown) => queueStopped(runner, error),
      );
    };
    // graphile-worker's pool stops by itself when its queue connection breaks for good, and when
    // it hears of a "breaking migration" — also one of ANOTHER schema on the same server (its
    // notification channel is not per schema; every new test schema sends one). Start it again:
    // it re-checks its schema, and refuses to start when that is really newer than it supports.
    // Five other stops within a minute: give up, exit non-zero, and let the supervisor start
    // afresh. A migration notice does not count towards those five (the restart's schema check
    // is what decides), so a server where other schemas are being created keeps its workers.
    const stops: number[] = [];
    const queueStopped = (runner: GraphileRunner, error: unknown) => {
      if (stopping || graphile !== runner) return;
      const migrationNotice = process.exitCode === 57; // graphile-worker's "breaking migration" exit code
      if (migrationNotice) process.exitCode = undefined;
      const now = Date.now();
      if (!migrationNotice) stops.push(now);
      while (stops.length && stops[0]! < now - 60_000) stops.shift();
      if (stops.length >= 5) {
        failure = error ?? new Error("the job queue kept stopping");
        log(`[worker] the job queue stopped ${stops.length} times in a minute: ${message(failure)}`);
        void stop();
        return;
      }
      log(`[worker] the job queue stopped${error ? ` (${message(error)})` : ""}; starting it again`);
      const t = setTimeout(
        () => {
          if (stopping) return;
          startQueue().catch((e: unknown) => {
            failure = e;
            log(`[worker] the job queue could not start again: ${message(e)}`);
            void stop();
          });
        },
        migrationNotice ? 20 : 500,
      );
      t.unref?.();
    };
    await startQueue();
  }

  // ---------------------------------------------------------------- SQLite: poll for runs
  let wakeUp: (() => void) | null = null;
  const wake = () => wakeUp?.();
  async function sqliteLoop() {
    while (!stopping) {
      const free = concurrency - active.size;
      if (free > 0) {
        try {
          const ids = (await host.store.findRunsToRecover(new Date(), free + active.size)).filter(
            (id) => !active.has(id),
          );
          for (const runId of ids.slice(0, free)) {
            track(
              runId,
              carryOn(runId).catch((error: unknown) => log(`[worker] run ${runId} stopped: ${message(error)}`)),
            );
            void active.get(runId)?.then(wake);
          }
        } catch (error) {
          log(`[worker] looking for runs failed: ${message(error)}`);
        }
      }
      if (stopping) break;
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
  const looping = graphile ? Promise.resolve() : sqliteLoop();

  // ---------------------------------------------------------------- the sweep (both databases)
  let sweeping: Promise<void> = Promise.resolve();
  let sweeps = 0;
  const sweep = async () => {
    try {
      const taken = await expireDeadExecutorLeases(db);
      if (taken.length) log(`[worker] taking over ${taken.length} run(s) of an executor that is gone`);
      if (graphile) {
        const ids = await findRunsWithoutJob(db, new Date());
        if (ids.length) {
          await enqueueRuns(db, ids);
          log(`[worker] queued ${ids.length} run(s) that had no job`);
        }
        if (sweeps++ % 60 === 0) await deleteSupersededJobs(db);
      } else if (taken.length) wake();
    } catch (error) {
      log(`[worker] sweep failed: ${message(error)}`);
    }
  };
  sweeping = sweep();
  const sweepTimer = setInterval(() => {
    if (!stopping) sweeping = sweeping.then(sweep);
  }, sweepMs);
  sweepTimer.unref?.();

  // ---------------------------------------------------------------- health port
  let health: HealthServer | null = null;
  if (options.healthPort !== undefined) {
    health = await startHealthServer({
      port: options.healthPort,
      async readiness() {
        const h = await databaseHealth(db);
        const ready = isReady(h) && !stopping;
        return { ready, role: "worker", owner, stopping, active: active.size, executed, database: h };
      },
      metrics: () => metrics.prometheusText(),
    });
    log(`[worker] health on port ${health.port}`);
  }

  log(
    `[worker] ${owner} started (${db.provider}${graphile ? ", graphile-worker queue" : ""}, concurrency ${concurrency})`,
  );

  let stopPromise: Promise<void> | null = null;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => {
    resolveStopped = r;
  });
  const stop = (): Promise<void> => {
    stopPromise ??= (async () => {
      stopping = true;
      clearInterval(sweepTimer);
      wake();
      // no new jobs (graphile-worker's graceful shutdown waits for the jobs in progress)
      const graphileStopped = graphile?.stop().catch((error: unknown) => log(`[worker] queue stop: ${message(error)}`));
      await looping;
      await sweeping;
      if (active.size > 0) {
        log(`[worker] waiting up to ${graceMs} ms for ${active.size} run(s) in progress`);
        await Promise.race([Promise.allSettled([...active.values()]), sleep(graceMs)]);
      }
      // what is still running is handed back: leases given up, jobs queued again (same commit)
      if (active.size > 0) log(`[worker] handing ${active.size} run(s) back to the queue`);
      await host.engine.shutdown();
      await Promise.allSettled([...active.values()]);
      await graphileStopped;
      await closePool?.();
      await host.close();
      await health?.close();
      log(`[worker] ${owner} stopped after ${executed} run(s)`);
    })().finally(resolveStopped);
    return stopPromise;
  };

  return {
    owner,
    host,
    get executed() {
      return executed;
    },
    healthPort: health?.port ?? null,
    wake,
    stop,
    stopped,
    get failure() {
      return failure;
    },
  };
}
