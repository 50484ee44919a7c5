// Switchboard's workflows as A2A agents: GET /api/a2a/<id>/.well-known/agent-card.json is a
// card, POST /api/a2a/<id> the JSON-RPC endpoint (lib/a2a/server/endpoint.ts: Host and Origin
// checks, API key with the "a2a" scope).
import { createA2aEndpoint } from "@/lib/a2a/server/endpoint";
import { serverContext } from "@/lib/server/context";

export const dynamic = "force-dynamic";

const endpoint = createA2aEndpoint(async () => {
  const host = await serverContext().host();
  return {
    db: host.db,
    env: host.env,
    engine: host.engine,
    dispatcher: host.dispatcher,
    store: host.store,
    notifier: host.notifier,
    approvals: host.approvals,
  };
});

type Context = { params: Promise<{ workflowId: string; rest?: string[] }> };

async function handle(request: Request, context: Context): Promise<Response> {
  const { workflowId, rest } = await context.params;
  return endpoint(request, workflowId, rest ?? []);
}

export const GET = handle;
export const POST = handle;
