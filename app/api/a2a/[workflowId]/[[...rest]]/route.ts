// Switchboard's workflows as A2A agents: GET /api/a2a/<id>/.well-known/agent-card.json is a
// card, POST /api/a2a/<id> the JSON-RPC endpoint (lib/a2a/server/endpoint.ts: Host and Origin
// checks, API key with the "a2a" scope).
import { createA2aEndpoint } from "@/lib/a2a/server/endpoint";
import { serverContext } from "@/lib/server/context";

export const dynamic = "force-dynamic";

// The process's host has everything the endpoint needs (database, environment, engine, dispatcher,
// run store, notifier, decision service).
const endpoint = createA2aEndpoint(() => serverContext().host());

type Context = { params: Promise<{ workflowId: string; rest?: string[] }> };

async function handle(request: Request, context: Context): Promise<Response> {
  const { workflowId, rest } = await context.params;
  return endpoint(request, workflowId, rest ?? []);
}

export const GET = handle;
export const POST = handle;
