// GET /api/v1/approvals/:id — one approval with its payload and trail.
import { AppError } from "@/lib/contracts/app-errors";
import { getApprovalDetail } from "@/lib/db/approvals";
import { API_V1 } from "@/lib/server/api-v1";
import { v1Route } from "@/lib/server/route";
import { approvalDetailJson } from "../serialize";

export const dynamic = "force-dynamic";

export const GET = v1Route(API_V1.getApproval, {}, async ({ actor, db, params }) => {
  const detail = await getApprovalDetail(db, actor.workspaceId, String(params.id));
  if (!detail) throw new AppError("not_found:approval");
  return { approval: approvalDetailJson(detail) };
});
