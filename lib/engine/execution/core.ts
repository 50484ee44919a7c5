/**
 * The state of one run under execution, and the small operations every part of it uses
 * (record a step, buffer an event, stop, abort, wake the main loop). `RunExecution` extends it;
 * the outcome, routing, budget and finishing functions beside this file work on it. Its members
 * are internal to lib/engine/execution*: the engine uses only RunExecution's public methods.
 */

import { CancelledError } from "@/lib/contracts/errors";
import type { ExecResult, RunContextData, Wake } from "@/lib/contracts/node";
import type {
  ChatMessage,
  Lease,
  RunEventType,
  RunPatch,
  RunRecord,
  StepRecord,
  Usage,
  WorkspaceBudget,
} from "@/lib/contracts/ports";
import type { CompiledNode, CompiledWorkflow } from "../compiled";
import { type RunState, snapshotState, type TokenState } from "../state";
import type { RunResultApproval } from "../types";
import { CommitBuffer } from "./commit-buffer";
import type { ExecutionDeps } from "./deps";
import { stepKey } from "./helpers";
import { nodeView } from "./node-view";

export type Outcome = { ok: true; result: ExecResult } | { ok: false; error: unknown };

export interface Stop {
  status: "failed" | "cancelled";
  error: unknown;
}

export class ExecutionCore {
  readonly runId: string;
  readonly run: RunRecord;
  readonly graph: CompiledWorkflow;
  readonly deps: ExecutionDeps;
  readonly lease: Lease;
  state: RunState;
  usage: Usage;
  stepCount: number;
  readonly steps = new Map<string, StepRecord>();
  /** Times each node was activated to run (skips don't count); rebuilt from steps + tokens on resume. */
  readonly visits = new Map<string, number>();
  /** The run's shared conversation; each message is stored once, on the step that added it. */
  conversation: ChatMessage[] = [];
  readonly nodesCtx: RunContextData["nodes"] = {};
  readonly approvals = new Map<string, RunResultApproval>();
  readonly runInfo: RunContextData["run"];

  /** Writes for the next commit. */
  readonly commits: CommitBuffer;
  fatal: unknown = null;

  /** Steps executing now; a step with its own timeout has its own controller (AbortControllers are not free). */
  readonly running = new Map<TokenState, AbortController | null>();
  /** Aborted when the run stops: every step's signal derives from it. */
  readonly runAbort = new AbortController();
  readonly retrying = new Set<TokenState>();
  readonly wakes = new Map<TokenState, Wake>();
  stop: Stop | null = null;
  abandoned = false;
  readonly timers = new AbortController();
  wakeResolve: (() => void) | null = null;
  wakePending = false;
  workspaceBudget: WorkspaceBudget | null = null;
  costAtStart = 0;
  /** Started in-process by a parent's subworkflow step that is awaiting it. */
  inlineChild = false;
  readonly childrenToCancel: string[] = [];
  readonly startedAtMs: number;

  constructor(deps: ExecutionDeps, graph: CompiledWorkflow, run: RunRecord, lease: Lease, state: RunState) {
    this.deps = deps;
    this.graph = graph;
    this.run = run;
    this.runId = run.id;
    this.lease = lease;
    this.state = state;
    this.usage = { ...run.usage };
    this.stepCount = run.stepCount;
    this.costAtStart = run.usage.costUsd;
    this.startedAtMs = (run.startedAt ?? run.createdAt).getTime();
    this.runInfo = {
      id: run.id,
      startedAt: (run.startedAt ?? run.createdAt).toISOString(),
      workflowId: run.workflowId,
    };
    this.commits = new CommitBuffer(deps, run, lease, {
      fatal: () => this.fatal,
      runPatch: (buffered) => this.runPatch(buffered),
      failed: (e) => {
        this.fatal ??= e;
        this.abortAll(e);
      },
      settled: () => this.signalWake(),
    });
  }

  /** The run patch a commit carries, taken when the commit's transaction starts. */
  private runPatch(buffered: RunPatch): RunPatch {
    const run: RunPatch = {
      ...buffered,
      state: snapshotState(this.state),
      usage: { ...this.usage },
      stepCount: this.stepCount,
    };
    if (run.status === undefined && !this.abandoned && this.run.status !== "running") {
      run.status = "running";
      run.waitingOnPerson = false;
      if (!this.run.startedAt) run.startedAt = this.deps.clock.now();
    }
    return run;
  }

  /**
   * Record a step row (buffered for the next commit) and update what expressions read about its
   * node from that row alone (node-view.ts), as a resumed execution rebuilds it from the stored
   * rows. `retried`: a failed attempt that another attempt follows.
   */
  putStep(rec: StepRecord, retried = false) {
    const key = stepKey(rec.nodeId, rec.visit, rec.attempt);
    this.steps.set(key, rec);
    this.commits.steps.set(key, rec);
    this.commits.dirty = true;
    this.nodesCtx[rec.nodeId] = nodeView(this.nodesCtx[rec.nodeId], rec, retried);
  }

  emit(type: RunEventType, data: Record<string, unknown>) {
    this.commits.events.push({ type, data });
    this.commits.dirty = true;
  }

  nextWake(): Promise<void> {
    if (this.wakePending) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.wakeResolve = () => {
        this.wakeResolve = null;
        this.wakePending = false;
        resolve();
      };
    });
  }

  signalWake() {
    if (this.wakeResolve) this.wakeResolve();
    else this.wakePending = true;
  }

  removeToken(t: TokenState) {
    const i = this.state.tokens.indexOf(t);
    if (i >= 0) this.state.tokens.splice(i, 1);
  }

  /** The `running` row of an activation that starts now. */
  syntheticStep(node: CompiledNode, t: TokenState, now: Date): StepRecord {
    return this.newStep(node, t.visit, t.attempt, now, "running");
  }

  /** A new step row: no input or output yet; a skipped one ends when it starts. */
  newStep(node: CompiledNode, visit: number, attempt: number, now: Date, status: "running" | "skipped"): StepRecord {
    const ended = status === "skipped";
    return {
      id: this.deps.ids.id("step"),
      runId: this.runId,
      workspaceId: this.run.workspaceId,
      nodeId: node.id,
      nodeType: node.type,
      visit,
      attempt,
      status,
      idempotencyKey: `${this.runId}:${node.id}:${visit}`,
      input: null,
      output: null,
      error: null,
      model: null,
      simulated: false,
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
      startedAt: now,
      endedAt: ended ? now : null,
      durationMs: ended ? 0 : null,
    };
  }

  scheduleRetry(t: TokenState, delay: number) {
    this.retrying.add(t);
    this.deps.clock.sleep(delay, this.timers.signal).then(
      () => {
        this.retrying.delete(t);
        if (t.status === "retrying") t.status = "ready";
        this.signalWake();
      },
      () => {
        this.retrying.delete(t);
        this.signalWake();
      },
    );
  }

  setStop(stop: Stop) {
    if (this.stop) return;
    this.stop = stop;
    this.commits.dirty = true;
    this.abortAll(
      stop.status === "cancelled" ? stop.error : new CancelledError("Stopped because the run failed elsewhere."),
    );
    this.signalWake();
  }

  abortAll(reason: unknown) {
    if (!this.runAbort.signal.aborted) this.runAbort.abort(reason);
    for (const c of this.running.values()) if (c && !c.signal.aborted) c.abort(reason);
  }
}
