// POST /api/v1/workflows/import { "document": {…}, "publish"?: true } — a new workflow (201);
// every problem of the document listed in `errors`, nothing saved. Bodies up to 10 MiB.
import { API_V1 } from "@/lib/server/api-v1";
import { v1Route } from "@/lib/server/route";
import { personId, scopeOf } from "@/lib/use-cases/scope";
import { importWorkflowAndPublish } from "@/lib/use-cases/workflows";

export const dynamic = "force-dynamic";

export const POST = v1Route(API_V1.importWorkflow, {}, async ({ actor, db, input }) =>
  Response.json(await importWorkflowAndPublish(db, { ...scopeOf(actor), userId: personId(actor) }, input), {
    status: 201,
    headers: { "cache-control": "no-store" },
  }),
);
