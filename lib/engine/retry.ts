/**
 * Retry a failed run from the step that failed, reusing what already succeeded
 * (engine.retryFromFailed). The engine owns its persisted state format (state.ts), so the retry
 * run is seeded here, inside the engine:
 *   1. a NEW run (trigger "retry", retryOfRunId = the failed run) on the same pinned version,
 *      with the same input, status `queued`, and the failed run's state (visits, settled edges,
 *      vars, conversation) with a fresh frontier: one `ready` token for each node visit whose
 *      last attempt did not finish (failed, cancelled, running, waiting);
 *   2. in the same lease, one commit that copies every node visit whose last attempt succeeded
 *      or was skipped onto the new run, with its original output, timestamps and idempotency
 *      key, and ZERO usage: nothing already paid for runs again, and the new run's tokens/cost
 *      (and the dashboard) count only what the retry itself spends;
 *   3. the engine's normal resume: RunExecution.load rebuilds the node context from the step
 *      rows (the copies), and runs the ready tokens.
 * What this cannot recover: activations that were `ready` but had not started when the run
 * failed (the engine clears the frontier on failure and they left no step row).
 */
import type { CreateRunInput, IdGenerator, RunRecord, RunStore, StepRecord } from "@/lib/contracts/ports";
import { parseState, type RunState, type TokenState } from "./state";

export const ZERO = { inputTokens: 0, outputTokens: 0, costUsd: 0 } as const;

export class RetryRefusedError extends Error {
  constructor(
    readonly reason: "not_found" | "not_failed" | "nothing_failed",
    message: string,
  ) {
    super(message);
    this.name = "RetryRefusedError";
  }
}

export interface RetryPlan {
  state: RunState;
  /** step rows for the new run (copies of completed node visits, zero usage) */
  reused: StepRecord[];
  /** node visits that will run again */
  rerun: { nodeId: string; visit: number }[];
}

const DONE = new Set(["succeeded", "skipped"]);

/** Pure: what the retry run starts with. */
export function planRetry(
  run: Pick<RunRecord, "state">,
  steps: StepRecord[],
  newRunId: string,
  stepId: () => string,
): RetryPlan {
  const last = new Map<string, StepRecord>();
  for (const s of steps) {
    const k = `${s.nodeId}\u0000${s.visit}`;
    const cur = last.get(k);
    if (!cur || s.attempt > cur.attempt) last.set(k, s);
  }
  const reused: StepRecord[] = [];
  const rerun: { nodeId: string; visit: number }[] = [];
  for (const s of last.values()) {
    if (DONE.has(s.status)) {
      reused.push({ ...s, id: stepId(), runId: newRunId, attempt: 1, usage: { ...ZERO } });
    } else rerun.push({ nodeId: s.nodeId, visit: s.visit });
  }
  const base = parseState(run.state);
  const tokens: TokenState[] = [];
  const seen = new Set<string>();
  // Tokens still in the state (a run stopped while waiting keeps them) come back as ready.
  for (const t of base.tokens) {
    const k = `${t.node}\u0000${t.visit}`;
    if (seen.has(k) || reused.some((r) => r.nodeId === t.node && r.visit === t.visit)) continue;
    seen.add(k);
    tokens.push({ node: t.node, visit: t.visit, attempt: 1, crashes: 0, status: "ready" });
  }
  for (const r of rerun) {
    const k = `${r.nodeId}\u0000${r.visit}`;
    if (seen.has(k)) continue;
    seen.add(k);
    // The attempt number carries on from the failed run (attempt n+1, so logs, idempotency and a
    // provider see the next attempt), while `crashes` = n keeps the node's full retry budget.
    const n = last.get(k)?.attempt ?? 0;
    tokens.push({ node: r.nodeId, visit: r.visit, attempt: n + 1, crashes: n, status: "ready" });
  }
  const state: RunState = {
    ...base,
    tokens,
    budget: { ...base.budget, approvalId: null },
  };
  delete state.output;
  reused.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  return { state, reused, rerun };
}

export interface RetryDeps {
  store: RunStore;
  ids: IdGenerator;
  now: () => Date;
  /** lease owner name while seeding the new run */
  owner: string;
}

/**
 * Creates the retry run, seeded and queued. The caller then carries it on with the engine
 * (`engine.resume(runId)`); if nobody does, the engine's recover() picks queued runs up.
 */
export async function createRetryRun(
  deps: RetryDeps,
  runId: string,
  by: { workspaceId?: string; userId: string | null },
): Promise<{ runId: string; reused: number; rerun: { nodeId: string; visit: number }[] }> {
  const run = await deps.store.loadRun(runId);
  if (!run || (by.workspaceId !== undefined && run.workspaceId !== by.workspaceId))
    throw new RetryRefusedError("not_found", "Run not found.");
  if (run.status !== "failed") {
    throw new RetryRefusedError(
      "not_failed",
      `Only a failed run can be retried from its failed step (this one is ${run.status}).`,
    );
  }
  const steps = await deps.store.listSteps(run.id);
  const newRunId = deps.ids.id("run");
  const plan = planRetry(run, steps, newRunId, () => deps.ids.id("step"));
  if (plan.rerun.length === 0 && plan.state.tokens.length === 0) {
    throw new RetryRefusedError("nothing_failed", "No failed step to retry from; re-run the workflow instead.");
  }
  const now = deps.now();
  const input: CreateRunInput = {
    id: newRunId,
    workspaceId: run.workspaceId,
    workflowId: run.workflowId,
    workflowVersionId: run.workflowVersionId,
    document: run.document,
    input: run.input,
    trigger: "retry",
    startedById: by.userId,
    parentRunId: run.parentRunId,
    retryOfRunId: run.id,
    status: "queued",
    state: plan.state,
    createdAt: now,
    lease: { owner: deps.owner, ttlMs: 30_000 },
  };
  const created = await deps.store.createRun(input);
  if (!created.lease) throw new Error("Could not take the lease of the new retry run.");
  await deps.store.commit(
    created.lease,
    {
      steps: plan.reused,
      run: { usage: { ...ZERO }, stepCount: plan.reused.length },
      releaseLease: true,
    },
    now,
  );
  return { runId: newRunId, reused: plan.reused.length, rerun: plan.rerun };
}
