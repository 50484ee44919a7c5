"use server";
// MCP server actions: one-liners over lib/use-cases/mcp through authedAction (session, role,
// workspace, zod). Registering, discovering (which may start a stdio command), marking tools and
// removing are for administrators (the editor's pickers get the list from the editor page).
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authedAction } from "@/lib/server/action";
import { addServer, discoverServerTools, removeServer, setApprovalTools } from "@/lib/use-cases/mcp";

const serverName = z.string().trim().min(1, "Server name is required").max(64);

const refresh = <T>(result: T): T => {
  revalidatePath("/settings/mcp");
  return result;
};

/** The input is checked by the use case (lib/mcp/config.ts), which names the field that is wrong. */
export const addMcpServerAction = authedAction(
  { action: "mcp.manage", resourceType: "mcpserver", input: z.record(z.string(), z.unknown()) },
  ({ actor, input, db, host }) => addServer({ db, mcp: host.mcp }, actor, input).then(refresh),
);

export const discoverMcpToolsAction = authedAction(
  { action: "mcp.manage", resourceType: "mcpserver", input: z.object({ name: serverName }) },
  ({ actor, input, db, host }) => discoverServerTools({ db, mcp: host.mcp }, actor, input.name).then(refresh),
);

export const setMcpApprovalToolsAction = authedAction(
  {
    action: "mcp.manage",
    resourceType: "mcpserver",
    input: z.object({ name: serverName, tools: z.array(z.string().max(200)).max(500) }),
  },
  ({ actor, input, db }) => setApprovalTools(db, actor, input.name, input.tools).then(refresh),
);

export const removeMcpServerAction = authedAction(
  { action: "mcp.manage", resourceType: "mcpserver", input: z.object({ name: serverName }) },
  ({ actor, input, db }) => removeServer(db, actor, input.name).then(refresh),
);
