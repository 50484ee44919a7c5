// POST /api/v1/approvals/:id/decision — decide an approval (session or API key).
//   { "decision": "approve" | "reject", "reason"?: string (required to reject), "comment"?: string, "data"?: edited payload }
// 200 { approval: { id, status, runId, decidedBy } }; 409 when already decided (the message says by whom and what);
// 403 when the caller is not an assignee (or is a viewer); 400 with fieldErrors for a missing reason or an invalid edit.
import { z } from "zod";
import { approvalDeps } from "@/lib/approvals/app";
import { decideApproval } from "@/lib/approvals/service";
import { parseAssignees } from "@/lib/db/approvals";
import { authedRoute } from "@/lib/server/route";

export const dynamic = "force-dynamic";

export const POST = authedRoute(
  {
    action: "approval.decide",
    input: z.object({
      decision: z.enum(["approve", "reject"]),
      reason: z.string().max(2000).optional(),
      comment: z.string().max(4000).optional(),
      data: z.unknown().optional(),
    }),
    resource: async (_input, db, params) => {
      const row = await db.prisma.approval.findUnique({
        where: { id: String(params.id) },
        select: { workspaceId: true, assigneeRoles: true, assigneeUserIds: true },
      });
      if (!row) return null;
      const { roles, userIds } = parseAssignees(row);
      return { workspaceId: row.workspaceId, assigneeRoles: roles, assigneeUserIds: userIds };
    },
  },
  async ({ actor, input, db, params }) => {
    const outcome = await decideApproval(await approvalDeps(db), actor, {
      approvalId: String(params.id),
      ...input,
      via: "api",
    });
    return {
      approval: { id: outcome.approvalId, status: outcome.status, runId: outcome.runId, decidedBy: outcome.decidedBy },
    };
  },
);
