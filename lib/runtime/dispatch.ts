// Who executes a run: the process that starts or resumes it, or the workers.
//
// SWITCHBOARD_EXECUTE (lib/env.ts):
// - `inline` (default; the only mode on the embedded SQLite database): a web server executes the
//   runs it starts, resumes and decides, in its own process, as the CLI does.
// - `workers` (PostgreSQL): web servers only enqueue. Their run store adds each run's job to the
//   run queue (graphile-worker, lib/db/jobs.ts) in the transaction that makes the run runnable —
//   a start, a retry, a decision, a schedule's fire — and `switchboard worker` processes execute
//   the jobs. Their engine runs over an `EnqueueOnlyStore`, which hands it no lease except a
//   forced one (a cancel, applied at once: fence + 1 stops the worker executing the run at its
//   next commit), so nothing a web server does can start executing a run there.
//
// Callers that carry a run on after starting it (lib/use-cases) call `dispatcher.carryOn(runId)`
// instead of the engine: inline it executes the run in the background, with workers it does
// nothing more (the job was added with the run).
import type { RunStore } from "@/lib/contracts/ports";
import type { Engine } from "../engine/types";

export type ExecutionMode = "inline" | "workers";

export const EXECUTION_MODES: readonly ExecutionMode[] = ["inline", "workers"];

/** The mode a deployment asked for, checked against its database (workers need PostgreSQL). */
export function executionMode(requested: ExecutionMode | undefined, provider: "sqlite" | "postgresql"): ExecutionMode {
  const mode = requested ?? "inline";
  if (mode === "workers" && provider !== "postgresql") {
    throw new Error(
      "SWITCHBOARD_EXECUTE=workers needs PostgreSQL (DATABASE_URL=postgres://…): workers take runs from a queue in the shared database. On the embedded SQLite database runs execute inline (SWITCHBOARD_EXECUTE=inline, the default).",
    );
  }
  return mode;
}

export interface Dispatcher {
  readonly mode: ExecutionMode;
  /**
   * Carries on a run that was just started, retried or requeued: inline, executes it in this
   * process in the background (errors are logged; the run stays recoverable); with workers, the
   * transaction that queued it added its job already, so there is nothing more to do.
   */
  carryOn(runId: string): void;
}

export function createDispatcher(
  mode: ExecutionMode,
  engine: Pick<Engine, "runUntilPauseOrEnd">,
  log: (line: string) => void = (line) => console.error(line),
): Dispatcher {
  return {
    mode,
    carryOn(runId) {
      if (mode === "workers") return;
      engine.runUntilPauseOrEnd(runId).catch((error: unknown) => {
        log(
          `[switchboard] run ${runId} stopped with an error: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    },
  };
}

/**
 * A RunStore for a process that only enqueues (web servers with SWITCHBOARD_EXECUTE=workers): it
 * grants a lease only when forced (cancel). Every other path of the engine that would execute a
 * run here — a decision carrying its run on, recovery, the reaper — finds the run "held
 * elsewhere" and returns its snapshot; the workers execute it.
 */
export class EnqueueOnlyStore implements RunStore {
  constructor(private readonly inner: RunStore) {}

  acquireLease: RunStore["acquireLease"] = async (runId, owner, ttlMs, now, options) =>
    options?.force ? this.inner.acquireLease(runId, owner, ttlMs, now, options) : null;

  createRun: RunStore["createRun"] = (input) => this.inner.createRun(input);
  loadRun: RunStore["loadRun"] = (runId) => this.inner.loadRun(runId);
  renewLease: RunStore["renewLease"] = (lease, ttlMs, now) => this.inner.renewLease(lease, ttlMs, now);
  releaseLease: RunStore["releaseLease"] = (lease) => this.inner.releaseLease(lease);
  commit: RunStore["commit"] = (lease, input, now) => this.inner.commit(lease, input, now);
  listSteps: RunStore["listSteps"] = (runId) => this.inner.listSteps(runId);
  listEvents: RunStore["listEvents"] = (runId, afterSeq, limit) => this.inner.listEvents(runId, afterSeq, limit);
  listApprovals: RunStore["listApprovals"] = (filter) => this.inner.listApprovals(filter);
  getApproval: RunStore["getApproval"] = (id) => this.inner.getApproval(id);
  decideApproval: RunStore["decideApproval"] = (id, input) => this.inner.decideApproval(id, input);
  findRunsToRecover: RunStore["findRunsToRecover"] = (now, limit) => this.inner.findRunsToRecover(now, limit);
  findRunsPastDeadline: RunStore["findRunsPastDeadline"] = (now, limit) => this.inner.findRunsPastDeadline(now, limit);
  findApprovalsPastDeadline: RunStore["findApprovalsPastDeadline"] = (now, limit) =>
    this.inner.findApprovalsPastDeadline(now, limit);
}
