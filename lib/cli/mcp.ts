// `switchboard mcp …`: register MCP servers of the CLI's workspace and list their tools. The
// command line acts as an administrator (whoever runs it can read the database anyway), so it
// may pin a stdio command. `add` asks the new server for its tools unless --no-discover.
import type { Actor } from "@/lib/auth/policy";
import { AppError } from "@/lib/contracts/app-errors";
import { cliWorkspace } from "../db/workflows-store";
import { createHost, type Host } from "../host";
import { addServer, discoverServerTools, listServers, type McpServerView, removeServer } from "../use-cases/mcp";
import type { CliContext } from "./commands";
import { CliError, EXIT } from "./io";
import { printJson } from "./use-case-host";

async function withAdmin<T>(ctx: CliContext, fn: (host: Host, actor: Actor) => Promise<T>): Promise<T> {
  const host = await createHost({ role: "cli", target: ctx.target, log: (line) => ctx.io.stderr(`${line}\n`) });
  ctx.onInterrupt?.(() => host.close());
  try {
    const workspace = await cliWorkspace(host.db);
    const actor: Actor = {
      userId: "cli",
      email: "",
      name: "cli",
      workspaceId: workspace.id,
      role: "admin",
      via: "cli",
    };
    return await fn(host, actor);
  } catch (error) {
    if (error instanceof AppError)
      throw new CliError(
        error.message,
        error.status === 404 || error.status === 400 || error.status === 409 ? EXIT.badInput : EXIT.failed,
        error.fieldErrors ?? [],
      );
    throw error;
  } finally {
    await host.close();
  }
}

function toolsText(server: McpServerView): string {
  if (server.discoveryError) return `  tools: could not be listed: ${server.discoveryError}\n`;
  if (!server.tools) return "  tools: not discovered yet (switchboard mcp tools NAME)\n";
  if (server.tools.length === 0) return "  tools: none\n";
  return server.tools
    .map((t) => {
      const props = Object.keys((t.inputSchema.properties as Record<string, unknown> | undefined) ?? {});
      const flag = t.requiresApproval ? " [needs approval]" : "";
      return `  ${t.name}(${props.join(", ")})${flag}${t.description ? ` — ${t.description.split("\n")[0]}` : ""}\n`;
    })
    .join("");
}

export interface McpAddOptions {
  url?: string;
  credential?: string;
  command?: string;
  arg?: string[];
  env?: string[];
  approval?: string[];
  discover?: boolean;
  json?: boolean;
}

export async function mcpAddCommand(ctx: CliContext, name: string, opts: McpAddOptions): Promise<number> {
  if (opts.url && opts.command)
    throw new CliError("Give either --url (Streamable HTTP) or --command (stdio), not both.");
  if (!opts.url && !opts.command) throw new CliError("Give --url URL (Streamable HTTP) or --command CMD (stdio).");
  if (opts.command && opts.credential) throw new CliError("--credential is for --url servers.");
  if (opts.url && opts.env?.length) throw new CliError("--env is for --command (stdio) servers.");
  const env: Record<string, string> = {};
  for (const pair of opts.env ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new CliError(`--env takes NAME=CREDENTIAL (a workspace credential's name), not "${pair}".`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const input = opts.url
    ? { name, transport: "http", url: opts.url, credential: opts.credential, approvalTools: opts.approval ?? [] }
    : {
        name,
        transport: "stdio",
        command: opts.command,
        args: opts.arg ?? [],
        env,
        approvalTools: opts.approval ?? [],
      };
  return withAdmin(ctx, async (host, actor) => {
    const server = await addServer({ db: host.db, mcp: host.mcp }, actor, input, { discover: opts.discover !== false });
    if (opts.json) printJson(ctx, { server });
    else
      ctx.io.stdout(`Added MCP server “${server.name}” (${server.transport}: ${server.target})\n${toolsText(server)}`);
    return server.discoveryError ? EXIT.failed : EXIT.ok;
  });
}

export async function mcpToolsCommand(ctx: CliContext, name: string, opts: { json?: boolean }): Promise<number> {
  return withAdmin(ctx, async (host, actor) => {
    const server = await discoverServerTools({ db: host.db, mcp: host.mcp }, actor, name);
    if (opts.json) printJson(ctx, { server: server.name, tools: server.tools ?? [], error: server.discoveryError });
    else ctx.io.stdout(`${server.name} (${server.transport}: ${server.target})\n${toolsText(server)}`);
    return server.discoveryError ? EXIT.failed : EXIT.ok;
  });
}

export async function mcpListCommand(ctx: CliContext, opts: { json?: boolean }): Promise<number> {
  return withAdmin(ctx, async (host, actor) => {
    const servers = await listServers(host.db, actor);
    if (opts.json) printJson(ctx, { servers });
    else if (servers.length === 0)
      ctx.io.stdout("No MCP servers. Add one with `switchboard mcp add NAME --url URL`.\n");
    else
      ctx.io.stdout(
        servers
          .map(
            (s) =>
              `${s.name}\t${s.transport}\t${s.target}\t${s.tools ? `${s.tools.length} tools` : "not discovered"}\n`,
          )
          .join(""),
      );
    return EXIT.ok;
  });
}

export async function mcpRemoveCommand(ctx: CliContext, name: string, opts: { json?: boolean }): Promise<number> {
  return withAdmin(ctx, async (host, actor) => {
    const removed = await removeServer(host.db, actor, name);
    if (opts.json) printJson(ctx, { removed: removed.name });
    else ctx.io.stdout(`Removed MCP server “${removed.name}”.\n`);
    return EXIT.ok;
  });
}
