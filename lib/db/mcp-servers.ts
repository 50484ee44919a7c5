// MCP servers registered per workspace (lib/mcp/config.ts says what a registration holds). Reading
// a row never connects to the server or spawns its command: the stored tool list is what the last
// discovery (an administrator's explicit request) found.
import { AppError, invalidFromZod } from "@/lib/contracts/app-errors";
import {
  type McpServerConfig,
  type McpServerRecord,
  type McpToolSummary,
  mcpServerInputSchema,
  mcpServerNameSchema,
  mcpToolSummarySchema,
} from "@/lib/mcp/config";
import { type DbOrTx, prismaOf } from "./tx";

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

function tools(v: unknown): McpToolSummary[] | null {
  if (!Array.isArray(v)) return null;
  return v.flatMap((t) => {
    const parsed = mcpToolSummarySchema.safeParse(t);
    return parsed.success ? [parsed.data] : [];
  });
}

type Row = {
  id: string;
  workspaceId: string;
  name: string;
  transport: string;
  url: string | null;
  credential: string | null;
  command: string | null;
  args: unknown;
  env: unknown;
  approvalTools: unknown;
  tools: unknown;
  discoveryError: string | null;
  discoveredAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
};

function envOf(v: unknown): Record<string, string> {
  if (!v || typeof v !== "object" || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === "string"));
}

function toRecord(row: Row): McpServerRecord {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    name: row.name,
    transport: row.transport === "stdio" ? "stdio" : "http",
    url: row.url,
    credential: row.credential,
    command: row.command,
    args: strings(row.args),
    env: envOf(row.env),
    approvalTools: strings(row.approvalTools),
    tools: tools(row.tools),
    discoveryError: row.discoveryError,
    discoveredAt: row.discoveredAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const SELECT = {
  id: true,
  workspaceId: true,
  name: true,
  transport: true,
  url: true,
  credential: true,
  command: true,
  args: true,
  env: true,
  approvalTools: true,
  tools: true,
  discoveryError: true,
  discoveredAt: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** Checks a registration (field-named errors, `invalid:mcpserver`). */
export function parseMcpServerInput(input: unknown): McpServerConfig {
  const parsed = mcpServerInputSchema.safeParse(input);
  if (!parsed.success) throw invalidFromZod(parsed.error, "mcpserver");
  return parsed.data;
}

export async function listMcpServers(db: DbOrTx, workspaceId: string): Promise<McpServerRecord[]> {
  const rows = await prismaOf(db).mcpServer.findMany({
    where: { workspaceId },
    select: SELECT,
    orderBy: { name: "asc" },
  });
  return rows.map(toRecord);
}

export async function findMcpServer(db: DbOrTx, workspaceId: string, name: string): Promise<McpServerRecord | null> {
  if (!mcpServerNameSchema.safeParse(name).success) return null;
  const row = await prismaOf(db).mcpServer.findUnique({
    where: { workspaceId_name: { workspaceId, name } },
    select: SELECT,
  });
  return row ? toRecord(row) : null;
}

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === "P2002";

export async function insertMcpServer(
  db: DbOrTx,
  workspaceId: string,
  config: McpServerConfig,
  createdById: string | null,
): Promise<McpServerRecord> {
  try {
    const row = await prismaOf(db).mcpServer.create({
      data: {
        workspaceId,
        name: config.name,
        transport: config.transport,
        url: config.transport === "http" ? config.url : null,
        credential: config.transport === "http" ? (config.credential ?? null) : null,
        command: config.transport === "stdio" ? config.command : null,
        args: config.transport === "stdio" ? config.args : [],
        env: config.transport === "stdio" ? config.env : {},
        approvalTools: config.approvalTools,
        createdById,
      },
      select: SELECT,
    });
    return toRecord(row);
  } catch (e) {
    if (isUniqueViolation(e))
      throw new AppError("conflict:mcpserver", {
        message: `An MCP server named "${config.name}" already exists in this workspace.`,
        fieldErrors: [{ path: "name", message: "is already taken" }],
      });
    throw e;
  }
}

async function requireRow(db: DbOrTx, workspaceId: string, name: string): Promise<McpServerRecord> {
  const found = await findMcpServer(db, workspaceId, name);
  if (!found)
    throw new AppError("not_found:mcpserver", { message: `There is no MCP server "${name}" in this workspace.` });
  return found;
}

/** Which tools need a person's approval before each call. */
export async function setMcpApprovalTools(
  db: DbOrTx,
  workspaceId: string,
  name: string,
  approvalTools: string[],
): Promise<McpServerRecord> {
  const found = await requireRow(db, workspaceId, name);
  const row = await prismaOf(db).mcpServer.update({ where: { id: found.id }, data: { approvalTools }, select: SELECT });
  return toRecord(row);
}

/** Stores what a discovery found (or why it failed; the previous tool list is kept then). */
export async function saveMcpDiscovery(
  db: DbOrTx,
  id: string,
  result: { tools: McpToolSummary[] } | { error: string },
  at = new Date(),
): Promise<McpServerRecord> {
  const row = await prismaOf(db).mcpServer.update({
    where: { id },
    data:
      "tools" in result
        ? { tools: result.tools as object[], discoveryError: null, discoveredAt: at }
        : { discoveryError: result.error.slice(0, 2000), discoveredAt: at },
    select: SELECT,
  });
  return toRecord(row);
}

export async function deleteMcpServer(db: DbOrTx, workspaceId: string, name: string): Promise<McpServerRecord> {
  const found = await requireRow(db, workspaceId, name);
  await prismaOf(db).mcpServer.delete({ where: { id: found.id } });
  return found;
}

/** Whether the workspace has a credential of this name (a registration may only name an existing one). */
export async function credentialExists(db: DbOrTx, workspaceId: string, name: string): Promise<boolean> {
  const row = await prismaOf(db).credential.findUnique({
    where: { workspaceId_name: { workspaceId, name } },
    select: { id: true },
  });
  return row !== null;
}
