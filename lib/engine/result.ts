import type { ApprovalRecord, RunRecord, StepRecord } from "@/lib/contracts/ports";
import type { RunResult, RunResultApproval, RunResultStep } from "./types";

export function toResultStep(s: StepRecord): RunResultStep {
  return {
    nodeId: s.nodeId,
    visit: s.visit,
    attempt: s.attempt,
    status: s.status,
    startedAt: s.startedAt.toISOString(),
    endedAt: s.endedAt ? s.endedAt.toISOString() : null,
    output: s.output ?? null,
    error: s.error,
    usage: s.usage,
  };
}

export function toResultApproval(a: Pick<ApprovalRecord, "id" | "nodeId" | "kind" | "status">): RunResultApproval {
  return { id: a.id, nodeId: a.nodeId, kind: a.kind, status: a.status };
}

export function resultFromRecords(run: RunRecord, steps: StepRecord[], approvals: ApprovalRecord[]): RunResult {
  return {
    runId: run.id,
    status: run.status,
    output: run.output ?? null,
    error: run.error,
    usage: run.usage,
    steps: steps.map(toResultStep),
    approvals: approvals.map(toResultApproval),
  };
}
