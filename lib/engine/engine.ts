/**
 * createEngine(): the framework-free engine. Everything it touches comes in through ports
 * (lib/contracts/ports/); the web app, the CLI, tests and workers are a few lines of wiring each.
 * See ARCHITECTURE.md for states, transitions and what is committed when.
 */

import {
  ApprovalNotPendingError,
  CancelledError,
  InputValidationError,
  isApprovalNotPendingError,
  isInvalidWorkflowError,
  isNonRetryableError,
  NonRetryableError,
  NotFoundError,
  RunTimeoutError,
  serializeError,
} from "@/lib/contracts/errors";
import type { ChildRunOutcome } from "@/lib/contracts/node";
import type { CreateRunInput, Lease, RunEventInput, RunRecord } from "@/lib/contracts/ports";
import { DEFAULT_EXPRESSION_LIMITS, type ExpressionLimits } from "@/lib/expressions";
import { secretLiteralValues } from "@/lib/workflow/secret-literals";
import { validateRunInput } from "@/lib/workflow/validate-document";
import { createIdGenerator, systemClock } from "./clock";
import { type CompiledWorkflow, compileWorkflow } from "./compiled";
import { decisionIssues } from "./decision";
import { type ExecutionDeps, isTerminal, RunExecution } from "./execution";
import { createHttpFetcher } from "./http";
import { createModelGateway } from "./models/gateway";
import { createPriceTable } from "./prices";
import { resultFromRecords } from "./result";
import { createRetryRun } from "./retry";
import { newRunRecord } from "./run-record";
import { initialState, parseState } from "./state";
import { testStep } from "./test-step";
import type { DecideInput, Engine, EngineOptions, RunResult, RunSource, StartRunOptions } from "./types";

const DEFAULT_LEASE_TTL_MS = 30_000;

const hashes = new WeakMap<object, string>();
/** A short content hash of a document (cyrb53 over its JSON), cached per object. */
function contentHash(doc: object): string {
  const hit = hashes.get(doc);
  if (hit) return hit;
  const text = JSON.stringify(doc);
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const out = `adhoc-${(4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36)}`;
  hashes.set(doc, out);
  return out;
}
const DEFAULT_MAX_DEPTH = 5;

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The literal secrets of a document's node configs (computed once per compiled document). */
const literalSecrets = new WeakMap<object, string[]>();
function literalSecretsOf(document: object): string[] {
  let found = literalSecrets.get(document);
  if (!found) {
    found = secretLiteralValues(document);
    literalSecrets.set(document, found);
  }
  return found;
}

export function createEngine(options: EngineOptions): Engine & { readonly owner: string } {
  const store = options.store;
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? createIdGenerator();
  const settings = options.settings ?? {};
  const owner = options.owner ?? `engine:${globalThis.crypto.randomUUID().slice(0, 8)}`;
  const leaseTtlMs = options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  const limits: ExpressionLimits = {
    ...DEFAULT_EXPRESSION_LIMITS,
    ...(settings.expressionTimeoutMs ? { timeoutMs: settings.expressionTimeoutMs } : {}),
    ...(settings.expressionMaxResultBytes ? { maxResultBytes: settings.expressionMaxResultBytes } : {}),
  };

  /** Runs executing in this process: runId → their promise (dedupes concurrent calls). */
  const active = new Map<string, Promise<RunResult>>();
  const executions = new Map<string, RunExecution>();
  /** Compiled documents by workflow version id (documents loaded from a store are new objects each time). */
  const compiledByVersion = new Map<string, CompiledWorkflow>();

  function compileFor(versionId: string | null, document: unknown): CompiledWorkflow {
    if (versionId) {
      const hit = compiledByVersion.get(versionId);
      if (hit) return hit;
    }
    const compiled = compileWorkflow(document, options.nodes);
    if (versionId) {
      compiledByVersion.set(versionId, compiled);
      if (compiledByVersion.size > 200) compiledByVersion.delete(compiledByVersion.keys().next().value as string);
    }
    return compiled;
  }

  const deps: ExecutionDeps = {
    store,
    clock,
    ids,
    models: options.models ?? createModelGateway({ clock }),
    http: options.http ?? createHttpFetcher(),
    prices: options.prices ?? createPriceTable(),
    notifier: options.notifier,
    budgets: options.budgets,
    settings,
    credentials: settings.credentials,
    mcp: options.mcp,
    a2a: options.a2a,
    owner,
    leaseTtlMs,
    limits,
    runChild: (parent, childRunId, input) => runChild(parent, childRunId, input),
    getChild: async (runId) => {
      const r = await store.loadRun(runId);
      return r ? { runId: r.id, status: r.status, output: r.output, error: r.error } : null;
    },
    resumeInternal: (runId) => resumeInternal(runId),
    resumeParent: async (parentRunId) => {
      // A parent executing in this process (it may be the caller, waiting for this child) sees
      // the child's end by itself; awaiting it here would deadlock.
      if (active.has(parentRunId)) return;
      await engine.runUntilPauseOrEnd(parentRunId);
    },
    cancelRun: (runId, by) => engine.cancel(runId, by),
  };

  function track(runId: string, exec: RunExecution | null, p: Promise<RunResult>): Promise<RunResult> {
    active.set(runId, p);
    if (exec) executions.set(runId, exec);
    const done = () => {
      if (active.get(runId) === p) active.delete(runId);
      if (exec && executions.get(runId) === exec) executions.delete(runId);
    };
    p.then(done, done);
    return p;
  }

  async function prepare(exec: RunExecution, signal?: AbortSignal): Promise<RunResult> {
    // The workspace's secrets, so that this execution's commits are redacted (commit-buffer.ts),
    // and the literal secrets typed into this workflow's node configs.
    if (settings.redaction) {
      await settings.redaction.prepare(exec.run.workspaceId);
      const literals = literalSecretsOf(exec.graph.document);
      if (literals.length > 0) settings.redaction.addSecrets?.(exec.run.workspaceId, literals);
    }
    if (settings.getWorkspaceBudget) exec.setWorkspaceBudget(await settings.getWorkspaceBudget(exec.run.workspaceId));
    if (signal) {
      if (signal.aborted) exec.requestCancel("signal");
      else signal.addEventListener("abort", () => exec.requestCancel("signal"), { once: true });
    }
    return exec.execute();
  }

  function sourceIds(source: RunSource, compiled: CompiledWorkflow) {
    const workspaceId = source.workspaceId ?? "default";
    const workflowId = source.workflowId ?? "adhoc";
    // Unversioned documents (tests, memory store) get a content-derived version id, so two
    // different documents never share a compiled graph.
    const workflowVersionId = source.workflowVersionId ?? `${workflowId}@${contentHash(compiled.document)}`;
    return { workspaceId, workflowId, workflowVersionId };
  }

  function checkInput(compiled: CompiledWorkflow, input: unknown) {
    const issues = validateRunInput(compiled.document, input);
    if (issues.length > 0) throw new InputValidationError(issues);
  }

  /** What creates a run (validated input, pinned ids, first state and event), not yet stored. */
  function creation(
    source: RunSource,
    input: unknown,
    opts: StartRunOptions & { depth?: number },
    withLease: boolean,
  ): { compiled: CompiledWorkflow; createInput: CreateRunInput } {
    const compiled = compileFor(source.workflowVersionId ?? null, source.document);
    const ids_ = sourceIds(source, compiled);
    checkInput(compiled, input);
    const now = clock.now();
    const runId = opts.runId ?? ids.id("run");
    const timeoutMs = compiled.document.limits?.timeoutMs;
    const createInput: CreateRunInput = {
      id: runId,
      ...ids_,
      document: compiled.document,
      input: input ?? null,
      trigger: opts.trigger ?? "manual",
      startedById: opts.startedById ?? null,
      parentRunId: opts.parentRunId ?? null,
      retryOfRunId: opts.retryOfRunId ?? null,
      deadlineAt: timeoutMs ? new Date(now.getTime() + timeoutMs) : null,
      status: withLease ? "running" : "queued",
      state: initialState(compiled.entry.id, compiled.document.limits, opts.depth ?? 0),
      createdAt: now,
      startedAt: withLease ? now : null,
      events: [
        {
          type: "run.started",
          data: {
            workflowId: ids_.workflowId,
            workflowVersionId: ids_.workflowVersionId,
            trigger: opts.trigger ?? "manual",
          },
        },
      ],
      ...(withLease ? { lease: { owner, ttlMs: leaseTtlMs } } : {}),
    };
    return { compiled, createInput };
  }

  async function create(
    source: RunSource,
    input: unknown,
    opts: StartRunOptions & { depth?: number },
    withLease: boolean,
  ): Promise<{ compiled: CompiledWorkflow; run: RunRecord; lease: Lease | null }> {
    const { compiled, createInput } = creation(source, input, opts, withLease);
    // The stored input has the workspace's secrets redacted (an executing run keeps the real one
    // in memory: see redact-commit.ts; a queued run starts from the stored one).
    if (settings.redaction && createInput.input !== null) {
      await settings.redaction.prepare(createInput.workspaceId);
      createInput.input = settings.redaction.redact(createInput.workspaceId, createInput.input);
    }
    const { run, lease, events } = await store.createRun(createInput);
    if (events.length > 0) options.notifier?.publish(run.id, events);
    return { compiled, run, lease };
  }

  /**
   * The lease of an unfinished run: free or expired, or held by an executor known to be dead
   * (`executorGone`), which is taken over at the fence it was seen with — a holder that took the
   * lease in between keeps it. Never a finished run's lease (nothing would give it back if this
   * process died right after).
   */
  async function takeLease(runId: string, now: Date): Promise<Lease | null> {
    const lease = await store.acquireLease(runId, owner, leaseTtlMs, now, { unfinished: true });
    if (lease || !options.executorGone) return lease;
    const run = await store.loadRun(runId);
    if (!run || isTerminal(run.status) || !run.leaseOwner || run.leaseOwner === owner) return null;
    if (!options.executorGone(run.leaseOwner)) return null;
    return store.acquireLease(runId, owner, leaseTtlMs, now, {
      unfinished: true,
      takeOverFrom: { owner: run.leaseOwner, fence: run.fence },
    });
  }

  async function resumeInternal(runId: string, signal?: AbortSignal): Promise<RunResult> {
    const now = clock.now();
    const lease = await takeLease(runId, now);
    if (!lease) {
      const snapshot = await engine.getResult(runId);
      if (!snapshot) throw new NotFoundError(`There is no run with id ${runId}.`);
      return snapshot;
    }
    // What stops carrying the run on before it executes tells whether another attempt can help.
    // Passing trouble (the database, a lost lease): the lease is given back, the next recovery
    // sweep tries again. A run that can never be executed (NonRetryableError from
    // executableGraph) ends failed, saying why, so that no sweep picks it up again.
    const loaded = await loadUnfinished(runId, lease).catch(giveBack(lease));
    if (!("run" in loaded)) return loaded.result;
    const { run } = loaded;
    let compiled: CompiledWorkflow;
    try {
      compiled = executableGraph(run);
    } catch (e) {
      if (isNonRetryableError(e)) return endUnexecutable(run, lease, "failed", e);
      return giveBack(lease)(e);
    }
    const exec = await RunExecution.load(deps, compiled, run, lease).catch(giveBack(lease));
    if (!exec) {
      // Still waiting on a person or a child: nothing to do.
      await store.releaseLease(lease);
      return (await engine.getResult(runId))!;
    }
    executions.set(runId, exec);
    try {
      return await prepare(exec, signal);
    } finally {
      if (executions.get(runId) === exec) executions.delete(runId);
    }
  }

  /**
   * A run we hold the lease of, if it is still unfinished; otherwise the lease is given back and
   * the run's result returned (NotFoundError when there is no such run).
   */
  async function loadUnfinished(runId: string, lease: Lease): Promise<{ run: RunRecord } | { result: RunResult }> {
    const run = await store.loadRun(runId);
    if (!run) {
      await store.releaseLease(lease);
      throw new NotFoundError(`There is no run with id ${runId}.`);
    }
    if (isTerminal(run.status)) {
      await store.releaseLease(lease);
      return { result: (await engine.getResult(runId))! };
    }
    return { run };
  }

  /** Load a run under a lease and stop it with a status and an error (reaper, cancel of a run not in this process). */
  async function stopStored(
    runId: string,
    lease: Lease,
    status: "failed" | "cancelled",
    error: unknown,
  ): Promise<RunResult> {
    const loaded = await loadUnfinished(runId, lease).catch(giveBack(lease));
    if (!("run" in loaded)) return loaded.result;
    const { run } = loaded;
    let compiled: CompiledWorkflow;
    try {
      compiled = executableGraph(run);
    } catch (e) {
      // stopped all the same, with the reason it was stopped for
      if (isNonRetryableError(e)) return endUnexecutable(run, lease, status, error);
      return giveBack(lease)(e);
    }
    const exec = (await RunExecution.load(deps, compiled, run, lease, { status, error }).catch(giveBack(lease)))!;
    return exec.execute();
  }

  /** A rejection handler: gives the lease back (best effort), then rethrows. */
  function giveBack(lease: Lease) {
    return async (e: unknown): Promise<never> => {
      await store.releaseLease(lease).catch(() => {});
      throw e;
    };
  }

  /**
   * What carrying a stored run on needs: its workflow version compiled (valid for this engine's
   * node types) and its engine state readable. Both depend on the stored rows only, so a failure
   * here is permanent: a NonRetryableError saying why (another attempt could never do better).
   */
  function executableGraph(run: RunRecord): CompiledWorkflow {
    let compiled: CompiledWorkflow;
    try {
      compiled = compileFor(run.workflowVersionId, run.document);
    } catch (e) {
      throw new NonRetryableError(`This run's workflow version cannot be executed: ${messageOf(e)}`, {
        cause: e,
        data: {
          workflowVersionId: run.workflowVersionId,
          ...(isInvalidWorkflowError(e) ? { issues: e.issues } : {}),
        },
      });
    }
    try {
      parseState(run.state);
    } catch (e) {
      throw new NonRetryableError(`This run cannot be carried on: ${messageOf(e)}`, { cause: e });
    }
    return compiled;
  }

  /**
   * Ends a run that cannot be executed (executableGraph() refused it), under its lease, without a
   * compiled graph: what finish() does for a failed or cancelled run, from the stored rows. Its
   * open steps and pending approvals are cancelled, the run gets `status`, the error and its
   * `run.<status>` event, and the lease is given back: one commit, so the run is never half ended
   * and no sweep picks it up again.
   */
  async function endUnexecutable(
    run: RunRecord,
    lease: Lease,
    status: "failed" | "cancelled",
    reason: unknown,
  ): Promise<RunResult> {
    const now = clock.now();
    const error = serializeError(reason);
    const events: RunEventInput[] = [];
    let commit: Awaited<ReturnType<typeof store.commit>>;
    try {
      const [steps, approvals] = await Promise.all([store.listSteps(run.id), store.listApprovals({ runId: run.id })]);
      const open = steps.filter((s) => s.status === "running" || s.status === "waiting" || s.status === "pending");
      for (const s of open)
        events.push({ type: "step.cancelled", data: { nodeId: s.nodeId, visit: s.visit, attempt: s.attempt } });
      events.push({ type: `run.${status}`, data: { usage: { ...run.usage }, stepCount: run.stepCount, error } });
      const why = status === "cancelled" ? "The run was cancelled." : "The run failed.";
      commit = await store.commit(
        lease,
        {
          run: {
            status,
            output: null,
            error,
            waitingOnPerson: false,
            endedAt: now,
            durationMs: Math.max(0, now.getTime() - (run.startedAt ?? run.createdAt).getTime()),
          },
          steps: open.map((s) => ({
            ...s,
            status: "cancelled" as const,
            endedAt: now,
            durationMs: Math.max(0, now.getTime() - s.startedAt.getTime()),
          })),
          approvals: {
            update: approvals
              .filter((a) => a.status === "pending")
              .map((a) => ({
                id: a.id,
                ifPending: "skip" as const,
                set: {
                  status: "cancelled" as const,
                  decidedAt: now,
                  decision: { reason: why, via: "system" as const },
                },
              })),
          },
          events,
          releaseLease: true,
        },
        now,
      );
    } catch (e) {
      return giveBack(lease)(e);
    }
    if (commit.events.length > 0) options.notifier?.publish(run.id, commit.events);
    // Subworkflows it started, when its state says which (best effort, as finish() does).
    let children: string[] = [];
    try {
      children = parseState(run.state).tokens.flatMap((t) => (t.childRunId ? [t.childRunId] : []));
    } catch {
      // no readable state: no known children
    }
    for (const child of children) await deps.cancelRun(child, "parent run ended").catch(() => {});
    if (run.parentRunId) {
      try {
        await deps.resumeParent(run.parentRunId);
      } catch {
        // the parent is recovered later
      }
    }
    return (await engine.getResult(run.id))!;
  }

  async function runChild(
    parent: RunExecution,
    childRunId: string,
    input: { workflow: string; version: number | "latest"; input: unknown },
  ): Promise<ChildRunOutcome> {
    const existing = await store.loadRun(childRunId);
    if (existing) {
      const r = isTerminal(existing.status) ? existing : await engine.runUntilPauseOrEnd(childRunId);
      return { runId: childRunId, status: r.status, output: r.output, error: r.error };
    }
    if (!options.resolver) throw new NonRetryableError("Subworkflows are not available here (no workflow resolver).");
    const depth = ((parent.run.state as { depth?: number })?.depth ?? 0) + 1;
    const maxDepth = settings.maxSubworkflowDepth ?? DEFAULT_MAX_DEPTH;
    if (depth > maxDepth)
      throw new NonRetryableError(`Subworkflows are nested more than ${maxDepth} deep; the innermost was not started.`);
    const resolved = await options.resolver.resolve({
      workspaceId: parent.run.workspaceId,
      workflow: input.workflow,
      version: input.version,
    });
    if (!resolved)
      throw new NonRetryableError(
        `The workflow "${input.workflow}" (version ${input.version}) does not exist or has no published version.`,
      );
    let created: Awaited<ReturnType<typeof create>>;
    try {
      created = await create(
        {
          document: resolved.document,
          workspaceId: parent.run.workspaceId,
          workflowId: resolved.workflowId,
          workflowVersionId: resolved.workflowVersionId,
        },
        input.input,
        { runId: childRunId, trigger: "subworkflow", parentRunId: parent.runId, depth },
        true,
      );
    } catch (e) {
      if (e instanceof InputValidationError)
        throw new NonRetryableError(`The subworkflow's input is not valid: ${e.message}`, { cause: e });
      throw e;
    }
    const exec = RunExecution.fresh(deps, created.compiled, created.run, created.lease!);
    exec.inlineChild = true;
    const r = await track(childRunId, exec, prepare(exec));
    return { runId: childRunId, status: r.status, output: r.output, error: r.error };
  }

  const engine: Engine & { readonly owner: string } = {
    owner,

    async startRun(source, input, opts = {}) {
      const { run } = await create(source, input, opts, false);
      return { runId: run.id };
    },

    async startHere(source, input, opts = {}) {
      const created = await create(source, input, opts, true);
      // executed with the input as given; the stored one has the workspace's secrets redacted
      const run = { ...created.run, input: input ?? null };
      const exec = RunExecution.fresh(deps, created.compiled, run, created.lease!);
      const result = track(created.run.id, exec, prepare(exec, opts.signal));
      // the caller awaits it after its own bookkeeping; a failure meanwhile is not "unhandled"
      result.catch(() => {});
      return { runId: created.run.id, result };
    },

    async execute(source, input, opts = {}) {
      // The run is created by its first commit (same transaction): nothing is told about it before
      // that commit, and a step with side effects waits for it like for any earlier commit.
      const { compiled, createInput } = creation(source, input, opts, true);
      const { run, lease } = newRunRecord(createInput);
      const exec = RunExecution.fresh(deps, compiled, run, lease!, createInput);
      return track(run.id, exec, prepare(exec, opts.signal));
    },

    runUntilPauseOrEnd(runId, opts = {}) {
      const running = active.get(runId);
      if (running) return running;
      return track(runId, null, resumeInternal(runId, opts.signal));
    },

    resume(runId, opts) {
      return engine.runUntilPauseOrEnd(runId, opts);
    },

    async decide(approvalId, input: DecideInput) {
      const a = await store.getApproval(approvalId);
      if (!a) throw new NotFoundError(`There is no approval with id ${approvalId}.`);
      if (a.status !== "pending") throw new ApprovalNotPendingError(a.id, a.status, a.decidedById, a.decidedAt);
      const issues = decisionIssues(a, input);
      if (issues.length > 0) throw new InputValidationError(issues);
      const now = clock.now();
      const status = input.decision === "approve" ? "approved" : "rejected";
      const decision = {
        comment: input.comment ?? null,
        via: "person" as const,
        ...(input.data !== undefined && input.decision === "approve" ? { data: input.data } : {}),
      };
      await store.decideApproval(approvalId, {
        status,
        by: input.by,
        at: now,
        decision,
        events: [
          {
            type: "approval.decided",
            data: {
              approvalId,
              nodeId: a.nodeId,
              kind: a.kind,
              status,
              by: input.by,
              comment: input.comment ?? null,
              edited: decision.data !== undefined,
            },
          },
        ],
      });
      return engine.runUntilPauseOrEnd(a.runId);
    },

    testStep(input) {
      return testStep(deps, options.nodes, input);
    },

    retryFromFailed(runId, opts = {}) {
      return createRetryRun({ store, ids, now: () => clock.now(), owner }, runId, {
        workspaceId: opts.workspaceId,
        userId: opts.startedById ?? null,
      });
    },

    async cancel(runId, by = null) {
      const exec = executions.get(runId);
      const running = active.get(runId);
      if (exec && running) {
        exec.requestCancel(by);
        return running;
      }
      // A finished run keeps no lease (nor gets one): its result is all there is to return.
      const lease = await store.acquireLease(runId, owner, leaseTtlMs, clock.now(), { force: true, unfinished: true });
      if (!lease) {
        const finished = await engine.getResult(runId);
        if (!finished) throw new NotFoundError(`There is no run with id ${runId}.`);
        return finished;
      }
      return stopStored(
        runId,
        lease,
        "cancelled",
        new CancelledError(`The run was cancelled${by ? ` by ${by}` : ""}.`, { by }),
      );
    },

    async recover(now = clock.now()) {
      const runIds = await store.findRunsToRecover(now);
      const results: RunResult[] = [];
      for (const id of runIds) {
        if (active.has(id)) continue;
        try {
          results.push(await engine.runUntilPauseOrEnd(id));
        } catch (e) {
          const snapshot = await engine.getResult(id).catch(() => null);
          if (snapshot)
            results.push({
              ...snapshot,
              error: snapshot.error ?? {
                code: "internal",
                name: "Error",
                message: String((e as Error)?.message ?? e),
                retryable: false,
              },
            });
        }
      }
      return results;
    },

    async reap(now = clock.now()) {
      const runIds = await store.findRunsPastDeadline(now);
      const results: RunResult[] = [];
      for (const id of runIds) {
        if (active.has(id)) continue; // its own deadline timer fires
        const lease = await takeLease(id, now);
        if (!lease) continue;
        const run = await store.loadRun(id);
        const at = run?.deadlineAt?.toISOString() ?? "its deadline";
        results.push(
          await stopStored(
            id,
            lease,
            "failed",
            new RunTimeoutError(`The run was still unfinished at ${at} (limits.timeoutMs), so it was stopped.`),
          ),
        );
      }
      return results;
    },

    async expireApprovals(now = clock.now()) {
      const due = await store.findApprovalsPastDeadline(now);
      const runs = new Set<string>();
      for (const a of due) {
        if (a.onTimeout === "escalate" && a.escalateTo && a.escalationLevel < a.escalateTo.length) {
          const level = a.escalateTo[a.escalationLevel]!;
          const lease = await takeLease(a.runId, now);
          if (!lease) continue; // busy; next tick
          const timeoutMs = level.timeoutMs === undefined ? null : level.timeoutMs;
          try {
            await store.commit(
              lease,
              {
                approvals: {
                  update: [
                    {
                      id: a.id,
                      ifPending: "throw",
                      set: {
                        assignees: { roles: level.roles, users: level.users },
                        escalationLevel: a.escalationLevel + 1,
                        deadlineAt: timeoutMs === null ? null : new Date(now.getTime() + timeoutMs),
                      },
                    },
                  ],
                },
                events: [
                  {
                    type: "approval.escalated",
                    data: {
                      approvalId: a.id,
                      nodeId: a.nodeId,
                      level: a.escalationLevel + 1,
                      assignees: { roles: level.roles, users: level.users },
                    },
                  },
                ],
                releaseLease: true,
              },
              now,
            );
          } catch (e) {
            await store.releaseLease(lease).catch(() => {});
            if (!isApprovalNotPendingError(e)) throw e;
          }
          continue;
        }
        const status = a.onTimeout === "approve" ? "approved" : "expired";
        try {
          await store.decideApproval(a.id, {
            status,
            by: null,
            at: now,
            decision: {
              via: "timeout",
              reason: `No decision before the deadline (${a.deadlineAt?.toISOString()}); ${
                status === "approved" ? "approved automatically" : "treated as rejected"
              }.`,
            },
            events: [
              {
                type: "approval.decided",
                data: { approvalId: a.id, nodeId: a.nodeId, kind: a.kind, status, by: null, via: "timeout" },
              },
            ],
          });
          runs.add(a.runId);
        } catch (e) {
          if (!isApprovalNotPendingError(e)) throw e;
        }
      }
      const results: RunResult[] = [];
      for (const runId of runs) results.push(await engine.runUntilPauseOrEnd(runId));
      return results;
    },

    async getResult(runId) {
      const run = await store.loadRun(runId);
      if (!run) return null;
      const [steps, approvals] = await Promise.all([store.listSteps(runId), store.listApprovals({ runId })]);
      return resultFromRecords(run, steps, approvals);
    },

    async shutdown() {
      const pending = [...active.values()];
      for (const exec of executions.values()) exec.abandon();
      await Promise.allSettled(pending);
    },
  };
  return engine;
}
