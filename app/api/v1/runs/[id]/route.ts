// GET /api/v1/runs/:id — one run with its steps (payloads truncated), approvals and conversation.
import { AppError } from "@/lib/contracts/app-errors";
import { getRunDetail } from "@/lib/db/runs-queries";
import { API_V1 } from "@/lib/server/api-v1";
import { v1Route } from "@/lib/server/route";

export const dynamic = "force-dynamic";

export const GET = v1Route(API_V1.getRun, {}, async ({ actor, db, params }) => {
  const detail = await getRunDetail(db, actor.workspaceId, String(params.id));
  if (!detail) throw new AppError("not_found:run");
  return detail;
});
