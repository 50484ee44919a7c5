// GET /api/v1/workflows/:id — one workflow with its draft document.
import { API_V1 } from "@/lib/server/api-v1";
import { v1Route } from "@/lib/server/route";
import { getWorkflowJson } from "@/lib/use-cases/workflows";

export const dynamic = "force-dynamic";

export const GET = v1Route(API_V1.getWorkflow, {}, ({ actor, db, params }) =>
  getWorkflowJson(db, actor.workspaceId, String(params.id)),
);
