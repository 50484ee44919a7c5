// GET /api/v1/approvals?tab=waiting|decided|all&workflowId=&minAgeMs=&limit= — the inbox lists.
import { can } from "@/lib/auth/policy";
import { AppError } from "@/lib/contracts/app-errors";
import { listApprovals } from "@/lib/db/approvals";
import { API_V1 } from "@/lib/server/api-v1";
import { v1Route } from "@/lib/server/route";
import { approvalJson } from "./serialize";

export const dynamic = "force-dynamic";

export const GET = v1Route(API_V1.listApprovals, {}, async ({ actor, input, db }) => {
  if (input.tab === "all" && !can(actor, "approval.readAll", { workspaceId: actor.workspaceId })) {
    throw new AppError("forbidden:approval", { message: "Only admins can list all approvals." });
  }
  const items = await listApprovals(db, actor, input);
  return { approvals: items.map(approvalJson) };
});
