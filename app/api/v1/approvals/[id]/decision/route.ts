// POST /api/v1/approvals/:id/decision — decide an approval (session or API key).
//   { "decision": "approve" | "reject", "reason"?: string (required to reject), "comment"?: string, "data"?: edited payload }
// 200 { approval: { id, status, runId, decidedBy } }; 409 when already decided (the message says by whom and what);
// 403 when the caller is not an assignee (or is a viewer); 400 with fieldErrors for a missing reason or an invalid edit.
import { z } from "zod";
import { userText } from "@/lib/contracts/text";
import { approvalOfPath } from "@/lib/server/resources";
import { authedRoute } from "@/lib/server/route";
import { decideApproval } from "@/lib/use-cases/approvals";

export const dynamic = "force-dynamic";

export const POST = authedRoute(
  {
    action: "approval.decide",
    input: z.object({
      decision: z.enum(["approve", "reject"]),
      reason: userText().max(2000).optional(),
      comment: userText().max(4000).optional(),
      data: z.unknown().optional(),
    }),
    resource: approvalOfPath,
  },
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
