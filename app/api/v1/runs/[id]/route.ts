// GET /api/v1/runs/:id — one run with its steps (payloads truncated), approvals and conversation.

import { AppError } from "@/lib/contracts/app-errors";
import { getRunDetail } from "@/lib/db/runs-queries";
import { authedRoute } from "@/lib/server/route";

export const GET = authedRoute({ action: "run.read" }, async ({ actor, db, params }) => {
  const detail = await getRunDetail(db, actor.workspaceId, String(params.id));
  if (!detail) throw new AppError("not_found:run");
  return detail;
});
