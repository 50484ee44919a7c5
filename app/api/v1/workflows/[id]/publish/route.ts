// POST /api/v1/workflows/:id/publish { "note"?: "…" } — publish the draft as a new version.
import { API_V1 } from "@/lib/server/api-v1";
import { loadWorkflowOfPath } from "@/lib/server/resources";
import { v1Route } from "@/lib/server/route";
import { personId, scopeOf } from "@/lib/use-cases/scope";
import { publishWorkflowJson } from "@/lib/use-cases/workflows";

export const dynamic = "force-dynamic";

export const POST = v1Route(API_V1.publishWorkflow, { resource: loadWorkflowOfPath }, ({ actor, db, input, params }) =>
  publishWorkflowJson(db, { ...scopeOf(actor), userId: personId(actor) }, { id: String(params.id), note: input.note }),
);
