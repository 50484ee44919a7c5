// GET /api/v1/workflows?q=&limit= — the workspace's workflows.
import { API_V1 } from "@/lib/server/api-v1";
import { v1Route } from "@/lib/server/route";
import { listWorkflowsJson } from "@/lib/use-cases/workflows";

export const dynamic = "force-dynamic";

export const GET = v1Route(API_V1.listWorkflows, {}, ({ actor, db, input }) =>
  listWorkflowsJson(db, actor.workspaceId, input),
);
