// Switchboard as an MCP server (Streamable HTTP): the published workflows offered as MCP tools.
// lib/mcp/server/handler.ts checks Host and Origin and the caller's API key (scope "mcp").
import { createMcpEndpoint } from "@/lib/mcp/server/handler";
import { serverContext } from "@/lib/server/context";

export const dynamic = "force-dynamic";

const endpoint = createMcpEndpoint(async () => {
  const host = await serverContext().host();
  return {
    db: host.db,
    env: host.env,
    engine: host.engine,
    dispatcher: host.dispatcher,
    store: host.store,
    notifier: host.notifier,
  };
});

export const POST = (request: Request) => endpoint(request);
export const GET = (request: Request) => endpoint(request);
export const DELETE = (request: Request) => endpoint(request);
