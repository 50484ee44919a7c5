import type { CreateRunInput, Lease, RunRecord } from "@/lib/contracts/ports";

/**
 * The run a `CreateRunInput` describes, as a store holds it right after creating it (no usage,
 * no steps; fence 1 and the lease when the input asks for one). Stores build their records with
 * it, and the engine uses it for a run whose creation rides on its first commit.
 */
export function newRunRecord(input: CreateRunInput): { run: RunRecord; lease: Lease | null } {
  const lease = input.lease ? { runId: input.id, owner: input.lease.owner, fence: 1 } : null;
  const run: RunRecord = {
    id: input.id,
    workspaceId: input.workspaceId,
    workflowId: input.workflowId,
    workflowVersionId: input.workflowVersionId,
    document: input.document,
    status: input.status,
    trigger: input.trigger,
    input: input.input ?? null,
    output: null,
    error: null,
    state: input.state ?? {},
    startedById: input.startedById ?? null,
    parentRunId: input.parentRunId ?? null,
    retryOfRunId: input.retryOfRunId ?? null,
    createdAt: input.createdAt,
    startedAt: input.startedAt ?? null,
    endedAt: null,
    deadlineAt: input.deadlineAt ?? null,
    usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
    stepCount: 0,
    waitingOnPerson: false,
    leaseOwner: input.lease?.owner ?? null,
    leaseUntil: input.lease ? new Date(input.createdAt.getTime() + input.lease.ttlMs) : null,
    fence: lease ? 1 : 0,
    lastSeq: input.events?.length ?? 0,
  };
  return { run, lease };
}
