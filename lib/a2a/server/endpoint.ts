// /api/a2a/<workflowId>: the offered workflow's A2A agent. GET …/.well-known/agent-card.json is
// its card (public, like any A2A card: name, description, skills, how to authenticate); POST is
// the JSON-RPC endpoint, for callers with an API key of the workspace with the "a2a" scope.
// Requests must name this installation's host, and a browser's Origin must be its own.
import { hostHeaderValidationResponse, originValidationResponse } from "@modelcontextprotocol/server";
import { AppError } from "@/lib/contracts/app-errors";
import { findExposedWorkflow } from "@/lib/db/interop";
import type { Env } from "@/lib/env";
import { allowedHostnames, authenticateCaller, publicBaseUrl } from "@/lib/use-cases/interop";
import { handleA2aJsonRpc } from "../jsonrpc-http";
import { type A2aAgentDeps, agentCard, WorkflowAgent } from "./agent";

export interface A2aEndpointDeps extends Omit<A2aAgentDeps, "baseUrl"> {
  env: Pick<Env, "SWITCHBOARD_PUBLIC_URL" | "NEXTAUTH_URL" | "PORT">;
}

const CARD_PATH = [".well-known", "agent-card.json"];

function error(e: AppError): Response {
  const headers: Record<string, string> = { "content-type": "application/json", "cache-control": "no-store" };
  if (e.status === 401) headers["www-authenticate"] = 'Bearer realm="switchboard"';
  return new Response(JSON.stringify({ error: e.toJSON() }), { status: e.status, headers });
}

const notFound = () =>
  error(new AppError("not_found:workflow", { message: "There is no A2A agent here (or it is not offered)." }));

export function createA2aEndpoint(
  getDeps: () => Promise<A2aEndpointDeps>,
): (request: Request, workflowId: string, rest: string[]) => Promise<Response> {
  return async (request, workflowId, rest) => {
    const deps = await getDeps();
    const hosts = allowedHostnames(deps.env);
    const refused = hostHeaderValidationResponse(request, hosts) ?? originValidationResponse(request, hosts);
    if (refused) return refused;
    const baseUrl = publicBaseUrl(deps.env);
    if (rest.length === CARD_PATH.length && rest.every((p, i) => p === CARD_PATH[i])) {
      if (request.method !== "GET") return new Response(null, { status: 405, headers: { allow: "GET" } });
      const wf = await findExposedWorkflow(deps.db, null, workflowId, "a2a");
      if (!wf) return notFound();
      return Response.json(agentCard(wf, baseUrl), { headers: { "cache-control": "no-store" } });
    }
    if (rest.length > 0) return notFound();
    if (request.method !== "POST") return new Response(null, { status: 405, headers: { allow: "POST" } });
    let caller: Awaited<ReturnType<typeof authenticateCaller>>;
    try {
      caller = await authenticateCaller(deps.db, request, "a2a");
    } catch (e) {
      if (e instanceof AppError) return error(e);
      throw e;
    }
    const wf = await findExposedWorkflow(deps.db, caller.actor.workspaceId, workflowId, "a2a");
    if (!wf) return notFound();
    return handleA2aJsonRpc(request, new WorkflowAgent({ ...deps, baseUrl }, caller, wf));
  };
}
