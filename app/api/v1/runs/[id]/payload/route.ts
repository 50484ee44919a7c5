// GET /api/v1/runs/:id/payload?field=output[&step=<stepId>] — the full JSON of a payload the
// run page shows truncated, as a download.
import { z } from "zod";
import { AppError } from "@/lib/contracts/app-errors";
import { getPayload } from "@/lib/db/runs-queries";
import { authedRoute } from "@/lib/server/route";

const Input = z.object({ field: z.enum(["input", "output", "error"]), step: z.string().max(200).optional() });

export const GET = authedRoute({ action: "run.read", input: Input }, async ({ actor, db, input, params }) => {
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
