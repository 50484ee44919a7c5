// POST /api/v1/runs/:id/retry — a new run of a failed run from its failed steps (201).
import { API_V1 } from "@/lib/server/api-v1";
import { runOfPath } from "@/lib/server/resources";
import { v1Route } from "@/lib/server/route";
import { retryRun } from "@/lib/use-cases/runs";

export const dynamic = "force-dynamic";

export const POST = v1Route(API_V1.retryRun, { resource: runOfPath }, async ({ actor, host, params }) =>
  Response.json(await retryRun(host, actor, String(params.id)), {
    status: 201,
    headers: { "cache-control": "no-store" },
  }),
);
