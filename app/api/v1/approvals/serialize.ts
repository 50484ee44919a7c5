// The public JSON shape of an approval (REST v1). Dates as ISO strings.
import type { ApprovalDetail, ApprovalSummary } from "@/lib/db/approvals";

export function approvalJson(a: ApprovalSummary) {
  return {
    id: a.id,
    kind: a.kind,
    status: a.status,
    title: a.title,
    details: a.details,
    runId: a.runId,
    nodeId: a.nodeId,
    workflow: { id: a.workflowId, name: a.workflowName },
    assignees: { roles: a.assigneeRoles, users: a.assigneeUserIds },
    escalationLevel: a.escalationLevel,
    allowEdit: a.allowEdit,
    createdAt: a.createdAt.toISOString(),
    deadlineAt: a.deadlineAt?.toISOString() ?? null,
    onTimeout: a.onTimeout,
    decidedAt: a.decidedAt?.toISOString() ?? null,
    decidedBy: a.decidedByLabel,
    decision: a.decision,
  };
}

export function approvalDetailJson(a: ApprovalDetail) {
  return {
    ...approvalJson(a),
    payload: a.payload,
    editSchema: a.editSchema,
    run: {
      id: a.run.id,
      status: a.run.status,
      usage: { inputTokens: a.run.inputTokens, outputTokens: a.run.outputTokens, costUsd: a.run.costUsd },
    },
    steps: a.steps.map((s) => ({
      nodeId: s.nodeId,
      nodeType: s.nodeType,
      visit: s.visit,
      attempt: s.attempt,
      status: s.status,
      output: s.output,
      error: s.error,
      startedAt: s.startedAt.toISOString(),
      endedAt: s.endedAt?.toISOString() ?? null,
    })),
    conversation: a.conversation,
    handoffs: a.handoffs,
  };
}
