// GET /api/v1/runs — the runs list as JSON, same filters as the /runs page, cursor-paginated.
// POST /api/v1/runs — start a run of a workflow's published version:
//   { "workflowId": "<id or name>", "version"?: <n> | "latest", "input"?: {…} }  [Idempotency-Key: <key>]
//   201 { runId, status: "queued", version }; 200 the same run again for a repeated Idempotency-Key;
//   404 no such workflow or version; 400 naming the input field; 409 a reused Idempotency-Key.
// The run is carried on by the host's dispatcher; follow it at /api/v1/runs/<id>/events.
import { listRuns } from "@/lib/db/runs-queries";
import { API_V1 } from "@/lib/server/api-v1";
import { idempotencyKeyOf, v1Route } from "@/lib/server/route";
import { startCallerOf, startWorkflowRun } from "@/lib/use-cases/runs";

export const dynamic = "force-dynamic";

export const GET = v1Route(API_V1.listRuns, {}, async ({ actor, input, db }) => {
  const { cursor, limit, ...filter } = input;
  const page = await listRuns(db, actor.workspaceId, filter, { cursor, limit });
  return { runs: page.items, nextCursor: page.nextCursor };
});

export const POST = v1Route(API_V1.startRun, {}, async ({ actor, input, host, request }) => {
  const started = await startWorkflowRun(host, startCallerOf(actor), {
    trigger: "api",
    source: { kind: "published", workflowId: input.workflowId, version: input.version },
    input: input.input,
    idempotencyKey: idempotencyKeyOf(request),
  });
  const body = { runId: started.runId, status: started.status, version: started.version, replayed: started.replayed };
  return Response.json(body, { status: started.replayed ? 200 : 201, headers: { "cache-control": "no-store" } });
});
