// For the round-trip tests of Switchboard as an MCP server and as A2A agents: a workflow offered
// with a published version, stored directly, and /api/mcp on a test host served over real HTTP.
import type { Db } from "@/lib/db/client";
import type { TestHost } from "@/lib/host-testing";
import { createMcpEndpoint } from "@/lib/mcp/server/handler";
import { type ServedFetch, serveFetch } from "./serve-fetch";

/** A workflow with `document` (format filled in) as its draft and published version; its id. */
export async function publishOfferedWorkflow(
  db: Db,
  workspaceId: string,
  offer: {
    name: string;
    description: string;
    document: Record<string, unknown>;
    version?: number;
    exposeMcp?: boolean;
    exposeA2a?: boolean;
  },
): Promise<string> {
  const { name, description, version = 1, exposeMcp = false, exposeA2a = false } = offer;
  const doc = { format: "switchboard.workflow/v1", name, ...offer.document };
  const wf = await db.prisma.workflow.create({
    data: { workspaceId, name, description, draft: doc, exposeMcp, exposeA2a },
  });
  await db.prisma.workflowVersion.create({
    data: { workspaceId, workflowId: wf.id, version, document: doc, contentHash: `h-${wf.id}` },
  });
  return wf.id;
}

/** /api/mcp wired to the test host (as app/api/mcp/route.ts wires it), at `${url}/api/mcp`. */
export function serveMcpEndpoint(host: TestHost): Promise<ServedFetch> {
  const endpoint = createMcpEndpoint(async () => ({
    db: host.db,
    env: { PORT: 3000 },
    engine: host.engine,
    dispatcher: host.dispatcher,
    store: host.store,
    notifier: host.notifier,
  }));
  return serveFetch((request) => endpoint(request));
}
