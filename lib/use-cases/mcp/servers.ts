// MCP servers of a workspace: an administrator registers one (a Streamable HTTP URL with a vault
// credential, or a stdio command pinned with its arguments), asks it for its tools, marks tools
// that need a person's approval before each call, removes it. Each change is audited with the
// change. Discovery is the only thing here that connects (or spawns a stdio command), and only
// when asked; reading servers for the editor uses the tools the last discovery stored.

import { z } from "zod";
import type { Actor } from "@/lib/auth/policy";
import { AppError, invalidFromZod } from "@/lib/contracts/app-errors";
import type { McpToolInfo } from "@/lib/contracts/ports";
import { recordAudit } from "@/lib/db/audit";
import type { Db } from "@/lib/db/client";
import {
  credentialExists,
  deleteMcpServer,
  findMcpServer,
  insertMcpServer,
  listMcpServers,
  parseMcpServerInput,
  saveMcpDiscovery,
  setMcpApprovalTools,
} from "@/lib/db/mcp-servers";
import { transaction } from "@/lib/db/tx";
import { toSummaries } from "@/lib/mcp/client";
import { ALL_TOOLS, describeMcpServer, type McpServerRecord, mcpServerNameSchema } from "@/lib/mcp/config";

/** What discovery needs: a way to ask a (possibly unsaved) server for its tools. */
export interface McpDeps {
  db: Db;
  mcp: { discover(record: McpServerRecord, signal?: AbortSignal): Promise<McpToolInfo[]> };
}

/** A server as the settings page, the editor and the CLI show it (no secrets: the credential is a name). */
export interface McpServerView {
  name: string;
  transport: "http" | "stdio";
  /** URL, or the command line */
  target: string;
  credential: string | null;
  /** stdio: environment variable → credential name (names only; the values stay in the vault) */
  env: Record<string, string>;
  approvalTools: string[];
  tools:
    | { name: string; description?: string; inputSchema: Record<string, unknown>; requiresApproval: boolean }[]
    | null;
  discoveryError: string | null;
  discoveredAt: string | null;
}

export function mcpServerView(r: McpServerRecord): McpServerView {
  const all = r.approvalTools.includes(ALL_TOOLS);
  return {
    name: r.name,
    transport: r.transport,
    target: describeMcpServer(r),
    credential: r.credential,
    env: r.env,
    approvalTools: r.approvalTools,
    tools: r.tools?.map((t) => ({ ...t, requiresApproval: all || r.approvalTools.includes(t.name) })) ?? null,
    discoveryError: r.discoveryError,
    discoveredAt: r.discoveredAt?.toISOString() ?? null,
  };
}

function actorOnly(actor: Actor): asserts actor is Actor {
  if (actor.role !== "admin")
    throw new AppError("forbidden:mcpserver", { message: "Only administrators manage MCP servers." });
}

export async function listServers(db: Db, actor: Actor): Promise<McpServerView[]> {
  return (await listMcpServers(db, actor.workspaceId)).map(mcpServerView);
}

async function discoverAndSave(deps: McpDeps, record: McpServerRecord): Promise<McpServerRecord> {
  try {
    const tools = await deps.mcp.discover(record);
    return await saveMcpDiscovery(deps.db, record.id, { tools: toSummaries(tools) });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return saveMcpDiscovery(deps.db, record.id, { error: message });
  }
}

/**
 * Registers a server (admins only), then asks it for its tools unless `discover` is false. A
 * discovery failure does not undo the registration: it is stored and shown.
 */
export async function addServer(
  deps: McpDeps,
  actor: Actor,
  input: unknown,
  options: { discover?: boolean } = {},
): Promise<McpServerView> {
  actorOnly(actor);
  const config = parseMcpServerInput(input);
  if (config.transport === "http" && config.credential) {
    if (!(await credentialExists(deps.db, actor.workspaceId, config.credential)))
      throw new AppError("invalid:mcpserver", {
        message: `There is no credential "${config.credential}" in this workspace.`,
        fieldErrors: [{ path: "credential", message: "does not exist in this workspace" }],
      });
  }
  if (config.transport === "stdio")
    for (const [name, credential] of Object.entries(config.env))
      if (!(await credentialExists(deps.db, actor.workspaceId, credential)))
        throw new AppError("invalid:mcpserver", {
          message: `There is no credential "${credential}" in this workspace (for the variable ${name}).`,
          fieldErrors: [{ path: `env.${name}`, message: "does not exist in this workspace" }],
        });
  const record = await transaction(deps.db, async (tx) => {
    const created = await insertMcpServer(tx, actor.workspaceId, config, actor.via === "session" ? actor.userId : null);
    await recordAudit(tx, {
      workspaceId: actor.workspaceId,
      actor,
      action: "mcpserver.added",
      targetType: "mcpserver",
      targetId: created.id,
      summary: `Added MCP server “${created.name}” (${created.transport}: ${describeMcpServer(created).slice(0, 200)})`,
      data: {
        name: created.name,
        transport: created.transport,
        url: created.url,
        credential: created.credential,
        command: created.command,
        args: created.args,
        env: created.env,
        approvalTools: created.approvalTools,
      },
    });
    return created;
  });
  return mcpServerView(options.discover === false ? record : await discoverAndSave(deps, record));
}

async function requireServer(db: Db, actor: Actor, name: string): Promise<McpServerRecord> {
  const found = await findMcpServer(db, actor.workspaceId, name);
  if (!found)
    throw new AppError("not_found:mcpserver", { message: `There is no MCP server "${name}" in this workspace.` });
  return found;
}

/** Asks the server for its tools now (admins only: a stdio server's command is started for it). */
export async function discoverServerTools(deps: McpDeps, actor: Actor, name: string): Promise<McpServerView> {
  actorOnly(actor);
  return mcpServerView(await discoverAndSave(deps, await requireServer(deps.db, actor, name)));
}

const approvalToolsInput = z.array(z.string().trim().min(1).max(200)).max(500);

/** Which tools wait for a person's approval before each call (`*`: all). */
export async function setApprovalTools(db: Db, actor: Actor, name: string, tools: unknown): Promise<McpServerView> {
  actorOnly(actor);
  const parsed = approvalToolsInput.safeParse(tools);
  if (!parsed.success) throw invalidFromZod(parsed.error, "mcpserver");
  const list = [...new Set(parsed.data)];
  return transaction(db, async (tx) => {
    const before = await findMcpServer(tx, actor.workspaceId, name);
    if (!before)
      throw new AppError("not_found:mcpserver", { message: `There is no MCP server "${name}" in this workspace.` });
    const updated = await setMcpApprovalTools(tx, actor.workspaceId, name, list);
    await recordAudit(tx, {
      workspaceId: actor.workspaceId,
      actor,
      action: "mcpserver.approvals_changed",
      targetType: "mcpserver",
      targetId: updated.id,
      summary: `Tools of “${name}” that need approval: ${list.length ? list.join(", ") : "none"}`,
      data: { before: before.approvalTools, after: list },
    });
    return mcpServerView(updated);
  });
}

export async function removeServer(db: Db, actor: Actor, name: string): Promise<{ name: string }> {
  actorOnly(actor);
  const parsedName = mcpServerNameSchema.safeParse(name);
  if (!parsedName.success) throw new AppError("not_found:mcpserver");
  return transaction(db, async (tx) => {
    const removed = await deleteMcpServer(tx, actor.workspaceId, parsedName.data);
    await recordAudit(tx, {
      workspaceId: actor.workspaceId,
      actor,
      action: "mcpserver.removed",
      targetType: "mcpserver",
      targetId: removed.id,
      summary: `Removed MCP server “${removed.name}”`,
      data: { name: removed.name, transport: removed.transport },
    });
    return { name: removed.name };
  });
}
