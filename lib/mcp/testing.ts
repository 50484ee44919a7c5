// Test kit for the MCP client: registered servers in memory (no database), and a client whose
// egress policy allows exactly the given loopback hosts (the test servers) and nothing else.
import type { EgressPolicy } from "@/lib/contracts/ports";
import { createMcpClient, type McpClientOptions, type McpServerSource } from "./client";
import type { McpServerRecord } from "./config";

export function mcpServerRecord(
  fields: Partial<McpServerRecord> & Pick<McpServerRecord, "name">,
  workspaceId = "default",
): McpServerRecord {
  const now = new Date(0);
  return {
    id: `mcp-${fields.name}`,
    workspaceId,
    transport: "http",
    url: null,
    credential: null,
    command: null,
    args: [],
    env: {},
    approvalTools: [],
    tools: null,
    discoveryError: null,
    discoveredAt: null,
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
}

/** A source over a mutable list, counting lookups (to prove that nothing looked a server up). */
export function memoryMcpServers(records: McpServerRecord[] = []): McpServerSource & {
  records: McpServerRecord[];
  lookups: number;
} {
  const source = {
    records,
    lookups: 0,
    async find(workspaceId: string, name: string) {
      source.lookups += 1;
      return source.records.find((r) => r.workspaceId === workspaceId && r.name === name) ?? null;
    },
  };
  return source;
}

/** An MCP client allowed to reach only `allowHosts` (e.g. `127.0.0.1:<port>`) among private addresses. */
export function testMcpClient(
  servers: McpServerSource,
  allowHosts: string[],
  options: Omit<McpClientOptions, "egress"> & { egress?: EgressPolicy } = {},
) {
  const policy: EgressPolicy = options.egress ?? { allowHosts };
  return createMcpClient(servers, { ...options, egress: () => policy });
}
