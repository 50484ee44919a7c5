// POST /api/v1/runs/:id/cancel — cancel an unfinished run; 409 when it already ended.
import { API_V1 } from "@/lib/server/api-v1";
import { runOfPath } from "@/lib/server/resources";
import { v1Route } from "@/lib/server/route";
import { cancelRun } from "@/lib/use-cases/runs";

export const dynamic = "force-dynamic";

export const POST = v1Route(API_V1.cancelRun, { resource: runOfPath }, async ({ actor, host, params }) => ({
  runId: String(params.id),
  ...(await cancelRun(host, actor, String(params.id))),
}));
