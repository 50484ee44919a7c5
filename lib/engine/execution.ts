/**
 * One run being executed by this process while it holds the run's lease.
 *
 * All state changes happen synchronously between awaits (JavaScript is single-threaded), so the
 * in-memory state, the buffered step rows and the buffered events are always consistent at an
 * await. A flush takes the buffer plus a snapshot of the state and commits them in ONE store
 * transaction; at most one commit is in flight, and whatever accumulates meanwhile goes into the
 * next one (group commit). Steps without side effects start without waiting for the previous
 * commit (pipelining); nodes with side effects or `atMostOnce` wait until everything before them
 * is durable. Events are published, and results returned, only after their commit.
 */

import { CancelledError, FencedError, InterruptedError, isFencedError, RunTimeoutError } from "@/lib/contracts/errors";
import type { Wake } from "@/lib/contracts/node";
import type { CreateRunInput, Lease, RunRecord, StepRecord, WorkspaceBudget } from "@/lib/contracts/ports";
import type { CompiledWorkflow } from "./compiled";
import { conversationFromSteps } from "./conversation";
import { applyBudgetDecision, checkBudget } from "./execution/budget";
import { leaseRenewalInterval } from "./execution/commit-buffer";
import { ExecutionCore, type Stop } from "./execution/core";
import type { ExecutionDeps } from "./execution/deps";
import { finish, result } from "./execution/finish";
import { isTerminal, stepKey } from "./execution/helpers";
import { nodesFromSteps } from "./execution/node-view";
import { handleOutcome, onError } from "./execution/outcomes";
import { runStep } from "./execution/step";
import { toResultApproval } from "./result";
import { parseState, type TokenState } from "./state";
import type { RunResult } from "./types";

export type { ExecutionDeps } from "./execution/deps";
export { isTerminal, retryDelay } from "./execution/helpers";

/** Why a run's timers (lease renewal, deadline, retry waits) stop: the run returned. */
const TIMERS_STOPPED = new Error("The run returned; its timers stopped.");

/**
 * The run's state, the commit buffer and the shared operations are in ExecutionCore
 * (execution/core.ts); outcomes, routing, budgets, finishing and running a step are functions
 * over it in execution/*.ts. This class keeps setup, the public control and the main loop.
 */
export class RunExecution extends ExecutionCore {
  // ------------------------------------------------------------------ setup

  /**
   * A new run with its lease: the trigger token is ready. `create`: the run is not stored yet,
   * and its first commit creates it.
   */
  static fresh(
    deps: ExecutionDeps,
    graph: CompiledWorkflow,
    run: RunRecord,
    lease: Lease,
    create?: CreateRunInput,
  ): RunExecution {
    const exec = new RunExecution(deps, graph, run, lease, parseState(run.state));
    exec.commits.pendingCreate = create ?? null;
    exec.stepCount = Math.max(exec.stepCount, 1);
    exec.visits.set(graph.entry.id, 1);
    exec.commits.dirty = true;
    return exec;
  }

  /**
   * Continue a stored run: rebuild the context from its steps, treat `running` tokens as
   * interrupted (re-run with the same idempotency key, or fail when atMostOnce), wake tokens
   * whose approval or child run is decided. Returns null when nothing can proceed (still waiting).
   */
  static async load(
    deps: ExecutionDeps,
    graph: CompiledWorkflow,
    run: RunRecord,
    lease: Lease,
    stopWith?: Stop,
  ): Promise<RunExecution | null> {
    const [steps, approvals] = await Promise.all([
      deps.store.listSteps(run.id),
      deps.store.listApprovals({ runId: run.id }),
    ]);
    const exec = new RunExecution(deps, graph, run, lease, parseState(run.state));
    for (const s of steps) exec.steps.set(stepKey(s.nodeId, s.visit, s.attempt), s);
    exec.rebuildContext(steps);
    for (const a of approvals) exec.approvals.set(a.id, toResultApproval(a));
    if (stopWith) {
      exec.stop = stopWith;
      exec.commits.dirty = true;
      return exec;
    }
    const byId = new Map(approvals.map((a) => [a.id, a]));
    let progress = run.status !== "waiting";
    let interrupted = 0;
    const now = deps.clock.now();

    // Budget approval decided while we were away.
    if (exec.state.budget.approvalId) {
      const a = byId.get(exec.state.budget.approvalId);
      if (a && a.status !== "pending") {
        applyBudgetDecision(exec, a);
        progress = true;
      }
    }

    for (const t of [...exec.state.tokens]) {
      const node = graph.nodes.get(t.node);
      if (!node) continue;
      if (t.status === "running") {
        interrupted++;
        progress = true;
        const prev = exec.steps.get(stepKey(t.node, t.visit, t.attempt));
        // It was resuming after a decided approval (its row still waits): resume again with the
        // same decision, from what the step stored when it waited, rather than start it over.
        const decided = prev?.status === "waiting" && t.approvalId ? byId.get(t.approvalId) : undefined;
        if (decided && decided.status !== "pending") {
          exec.emit("step.interrupted", { nodeId: t.node, visit: t.visit, attempt: t.attempt, rerun: true });
          exec.wakes.set(t, { kind: "approval", approval: decided });
          t.status = "ready";
          continue;
        }
        const err = new InterruptedError(
          node.atMostOnce
            ? `The executor stopped while "${node.name}" was running. It may run at most once, so it was not run again.`
            : `The executor stopped while "${node.name}" was running; it runs again with the same idempotency key.`,
        );
        exec.emit("step.interrupted", {
          nodeId: t.node,
          visit: t.visit,
          attempt: t.attempt,
          rerun: !node.atMostOnce,
        });
        if (node.atMostOnce) {
          onError(exec, t, node, err, now);
        } else {
          if (prev) {
            // The attempt is on record as started: close it and run a new attempt (same idempotency key).
            exec.putStep({ ...prev, status: "failed", error: err.toJSON(), endedAt: now, durationMs: null }, true);
            t.attempt += 1;
            t.crashes += 1;
          }
          t.status = "ready";
        }
      } else if (t.status === "retrying") {
        progress = true;
        exec.scheduleRetry(t, Math.max(0, (t.retryAt ?? 0) - now.getTime()));
      } else if (t.status === "ready") {
        progress = true;
      } else if (t.status === "waiting") {
        if (t.approvalId) {
          const a = byId.get(t.approvalId);
          if (a && a.status !== "pending") {
            exec.wakes.set(t, { kind: "approval", approval: a });
            t.status = "ready";
            progress = true;
          }
        } else if (t.childRunId) {
          let child = await deps.getChild(t.childRunId);
          if (child && !isTerminal(child.status)) {
            // The child may be runnable (decided approval): carry it on first.
            try {
              const r = await deps.resumeInternal(t.childRunId);
              child = { runId: r.runId, status: r.status, output: r.output, error: r.error };
            } catch {
              // leave it waiting
            }
          }
          if (child && isTerminal(child.status)) {
            exec.wakes.set(t, { kind: "child", child });
            t.status = "ready";
            progress = true;
          }
        }
      }
    }
    if (!progress && !exec.stop) return null;
    exec.emit("run.resumed", { from: run.status, interrupted });
    exec.commits.dirty = true;
    return exec;
  }

  /** Node outputs, visit counts and the shared conversation, from the stored steps and tokens. */
  private rebuildContext(steps: StepRecord[]) {
    for (const s of steps) {
      if (s.status !== "skipped" && s.visit > (this.visits.get(s.nodeId) ?? 0)) this.visits.set(s.nodeId, s.visit);
    }
    for (const t of this.state.tokens) if (t.visit > (this.visits.get(t.node) ?? 0)) this.visits.set(t.node, t.visit);
    // The same function over the same rows as the execution that wrote them (node-view.ts).
    Object.assign(this.nodesCtx, nodesFromSteps(steps, this.state.tokens));
    this.conversation = conversationFromSteps(steps);
  }

  // ------------------------------------------------------------------ public control

  /** Stop the run as cancelled (in-process). */
  requestCancel(by: string | null) {
    this.setStop({
      status: "cancelled",
      error: new CancelledError(`The run was cancelled${by ? ` by ${by}` : ""}.`, { by }),
    });
  }

  /** Stop executing without changing the run's status; it stays recoverable (shutdown). */
  abandon() {
    this.abandoned = true;
    this.abortAll(new CancelledError("The executor is shutting down."));
    this.signalWake();
  }

  // ------------------------------------------------------------------ main loop

  async execute(): Promise<RunResult> {
    this.startTimers();
    try {
      checkBudget(this);
      for (;;) {
        if (this.fatal) throw this.fatal;
        if (!this.stop && !this.abandoned) this.startReady();
        this.commits.request();
        if (this.running.size === 0 && (this.stop || this.abandoned || this.retrying.size === 0)) break;
        await this.nextWake();
      }
      if (this.fatal) throw this.fatal;
      if (this.abandoned) {
        await this.commits.flushAll(true);
        return result(this, this.run.status);
      }
      return await finish(this);
    } catch (e) {
      this.abortAll(e);
      // Let the in-flight steps settle so nothing runs after we return.
      while (this.running.size > 0) await this.nextWake();
      if (!isFencedError(e)) {
        try {
          await this.deps.store.releaseLease(this.lease);
        } catch {
          // the lease expires on its own
        }
      }
      throw e;
    } finally {
      // a shared reason: abort() without one builds a DOMException (with a stack) on every run
      this.timers.abort(TIMERS_STOPPED);
    }
  }

  private startTimers() {
    const { clock, leaseTtlMs } = this.deps;
    const signal = this.timers.signal;
    // Lease renewal when no commit extended it recently (a long step commits nothing meanwhile). A
    // commit in flight may not extend it (see CommitBuffer.take): renew alongside; both are fenced.
    const every = leaseRenewalInterval(leaseTtlMs);
    const loop = async () => {
      for (;;) {
        await clock.sleep(every, signal);
        const now = clock.now();
        if (now.getTime() - this.commits.lastRenewedAt < every) continue;
        const ok = await this.deps.store.renewLease(this.lease, leaseTtlMs, now);
        if (ok) this.commits.lastRenewedAt = Math.max(this.commits.lastRenewedAt, now.getTime());
        // The run's last commit, in flight alongside, gave the lease back first: nothing was lost
        // (had that commit been fenced, it fails the run itself).
        if (!ok && this.commits.leaseReleased) return;
        if (!ok) {
          this.fatal = new FencedError(this.runId, this.lease.fence);
          this.abortAll(this.fatal);
          this.signalWake();
          return;
        }
      }
    };
    loop().catch(() => {});
    // Run deadline.
    const deadline = this.run.deadlineAt;
    if (deadline) {
      const ms = deadline.getTime() - clock.now().getTime();
      clock
        .sleep(Math.max(0, ms), signal)
        .then(() => {
          this.setStop({
            status: "failed",
            error: new RunTimeoutError(
              `The run passed its time limit (limits.timeoutMs) at ${deadline.toISOString()} and was stopped.`,
            ),
          });
        })
        .catch(() => {});
    }
  }

  private startReady() {
    for (const t of this.state.tokens) {
      if (this.stop) return;
      if (t.status !== "ready") continue;
      const wake = this.wakes.get(t);
      if (!wake && this.state.budget.approvalId) continue; // budget pause: nothing new starts
      this.begin(t, wake);
    }
  }

  private begin(t: TokenState, wake: Wake | undefined) {
    const node = this.graph.nodes.get(t.node)!;
    const now = this.deps.clock.now();
    t.status = "running";
    if (wake) {
      this.wakes.delete(t);
    } else {
      this.putStep(this.syntheticStep(node, t, now));
      this.emit("step.started", { nodeId: node.id, nodeType: node.type, visit: t.visit, attempt: t.attempt });
    }
    const controller = node.node.timeoutMs && !wake ? new AbortController() : null;
    this.running.set(t, controller);
    runStep(this, t, node, controller, wake).then((outcome) => {
      this.running.delete(t);
      try {
        handleOutcome(this, t, node, outcome);
      } catch (e) {
        this.fatal ??= e;
      }
      this.signalWake();
    });
  }

  /** Called by the engine before execute(): the workspace budget snapshot. */
  setWorkspaceBudget(b: WorkspaceBudget | null) {
    this.workspaceBudget = b;
  }
}
