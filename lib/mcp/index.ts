// The MCP client of a process, over the workspace's registered servers (lib/db/mcp-servers.ts).
import type { Db } from "@/lib/db/client";
import { findMcpServer } from "@/lib/db/mcp-servers";
import { createMcpClient, type McpClient, type McpClientOptions } from "./client";

export { createMcpClient, type McpClient, type McpClientOptions, mcpError } from "./client";

/** The client a host wires into its engine (ExecServices.mcp) and gives the discovery use case. */
export function createMcpClientForDb(db: Db, options: McpClientOptions = {}): McpClient {
  return createMcpClient({ find: (workspaceId, name) => findMcpServer(db, workspaceId, name) }, options);
}
