// Switchboard as an MCP server (Streamable HTTP): the published workflows offered as MCP tools.
// lib/mcp/server/handler.ts checks Host and Origin and the caller's API key (scope "mcp").
import { createMcpEndpoint } from "@/lib/mcp/server/handler";
import { serverContext } from "@/lib/server/context";

export const dynamic = "force-dynamic";

// The process's host has everything the endpoint needs (database, environment, engine, dispatcher,
// run store, notifier).
const endpoint = createMcpEndpoint(() => serverContext().host());

export const POST = (request: Request) => endpoint(request);
export const GET = (request: Request) => endpoint(request);
export const DELETE = (request: Request) => endpoint(request);
