// POST /api/v1/runs/:id/rerun { "version"?: "same" | "latest" } — the same input again (201).
import { API_V1 } from "@/lib/server/api-v1";
import { runOfPath } from "@/lib/server/resources";
import { v1Route } from "@/lib/server/route";
import { rerunRun } from "@/lib/use-cases/runs";

export const dynamic = "force-dynamic";

export const POST = v1Route(API_V1.rerunRun, { resource: runOfPath }, async ({ actor, host, input, params }) =>
  Response.json(await rerunRun(host, actor, String(params.id), input.version), {
    status: 201,
    headers: { "cache-control": "no-store" },
  }),
);
