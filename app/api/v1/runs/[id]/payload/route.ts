// GET /api/v1/runs/:id/payload?field=output[&step=<stepId>] — the full JSON of a payload the
// run page shows truncated, as a download.
import { AppError } from "@/lib/contracts/app-errors";
import { getPayload } from "@/lib/db/runs-queries";
import { API_V1 } from "@/lib/server/api-v1";
import { v1Route } from "@/lib/server/route";

export const dynamic = "force-dynamic";

export const GET = v1Route(API_V1.getRunPayload, {}, async ({ actor, db, input, params }) => {
  const runId = String(params.id);
  const value = await getPayload(db, actor.workspaceId, runId, { stepId: input.step, field: input.field });
  if (value === undefined) throw new AppError(input.step ? "not_found:step" : "not_found:run");
  const name = `${runId}${input.step ? `-${input.step}` : ""}-${input.field}.json`.replace(/[^A-Za-z0-9._-]/g, "_");
  return new Response(JSON.stringify(value ?? null, null, 2), {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "no-store",
    },
  });
});
