// POST /api/v1/approvals/:id/decision — decide an approval (session or API key).
//   { "decision": "approve" | "reject", "reason"?: string (required to reject), "comment"?: string, "data"?: edited payload }
// 200 { approval: { id, status, runId, decidedBy } }; 409 when already decided (the message says by whom and what);
// 403 when the caller is not an assignee (or is a viewer); 400 with fieldErrors for a missing reason or an invalid edit.
import { API_V1 } from "@/lib/server/api-v1";
import { approvalOfPath } from "@/lib/server/resources";
import { v1Route } from "@/lib/server/route";
import { decideApproval } from "@/lib/use-cases/approvals";

export const dynamic = "force-dynamic";

export const POST = v1Route(
  API_V1.decideApproval,
  { resource: approvalOfPath },
  async ({ actor, input, host, params }) => {
    const outcome = await decideApproval(host.approvals, actor, {
      approvalId: String(params.id),
      ...input,
      via: "api",
    });
    return {
      approval: { id: outcome.approvalId, status: outcome.status, runId: outcome.runId, decidedBy: outcome.decidedBy },
    };
  },
);
