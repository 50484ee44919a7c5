// GET /api/v1/runs — the runs list as JSON, same filters as the /runs page, cursor-paginated.
// POST /api/v1/runs — start a run of a workflow's published version:
//   { "workflowId": "<id or name>", "version"?: <n> | "latest", "input"?: {…} }
//   201 { runId, status: "queued", version }; 404 no such workflow or version; 400 naming the input field.
// The run is carried on by this server (SWITCHBOARD_EXECUTE=inline) or by the workers (workers: the
// job is added in the transaction that creates the run); follow it at /api/runs/<id>/events.
import { z } from "zod";
import { AppError } from "@/lib/contracts/app-errors";
import { recordAudit } from "@/lib/db/audit";
import { listRuns, RunsFilterSchema } from "@/lib/db/runs-queries";
import { loadPublishedVersion } from "@/lib/db/workflows-store";
import { authedRoute } from "@/lib/server/route";
import { personId } from "@/lib/use-cases/scope";

const ListInput = RunsFilterSchema.extend({
  cursor: z.string().max(300).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export const GET = authedRoute({ action: "run.read", input: ListInput }, async ({ actor, input, db }) => {
  const { cursor, limit, ...filter } = input;
  const page = await listRuns(db, actor.workspaceId, filter, { cursor, limit });
  return { runs: page.items, nextCursor: page.nextCursor };
});

const StartInput = z.object({
  workflowId: z.string().min(1).max(300),
  version: z.union([z.number().int().positive(), z.literal("latest")]).optional(),
  input: z.unknown().optional(),
});

export const POST = authedRoute({ action: "run.start", input: StartInput }, async ({ actor, input, db, host }) => {
  const published = await loadPublishedVersion(db, actor.workspaceId, input.workflowId, input.version ?? "latest");
  if (!published)
    throw new AppError("not_found:workflow", {
      message: `The workflow "${input.workflowId}" does not exist here or has no published version${input.version && input.version !== "latest" ? ` ${input.version}` : ""}.`,
    });
  const { runId } = await host.engine.startRun(
    {
      document: published.document,
      workspaceId: actor.workspaceId,
      workflowId: published.workflowId,
      workflowVersionId: published.workflowVersionId,
    },
    input.input ?? {},
    { trigger: "api", startedById: personId(actor) },
  );
  host.dispatcher.carryOn(runId);
  await recordAudit(db, {
    workspaceId: actor.workspaceId,
    actor,
    action: "run.started",
    targetType: "run",
    targetId: runId,
    summary: `Started run ${runId} of version ${published.version} through the API`,
  });
  return Response.json(
    { runId, status: "queued", version: published.version },
    { status: 201, headers: { "cache-control": "no-store" } },
  );
});
