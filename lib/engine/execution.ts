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
import type { ExpressionLimits } from "@/lib/expressions";
import { evaluateExpression, renderDeep } from "@/lib/expressions";
import { executors } from "@/lib/nodes/executors";
import type {
  ChildRunOutcome,
  ExecContext,
  ExecResult,
  RunContextData,
  StepDone,
  StepWait,
  Wake,
} from "@/lib/nodes/types";
import type { CompiledEdge, CompiledNode, CompiledWorkflow } from "./compiled";
import {
  BudgetExceededError,
  CancelledError,
  FencedError,
  InterruptedError,
  isFencedError,
  isRetryable,
  LoopLimitError,
  NonRetryableError,
  RunTimeoutError,
  type SerializedError,
  StepLimitError,
  serializeError,
  TimeoutError,
} from "./errors";
import type {
  ApprovalInput,
  ApprovalRecord,
  ApprovalUpdate,
  ChatMessage,
  Clock,
  CommitInput,
  CreateRunInput,
  CredentialResolver,
  EngineSettings,
  HttpFetcher,
  IdGenerator,
  Lease,
  ModelGateway,
  PriceTable,
  RunEventInput,
  RunEventType,
  RunNotifier,
  RunPatch,
  RunRecord,
  RunStatus,
  RunStore,
  StepRecord,
  Usage,
  WorkspaceBudget,
} from "./ports";
import { toResultApproval, toResultStep } from "./result";
import { parseState, type RunState, snapshotState, type TokenState } from "./state";
import type { RunResult, RunResultApproval } from "./types";

export interface ExecutionDeps {
  store: RunStore;
  clock: Clock;
  ids: IdGenerator;
  models: ModelGateway;
  http: HttpFetcher;
  prices: PriceTable;
  notifier?: RunNotifier;
  settings: EngineSettings;
  credentials?: CredentialResolver;
  owner: string;
  leaseTtlMs: number;
  limits: ExpressionLimits;
  /** Start or continue the child run of a subworkflow step. */
  runChild(
    parent: RunExecution,
    childRunId: string,
    input: { workflow: string; version: number | "latest"; input: unknown },
  ): Promise<ChildRunOutcome>;
  getChild(runId: string): Promise<ChildRunOutcome | null>;
  /** Re-acquire and continue a run (bypasses the in-process dedupe). */
  resumeInternal(runId: string): Promise<RunResult>;
  /** A child finished: carry its waiting parent on. */
  resumeParent(parentRunId: string): Promise<void>;
  cancelRun(runId: string, by: string | null): Promise<unknown>;
}

type Outcome = { ok: true; result: ExecResult } | { ok: false; error: unknown };

interface Stop {
  status: "failed" | "cancelled";
  error: unknown;
}

const BUDGET_NODE = "__budget";
const DEFAULT_BUDGET_WAIT_MS = 7 * 24 * 3_600_000;

const stepKey = (nodeId: string, visit: number, attempt: number) => `${nodeId}\u0000${visit}\u0000${attempt}`;

/** Why a run's timers (lease renewal, deadline, retry waits) stop: the run returned. */
const TIMERS_STOPPED = new Error("The run returned; its timers stopped.");
export class RunExecution {
  readonly runId: string;
  readonly run: RunRecord;
  private readonly graph: CompiledWorkflow;
  private readonly deps: ExecutionDeps;
  private lease: Lease;
  private state: RunState;
  private usage: Usage;
  private stepCount: number;
  private readonly steps = new Map<string, StepRecord>();
  /** Times each node was activated to run (skips don't count); rebuilt from steps + tokens on resume. */
  private readonly visits = new Map<string, number>();
  /** The run's shared conversation; each message is stored once, on the step that added it. */
  private conversation: ChatMessage[] = [];
  private readonly nodesCtx: RunContextData["nodes"] = {};
  private readonly approvals = new Map<string, RunResultApproval>();
  private readonly runInfo: RunContextData["run"];

  // buffer of writes for the next commit
  private bufSteps = new Map<string, StepRecord>();
  private bufEvents: RunEventInput[] = [];
  private bufCreates: ApprovalInput[] = [];
  private bufUpdates: ApprovalUpdate[] = [];
  private bufRun: RunPatch = {};
  private dirty = false;
  /** The run's creation, when its first commit is to carry it. */
  private pendingCreate: CreateRunInput | null = null;
  /** The run is ending: the next buffer taken gives the lease up. */
  private releaseWanted = false;
  private leaseReleased = false;
  private inflight: Promise<void> | null = null;
  private fatal: unknown = null;
  private lastCommitAt = 0;

  /** Steps executing now; a step with its own timeout has its own controller (AbortControllers are not free). */
  private readonly running = new Map<TokenState, AbortController | null>();
  /** Aborted when the run stops: every step's signal derives from it. */
  private readonly runAbort = new AbortController();
  private readonly retrying = new Set<TokenState>();
  private readonly wakes = new Map<TokenState, Wake>();
  private stop: Stop | null = null;
  private abandoned = false;
  private readonly timers = new AbortController();
  private wakeResolve: (() => void) | null = null;
  private wakePending = false;
  private workspaceBudget: WorkspaceBudget | null = null;
  private costAtStart = 0;
  /** Started in-process by a parent's subworkflow step that is awaiting it. */
  inlineChild = false;
  private readonly childrenToCancel: string[] = [];
  private readonly startedAtMs: number;

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
  }

  // ------------------------------------------------------------------ setup

  /** A fresh run created with its lease: the trigger token is ready. */
  /** A new run; `create`: the run is not stored yet, and its first commit creates it. */
  static fresh(
    deps: ExecutionDeps,
    graph: CompiledWorkflow,
    run: RunRecord,
    lease: Lease,
    create?: CreateRunInput,
  ): RunExecution {
    const exec = new RunExecution(deps, graph, run, lease, parseState(run.state));
    exec.pendingCreate = create ?? null;
    exec.stepCount = Math.max(exec.stepCount, 1);
    exec.visits.set(graph.entry.id, 1);
    exec.dirty = true;
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
      exec.dirty = true;
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
        exec.applyBudgetDecision(a);
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
          exec.onError(t, node, err, now);
        } else {
          if (prev) {
            // The attempt is on record as started: close it and run a new attempt (same idempotency key).
            exec.putStep({ ...prev, status: "failed", error: err.toJSON(), endedAt: now, durationMs: null });
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
    exec.dirty = true;
    return exec;
  }

  /** Node outputs, visit counts and the shared conversation, from the stored steps and tokens. */
  private rebuildContext(steps: StepRecord[]) {
    const best = new Map<string, StepRecord>();
    const parts: { at: number; messages: ChatMessage[] }[] = [];
    for (const s of steps) {
      const cur = best.get(s.nodeId);
      if (!cur || s.visit > cur.visit || (s.visit === cur.visit && s.attempt >= cur.attempt)) best.set(s.nodeId, s);
      if (s.status !== "skipped" && s.visit > (this.visits.get(s.nodeId) ?? 0)) this.visits.set(s.nodeId, s.visit);
      const conv =
        s.status === "succeeded" && isPlainObject(s.input)
          ? (s.input as { conversation?: unknown }).conversation
          : undefined;
      if (isPlainObject(conv) && Array.isArray((conv as { messages?: unknown }).messages))
        parts.push(conv as { at: number; messages: ChatMessage[] });
    }
    for (const t of this.state.tokens) if (t.visit > (this.visits.get(t.node) ?? 0)) this.visits.set(t.node, t.visit);
    for (const [id, s] of best) this.nodesCtx[id] = { output: s.output ?? null, status: s.status };
    parts.sort((a, b) => a.at - b.at);
    this.conversation = parts.flatMap((p) => p.messages);
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
      this.checkBudget();
      for (;;) {
        if (this.fatal) throw this.fatal;
        if (!this.stop && !this.abandoned) this.startReady();
        this.requestFlush();
        if (this.running.size === 0 && (this.stop || this.abandoned || this.retrying.size === 0)) break;
        await this.nextWake();
      }
      if (this.fatal) throw this.fatal;
      if (this.abandoned) {
        await this.flushAll(true);
        return this.result(this.run.status);
      }
      return await this.finish();
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

  private nextWake(): Promise<void> {
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

  private signalWake() {
    if (this.wakeResolve) this.wakeResolve();
    else this.wakePending = true;
  }

  private startTimers() {
    const { clock, leaseTtlMs } = this.deps;
    const signal = this.timers.signal;
    // Lease renewal when no commit renewed it recently.
    const every = Math.max(10, Math.floor(leaseTtlMs / 3));
    const loop = async () => {
      for (;;) {
        await clock.sleep(every, signal);
        const now = clock.now();
        if (now.getTime() - this.lastCommitAt < every || this.inflight) continue;
        const ok = await this.deps.store.renewLease(this.lease, leaseTtlMs, now);
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
      this.nodesCtx[node.id] = { output: this.nodesCtx[node.id]?.output ?? null, status: "running" };
      this.emit("step.started", { nodeId: node.id, nodeType: node.type, visit: t.visit, attempt: t.attempt });
    }
    const controller = node.node.timeoutMs && !wake ? new AbortController() : null;
    this.running.set(t, controller);
    this.runStep(t, node, controller, wake).then((outcome) => {
      this.running.delete(t);
      try {
        this.handleOutcome(t, node, outcome);
      } catch (e) {
        this.fatal ??= e;
      }
      this.signalWake();
    });
  }

  private async runStep(
    t: TokenState,
    node: CompiledNode,
    controller: AbortController | null,
    wake: Wake | undefined,
  ): Promise<Outcome> {
    try {
      // Side effects: everything before this step (and its own `running` row) must be durable.
      if (node.barrier && !wake) await this.flushAll();
      if (this.stop) throw this.stop.error;
      const signal = controller ? controller.signal : this.runAbort.signal;
      if (signal.aborted) throw signal.reason;
      const ctx = this.makeContext(t, node, signal);
      const executor = executors[node.type];
      let call: Promise<ExecResult>;
      if (wake) {
        if (!executor.resume) throw new NonRetryableError(`"${node.name}" cannot be resumed.`);
        call = executor.resume(ctx, wake);
      } else call = executor.run(ctx);
      const timeoutMs = node.node.timeoutMs;
      const result = timeoutMs && controller ? await this.withTimeout(call, timeoutMs, controller, node) : await call;
      return { ok: true, result };
    } catch (error) {
      return { ok: false, error };
    }
  }

  private withTimeout<T>(call: Promise<T>, ms: number, controller: AbortController, node: CompiledNode): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = new AbortController();
      this.deps.clock.sleep(ms, timer.signal).then(
        () => {
          const err = new TimeoutError(`"${node.name}" took longer than its time limit of ${ms} ms.`, {
            timeoutMs: ms,
          });
          controller.abort(err);
          reject(err);
        },
        () => {},
      );
      call.then(
        (v) => {
          timer.abort();
          resolve(v);
        },
        (e) => {
          timer.abort();
          reject(e);
        },
      );
    });
  }

  private makeContext(t: TokenState, node: CompiledNode, signal: AbortSignal): ExecContext {
    const data: RunContextData = {
      input: this.run.input,
      vars: this.state.vars,
      nodes: this.nodesCtx,
      run: this.runInfo,
      conversation: this.conversation,
    };
    const limits = this.deps.limits;
    const handoff = this.state.handoffs[node.id];
    const primary = node.def.primaryOutcome(node.config);
    const deps = this.deps;
    const childRunId = `${this.runId}-${node.id}-${t.visit}`;
    return {
      runId: this.runId,
      workspaceId: this.run.workspaceId,
      workflowId: this.run.workflowId,
      node: node.node,
      nodeName: node.name,
      config: node.config,
      visit: t.visit,
      attempt: t.attempt,
      idempotencyKey: `${this.runId}:${node.id}:${t.visit}`,
      data,
      signal,
      handoff: handoff
        ? {
            from: handoff.from,
            fromName: this.graph.nodes.get(handoff.from)?.name ?? handoff.from,
            reason: handoff.reason,
          }
        : null,
      handoffOptions: node.out
        .filter((e) => e.outcome === primary)
        .map((e) => {
          const target = this.graph.nodes.get(e.target)!;
          return { id: target.id, name: target.name, description: target.def.description };
        }),
      connectedOutcomes: node.connectedOutcomes,
      services: {
        clock: deps.clock,
        models: deps.models,
        http: deps.http,
        prices: deps.prices,
        settings: deps.settings,
        credentials: deps.credentials,
        runChild: (input) => deps.runChild(this, childRunId, input),
        getChild: (id) => deps.getChild(id),
      },
      render: (value, extra) => renderDeep(value, extra ? { ...data, ...extra } : data, limits),
      evaluate: (expression, extra) => evaluateExpression(expression, extra ? { ...data, ...extra } : data, limits),
    };
  }

  // ------------------------------------------------------------------ outcomes

  private handleOutcome(t: TokenState, node: CompiledNode, outcome: Outcome) {
    if (this.fatal || this.abandoned) return;
    const now = this.deps.clock.now();
    if (outcome.ok) {
      if (outcome.result.kind === "done") this.onDone(t, node, outcome.result, now);
      else if (this.stop) this.onError(t, node, this.stop.error, now);
      else this.onWait(t, node, outcome.result, now);
    } else this.onError(t, node, outcome.error, now);
  }

  private removeToken(t: TokenState) {
    const i = this.state.tokens.indexOf(t);
    if (i >= 0) this.state.tokens.splice(i, 1);
  }

  private onDone(t: TokenState, node: CompiledNode, r: StepDone, now: Date) {
    const key = stepKey(node.id, t.visit, t.attempt);
    const prev = this.steps.get(key)!;
    const usage = r.usage ?? { inputTokens: 0, outputTokens: 0, costUsd: 0 };
    const output = r.output === undefined ? null : r.output;
    let input = r.input !== undefined ? r.input : prev.input;
    if (r.conversation && r.conversation.length > 0) {
      // The step row is where these messages are stored (`at`: their position in the conversation).
      input = {
        ...(isPlainObject(input) ? input : { value: input }),
        conversation: { at: this.conversation.length, messages: r.conversation },
      };
    }
    this.putStep({
      ...prev,
      status: "succeeded",
      output,
      error: null,
      usage,
      model: r.model ?? prev.model,
      simulated: r.simulated ?? prev.simulated,
      input,
      endedAt: now,
      durationMs: now.getTime() - prev.startedAt.getTime(),
    });
    this.nodesCtx[node.id] = { output, status: "succeeded" };
    const outcome = r.outcome ?? node.def.primaryOutcome(node.config) ?? "default";
    const used = usage.inputTokens || usage.outputTokens || usage.costUsd;
    if (used) {
      this.usage = {
        inputTokens: this.usage.inputTokens + usage.inputTokens,
        outputTokens: this.usage.outputTokens + usage.outputTokens,
        costUsd: this.usage.costUsd + usage.costUsd,
      };
    }
    // One event per finished step: the step's usage and the run's running total ride along
    // (`usage`, `total`), and route() adds the taken edges (`edges`) — not separate `usage` and
    // `edge.taken` rows (each event row is a write; docs/benchmarks.md).
    this.emit("step.succeeded", {
      nodeId: node.id,
      visit: t.visit,
      attempt: t.attempt,
      outcome,
      durationMs: now.getTime() - prev.startedAt.getTime(),
      ...(r.simulated ? { simulated: true } : {}),
      ...(used ? { usage: { ...usage }, total: { ...this.usage } } : {}),
    });
    if (r.vars && Object.keys(r.vars).length > 0) this.state.vars = { ...this.state.vars, ...r.vars };
    if (r.conversation && r.conversation.length > 0) this.conversation = this.conversation.concat(r.conversation);
    if (r.runOutput) this.state.output = r.runOutput.value;
    if (this.state.handoffs[node.id]) {
      const { [node.id]: _used, ...rest } = this.state.handoffs;
      this.state.handoffs = rest;
    }
    this.removeToken(t);
    if (this.stop) return;
    this.route(node, t.visit, outcome, r.route);
    this.checkBudget();
  }

  private onWait(t: TokenState, node: CompiledNode, r: StepWait, now: Date) {
    const key = stepKey(node.id, t.visit, t.attempt);
    const prev = this.steps.get(key)!;
    t.status = "waiting";
    const data: Record<string, unknown> = { nodeId: node.id, visit: t.visit, attempt: t.attempt };
    if (r.approval) {
      const id = this.deps.ids.id("approval");
      const a = r.approval;
      this.bufCreates.push({
        id,
        workspaceId: this.run.workspaceId,
        runId: this.runId,
        nodeId: node.id,
        visit: t.visit,
        kind: a.kind,
        title: a.title,
        details: a.details,
        payload: a.payload,
        allowEdit: a.allowEdit,
        editSchema: a.editSchema,
        assignees: a.assignees,
        escalateTo: a.escalateTo,
        escalationLevel: 0,
        deadlineAt: a.timeoutMs === null ? null : new Date(now.getTime() + a.timeoutMs),
        onTimeout: a.onTimeout,
        createdAt: now,
      });
      this.dirty = true;
      t.approvalId = id;
      data.approvalId = id;
      this.approvals.set(id, { id, nodeId: node.id, kind: a.kind, status: "pending" });
      this.emit("approval.requested", {
        approvalId: id,
        nodeId: node.id,
        visit: t.visit,
        kind: a.kind,
        title: a.title,
        deadlineAt: a.timeoutMs === null ? null : new Date(now.getTime() + a.timeoutMs).toISOString(),
      });
    }
    if (r.childRunId) {
      t.childRunId = r.childRunId;
      data.childRunId = r.childRunId;
    }
    this.putStep({ ...prev, status: "waiting", input: r.input !== undefined ? r.input : prev.input });
    this.nodesCtx[node.id] = { output: null, status: "waiting" };
    this.emit("step.waiting", data);
  }

  /** Retry, route to the error outcome, or fail the run. */
  private onError(t: TokenState, node: CompiledNode, error: unknown, now: Date) {
    const key = stepKey(node.id, t.visit, t.attempt);
    const prev = this.steps.get(key);
    const serialized = serializeError(error);
    const base = prev ?? this.syntheticStep(node, t, now);
    if (this.stop) {
      this.putStep({ ...base, status: "cancelled", error: serialized, endedAt: now, durationMs: dur(base, now) });
      this.nodesCtx[node.id] = { output: null, status: "cancelled" };
      this.emit("step.cancelled", { nodeId: node.id, visit: t.visit, attempt: t.attempt });
      this.removeToken(t);
      return;
    }
    if (isFencedError(error)) {
      this.fatal ??= error;
      return;
    }
    const attemptsUsed = t.attempt - t.crashes;
    if (isRetryable(error) && attemptsUsed < node.maxAttempts) {
      const delay = retryDelay(node, attemptsUsed, error);
      this.putStep({ ...base, status: "failed", error: serialized, endedAt: now, durationMs: dur(base, now) });
      this.emit("step.retrying", {
        nodeId: node.id,
        visit: t.visit,
        attempt: t.attempt,
        nextAttempt: t.attempt + 1,
        delayMs: delay,
        error: { code: serialized.code, message: serialized.message },
      });
      t.attempt += 1;
      t.status = "retrying";
      t.retryAt = now.getTime() + delay;
      this.scheduleRetry(t, delay);
      return;
    }
    this.putStep({ ...base, status: "failed", error: serialized, endedAt: now, durationMs: dur(base, now) });
    this.emit("step.failed", { nodeId: node.id, visit: t.visit, attempt: t.attempt, error: serialized });
    this.removeToken(t);
    const errorOutcome = node.def.errorOutcome;
    if (errorOutcome && node.connectedOutcomes.has(errorOutcome)) {
      this.nodesCtx[node.id] = { output: { error: serialized }, status: "failed" };
      this.route(node, t.visit, errorOutcome, undefined);
      return;
    }
    this.nodesCtx[node.id] = { output: null, status: "failed" };
    this.setStop({ status: "failed", error });
  }

  private syntheticStep(node: CompiledNode, t: TokenState, now: Date): StepRecord {
    return {
      id: this.deps.ids.id("step"),
      runId: this.runId,
      workspaceId: this.run.workspaceId,
      nodeId: node.id,
      nodeType: node.type,
      visit: t.visit,
      attempt: t.attempt,
      status: "running",
      idempotencyKey: `${this.runId}:${node.id}:${t.visit}`,
      input: null,
      output: null,
      error: null,
      model: null,
      simulated: false,
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
      startedAt: now,
      endedAt: null,
      durationMs: null,
    };
  }

  private scheduleRetry(t: TokenState, delay: number) {
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

  private setStop(stop: Stop) {
    if (this.stop) return;
    this.stop = stop;
    this.dirty = true;
    this.abortAll(
      stop.status === "cancelled" ? stop.error : new CancelledError("Stopped because the run failed elsewhere."),
    );
    this.signalWake();
  }

  private abortAll(reason: unknown) {
    if (!this.runAbort.signal.aborted) this.runAbort.abort(reason);
    for (const c of this.running.values()) if (c && !c.signal.aborted) c.abort(reason);
  }

  // ------------------------------------------------------------------ routing

  private route(
    node: CompiledNode,
    visit: number,
    outcome: string,
    chosen: { target: string; reason: string } | undefined,
  ) {
    let chosenTarget: string | null = null;
    if (chosen) {
      const candidates = node.out.filter((e) => e.outcome === outcome);
      const wanted = chosen.target.toLowerCase();
      const match =
        candidates.find((e) => e.target === chosen.target) ??
        candidates.find((e) => this.graph.nodes.get(e.target)!.name.toLowerCase() === wanted);
      if (!match) {
        this.setStop({
          status: "failed",
          error: new NonRetryableError(
            `"${node.name}" handed off to "${chosen.target}", which is not one of its next nodes (${candidates
              .map((e) => this.graph.nodes.get(e.target)!.name)
              .join(", ")}).`,
          ),
        });
        return;
      }
      chosenTarget = match.target;
      this.state.handoffs = { ...this.state.handoffs, [match.target]: { from: node.id, reason: chosen.reason } };
      this.emit("handoff", { from: node.id, to: match.target, reason: chosen.reason, visit });
    }
    const taken: CompiledEdge[] = [];
    const skipped: CompiledEdge[] = [];
    for (const e of node.out) {
      if (e.outcome === outcome && (chosenTarget === null || e.target === chosenTarget)) taken.push(e);
      else if (!e.back) skipped.push(e);
    }
    if (taken.length > 0) {
      const edges = taken.map((e) => ({ id: e.id, target: e.target }));
      // Routing right after the step succeeded (not yet committed): the edges go into that
      // step.succeeded event (its `outcome` is this outcome). Otherwise an edge.taken event.
      const last = this.bufEvents[this.bufEvents.length - 1];
      if (
        last?.type === "step.succeeded" &&
        last.data.nodeId === node.id &&
        last.data.visit === visit &&
        last.data.outcome === outcome &&
        last.data.edges === undefined
      )
        last.data.edges = edges;
      else this.emit("edge.taken", { source: node.id, visit, outcome, edges });
    }
    const queue: [CompiledEdge, 0 | 1][] = [];
    for (const e of taken) {
      if (e.back) this.reenter(e, queue);
      else queue.push([e, 1]);
    }
    for (const e of skipped) queue.push([e, 0]);
    this.drainSettles(queue);
  }

  /** Settle edges; joins run when all their inputs are settled and at least one was taken. */
  private drainSettles(queue: [CompiledEdge, 0 | 1][]) {
    while (queue.length > 0) {
      if (this.stop) return;
      const [e, v] = queue.shift()!;
      const target = this.graph.nodes.get(e.target)!;
      if (target.inForward.length <= 1) {
        // Not a join: decide at once, nothing to remember.
        if (v === 1 && !target.disabled) this.activate(target);
        else this.skip(target, queue);
        continue;
      }
      this.state.settled[e.index] = v;
      let all = true;
      let any = false;
      for (const inE of target.inForward) {
        const s = this.state.settled[inE.index];
        if (s === undefined) {
          all = false;
          break;
        }
        if (s === 1) any = true;
      }
      if (!all) continue;
      if (any && !target.disabled) this.activate(target);
      else this.skip(target, queue);
    }
  }

  /** A back edge was taken: reset the loop body's settlements and run the target again. */
  private reenter(e: CompiledEdge, queue: [CompiledEdge, 0 | 1][]) {
    const target = this.graph.nodes.get(e.target)!;
    for (const idx of target.loopRegion ?? []) delete this.state.settled[idx];
    if (target.disabled) this.skip(target, queue);
    else this.activate(target);
  }

  private activate(target: CompiledNode) {
    const visits = this.visits.get(target.id) ?? 0;
    if (visits >= target.maxVisits) {
      this.setStop({ status: "failed", error: new LoopLimitError(target.id, target.maxVisits) });
      return;
    }
    if (this.stepCount >= this.graph.maxSteps) {
      this.setStop({
        status: "failed",
        error: new StepLimitError(
          `The run reached its limit of ${this.graph.maxSteps} steps (limits.maxSteps) and was stopped.`,
        ),
      });
      return;
    }
    this.visits.set(target.id, visits + 1);
    this.stepCount++;
    this.state.tokens.push({ node: target.id, visit: visits + 1, attempt: 1, crashes: 0, status: "ready" });
  }

  private skip(target: CompiledNode, queue: [CompiledEdge, 0 | 1][]) {
    const now = this.deps.clock.now();
    const visit = (this.visits.get(target.id) ?? 0) + 1;
    this.putStep({
      id: this.deps.ids.id("step"),
      runId: this.runId,
      workspaceId: this.run.workspaceId,
      nodeId: target.id,
      nodeType: target.type,
      visit,
      attempt: 1,
      status: "skipped",
      idempotencyKey: `${this.runId}:${target.id}:${visit}`,
      input: null,
      output: null,
      error: null,
      model: null,
      simulated: false,
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
      startedAt: now,
      endedAt: now,
      durationMs: 0,
    });
    this.nodesCtx[target.id] = { output: this.nodesCtx[target.id]?.output ?? null, status: "skipped" };
    this.emit("step.skipped", { nodeId: target.id, visit, ...(target.disabled ? { disabled: true } : {}) });
    for (const e of target.out) if (!e.back) queue.push([e, 0]);
  }

  // ------------------------------------------------------------------ budgets

  private checkBudget() {
    if (this.stop) return;
    const b = this.state.budget;
    const tokens = this.usage.inputTokens + this.usage.outputTokens;
    let exceeded: BudgetExceededError | null = null;
    if (b.maxCostUsd !== null && this.usage.costUsd > b.maxCostUsd + 1e-12)
      exceeded = new BudgetExceededError("costUsd", b.maxCostUsd, round(this.usage.costUsd));
    else if (b.maxTokens !== null && tokens > b.maxTokens)
      exceeded = new BudgetExceededError("tokens", b.maxTokens, tokens);
    else if (!b.ignoreWorkspace && this.workspaceBudget?.limitUsd != null) {
      const spent = this.workspaceBudget.spentUsd + (this.usage.costUsd - this.costAtStart);
      if (spent > this.workspaceBudget.limitUsd + 1e-12)
        exceeded = new BudgetExceededError("workspaceUsd", this.workspaceBudget.limitUsd, round(spent));
    }
    if (!exceeded) return;
    if (this.graph.onBudgetExceeded === "fail") {
      this.setStop({ status: "failed", error: exceeded });
      return;
    }
    if (b.approvalId) return;
    const now = this.deps.clock.now();
    const id = this.deps.ids.id("approval");
    b.seq += 1;
    b.approvalId = id;
    const payload = {
      limitKind: exceeded.limitKind,
      limit: exceeded.limit,
      spent: exceeded.spent,
      usage: { ...this.usage },
    };
    this.bufCreates.push({
      id,
      workspaceId: this.run.workspaceId,
      runId: this.runId,
      nodeId: BUDGET_NODE,
      visit: b.seq,
      kind: "budget",
      title: exceeded.limitKind === "workspaceUsd" ? "Workspace budget reached" : "Run budget reached",
      details: `${exceeded.message} Approve to let the run go on (with a higher limit), or reject to stop it.`,
      payload,
      allowEdit: true,
      editSchema: null,
      assignees: { roles: ["admin"], users: [] },
      escalateTo: null,
      escalationLevel: 0,
      deadlineAt: new Date(now.getTime() + DEFAULT_BUDGET_WAIT_MS),
      onTimeout: "reject",
      createdAt: now,
    });
    this.dirty = true;
    this.approvals.set(id, { id, nodeId: BUDGET_NODE, kind: "budget", status: "pending" });
    this.emit("budget.exceeded", payload);
    this.emit("approval.requested", {
      approvalId: id,
      nodeId: BUDGET_NODE,
      visit: b.seq,
      kind: "budget",
      title: "Run budget reached",
    });
  }

  private applyBudgetDecision(a: ApprovalRecord) {
    const b = this.state.budget;
    b.approvalId = null;
    this.approvals.set(a.id, toResultApproval(a));
    const p = (a.payload ?? {}) as { limitKind?: string; limit?: number; spent?: number };
    if (a.status !== "approved") {
      this.setStop({
        status: "failed",
        error: new BudgetExceededError(
          (p.limitKind as "costUsd") ?? "costUsd",
          p.limit ?? 0,
          p.spent ?? 0,
          `The budget was not raised (${a.status === "expired" ? "no decision before the deadline" : "rejected"}), so the run stopped.`,
        ),
      });
      return;
    }
    const data = (a.decision?.data ?? {}) as { maxCostUsd?: unknown; maxTokens?: unknown };
    if (p.limitKind === "costUsd")
      b.maxCostUsd = typeof data.maxCostUsd === "number" ? data.maxCostUsd : (p.spent ?? 0) + (p.limit ?? 0);
    else if (p.limitKind === "tokens")
      b.maxTokens = typeof data.maxTokens === "number" ? data.maxTokens : (p.spent ?? 0) + (p.limit ?? 0);
    else b.ignoreWorkspace = true;
    if (typeof data.maxCostUsd === "number" && p.limitKind !== "costUsd") b.maxCostUsd = data.maxCostUsd;
    if (typeof data.maxTokens === "number" && p.limitKind !== "tokens") b.maxTokens = data.maxTokens;
  }

  /** Called by the engine before execute(): the workspace budget snapshot. */
  setWorkspaceBudget(b: WorkspaceBudget | null) {
    this.workspaceBudget = b;
  }

  // ------------------------------------------------------------------ finishing

  private async finish(): Promise<RunResult> {
    const now = this.deps.clock.now();
    let status: RunStatus;
    if (this.stop) status = this.stop.status;
    else if (this.state.tokens.length > 0 || this.state.budget.approvalId) status = "waiting";
    else status = "succeeded";

    if (status === "failed" || status === "cancelled") {
      const reason = status === "cancelled" ? "The run was cancelled." : "The run failed.";
      for (const t of this.state.tokens) {
        const node = this.graph.nodes.get(t.node)!;
        const prev = this.steps.get(stepKey(t.node, t.visit, t.attempt));
        if (prev && (prev.status === "waiting" || prev.status === "running")) {
          this.putStep({ ...prev, status: "cancelled", endedAt: now, durationMs: dur(prev, now) });
          this.emit("step.cancelled", { nodeId: node.id, visit: t.visit, attempt: t.attempt });
        }
        if (t.approvalId) this.cancelApproval(t.approvalId, reason, now);
        if (t.childRunId) this.childrenToCancel.push(t.childRunId);
      }
      if (this.state.budget.approvalId) {
        this.cancelApproval(this.state.budget.approvalId, reason, now);
        this.state.budget.approvalId = null;
      }
      this.state.tokens = [];
    }

    const terminal = status !== "waiting";
    const error = this.stop ? serializeError(this.stop.error) : null;
    const output = status === "succeeded" ? (this.state.output ?? null) : null;
    this.bufRun.status = status;
    this.bufRun.output = output;
    this.bufRun.error = error;
    this.bufRun.waitingOnPerson = status === "waiting";
    if (terminal) {
      this.bufRun.endedAt = now;
      this.bufRun.durationMs = now.getTime() - this.startedAtMs;
    }
    const eventData: Record<string, unknown> = { usage: { ...this.usage }, stepCount: this.stepCount };
    if (error) eventData.error = error;
    if (status === "waiting")
      eventData.waitingOn = this.state.tokens
        .filter((t) => t.status === "waiting")
        .map((t) => ({ nodeId: t.node, approvalId: t.approvalId, childRunId: t.childRunId }));
    this.emit(`run.${status}` as RunEventType, eventData);
    this.dirty = true;
    await this.flushAll(true);

    if (status === "waiting" && (await this.somethingWoke())) return this.deps.resumeInternal(this.runId);
    for (const child of this.childrenToCancel) {
      try {
        await this.deps.cancelRun(child, "parent run ended");
      } catch {
        // best effort
      }
    }
    if (terminal && this.run.parentRunId && !this.inlineChild) {
      try {
        await this.deps.resumeParent(this.run.parentRunId);
      } catch {
        // the parent is recovered later
      }
    }
    return this.result(status, output, error);
  }

  private cancelApproval(id: string, reason: string, now: Date) {
    this.bufUpdates.push({
      id,
      ifPending: "skip",
      set: { status: "cancelled", decidedAt: now, decision: { reason, via: "system" } },
    });
    const a = this.approvals.get(id);
    if (a && a.status === "pending") this.approvals.set(id, { ...a, status: "cancelled" });
    this.dirty = true;
  }

  /** After parking: was an awaited approval decided or a child finished meanwhile? */
  private async somethingWoke(): Promise<boolean> {
    const awaited = new Set<string>();
    const children: string[] = [];
    for (const t of this.state.tokens) {
      if (t.approvalId) awaited.add(t.approvalId);
      if (t.childRunId) children.push(t.childRunId);
    }
    if (this.state.budget.approvalId) awaited.add(this.state.budget.approvalId);
    if (awaited.size > 0) {
      const list = await this.deps.store.listApprovals({ runId: this.runId });
      if (list.some((a) => awaited.has(a.id) && a.status !== "pending")) return true;
    }
    for (const c of children) {
      const child = await this.deps.getChild(c);
      if (child && isTerminal(child.status)) return true;
    }
    return false;
  }

  private result(status: RunStatus, output: unknown = null, error: SerializedError | null = null): RunResult {
    const steps = [...this.steps.values()].map(toResultStep);
    return {
      runId: this.runId,
      status,
      output,
      error,
      usage: { ...this.usage },
      steps,
      approvals: [...this.approvals.values()],
    };
  }

  // ------------------------------------------------------------------ buffer & commits

  private putStep(rec: StepRecord) {
    const key = stepKey(rec.nodeId, rec.visit, rec.attempt);
    this.steps.set(key, rec);
    this.bufSteps.set(key, rec);
    this.dirty = true;
  }

  private emit(type: RunEventType, data: Record<string, unknown>) {
    this.bufEvents.push({ type, data });
    this.dirty = true;
  }

  private takeBuffer(): CommitInput {
    const release = this.releaseWanted;
    const run: RunPatch = {
      ...this.bufRun,
      state: snapshotState(this.state),
      usage: { ...this.usage },
      stepCount: this.stepCount,
    };
    if (run.status === undefined && !this.abandoned && this.run.status !== "running") {
      run.status = "running";
      run.waitingOnPerson = false;
      if (!this.run.startedAt) run.startedAt = this.deps.clock.now();
    }
    const input: CommitInput = { run, renewLease: { ttlMs: this.deps.leaseTtlMs } };
    if (this.pendingCreate) {
      input.create = this.pendingCreate;
      this.pendingCreate = null;
    }
    if (this.bufSteps.size > 0) input.steps = [...this.bufSteps.values()];
    if (this.bufEvents.length > 0) input.events = this.bufEvents;
    if (this.bufCreates.length > 0 || this.bufUpdates.length > 0)
      input.approvals = {
        ...(this.bufCreates.length > 0 ? { create: this.bufCreates } : {}),
        ...(this.bufUpdates.length > 0 ? { update: this.bufUpdates } : {}),
      };
    if (release) {
      input.releaseLease = true;
      this.leaseReleased = true;
    }
    this.bufSteps = new Map();
    this.bufEvents = [];
    this.bufCreates = [];
    this.bufUpdates = [];
    this.bufRun = {};
    this.dirty = false;
    return input;
  }

  /** Start a commit if there is something to write and none is in flight (pipelined). */
  private requestFlush() {
    if (this.inflight || !this.dirty || this.fatal) return;
    this.inflight = this.commitOnce();
  }

  /**
   * One commit. The store takes the buffer when the commit's transaction starts, not now: what
   * the run does while the commit waits for its turn rides along (a run of zero-latency steps
   * commits its steps and its end together).
   */
  private async commitOnce(): Promise<void> {
    let taken: CommitInput | null = null;
    const take = () => {
      taken = this.takeBuffer();
      return taken;
    };
    try {
      const res = await this.deps.store.commit(this.lease, take, this.deps.clock.now());
      this.lastCommitAt = this.deps.clock.now().getTime();
      const status = (taken as CommitInput | null)?.run?.status as RunStatus | undefined;
      if (status) this.run.status = status;
      if (res.events.length > 0) this.deps.notifier?.publish(this.runId, res.events);
    } catch (e) {
      this.fatal ??= e;
      this.abortAll(e);
    } finally {
      this.inflight = null;
      this.signalWake();
    }
  }

  /**
   * Wait until everything buffered so far is committed. release: the final commit, which gives
   * the lease up — a commit still waiting for its turn takes the release with it.
   */
  private async flushAll(release = false): Promise<void> {
    if (release) this.releaseWanted = true;
    for (;;) {
      if (this.fatal) throw this.fatal;
      if (this.inflight) {
        await this.inflight;
        continue;
      }
      if (release ? this.leaseReleased && !this.dirty : !this.dirty) return;
      this.inflight = this.commitOnce();
      await this.inflight;
    }
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function dur(step: StepRecord, now: Date) {
  return now.getTime() - step.startedAt.getTime();
}

function round(n: number) {
  return Math.round(n * 1e8) / 1e8;
}

export function isTerminal(s: RunStatus): boolean {
  return s === "succeeded" || s === "failed" || s === "cancelled";
}

/** Backoff for the next attempt; a provider's Retry-After wins when given. */
export function retryDelay(
  node: Pick<CompiledNode, "backoffMs" | "factor" | "maxBackoffMs">,
  attemptsUsed: number,
  error: unknown,
): number {
  const retryAfter = (error as { retryAfterMs?: number }).retryAfterMs;
  if (typeof retryAfter === "number" && retryAfter >= 0) return Math.min(retryAfter, 3_600_000);
  const raw = node.backoffMs * node.factor ** Math.max(0, attemptsUsed - 1);
  return Math.min(Math.round(raw), node.maxBackoffMs);
}
