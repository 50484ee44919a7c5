// What an administrator registers as an MCP server of a workspace, checked with zod. Browser-safe
// (zod only): the settings page and the CLI give the same errors. A stdio server's command and
// arguments are pinned here, exactly as given; nothing in a workflow can change them, and no part
// of the configuration is ever evaluated. Nothing connects or spawns on registration unless the
// caller asks for discovery.
import { z } from "zod";

export const MCP_TRANSPORTS = ["http", "stdio"] as const;
export type McpTransport = (typeof MCP_TRANSPORTS)[number];

/** Every tool of the server needs a person's approval. */
export const ALL_TOOLS = "*";

export const mcpServerNameSchema = z
  .string({ error: "is required" })
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, "must start with a letter; letters, digits, _ and - (at most 64)");

const credentialName = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, "must name a workspace credential");

const httpUrl = z
  .string({ error: "is required" })
  .trim()
  .max(2000, "must be at most 2000 characters")
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === "http:" || u.protocol === "https:") && !u.username && !u.password;
    } catch {
      return false;
    }
  }, "must be an http(s) URL without a user name or password in it (use a credential)");

const NO_CONTROL = /^[^\0\r\n]*$/;

const approvalTools = z
  .array(z.string().trim().min(1).max(200))
  .max(500)
  .default([])
  .describe(`Tools whose every call waits for a person's approval ("${ALL_TOOLS}": all of them).`);

/** Variables a registration may not set: they change how the command itself is found or loaded. */
const RESERVED_ENV =
  /^(PATH|HOME|SHELL|USER|LOGNAME|TERM|NODE_OPTIONS|NODE_PATH|PYTHONPATH|PYTHONSTARTUP|LD_.*|DYLD_.*)$/;

const stdioEnv = z
  .record(
    z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "must be an environment variable name (letters, digits, _)")
      .refine((n) => !RESERVED_ENV.test(n.toUpperCase()), "is set by Switchboard and cannot be given"),
    credentialName,
  )
  .refine((v) => Object.keys(v).length <= 32, "at most 32 variables")
  .default({})
  .describe(
    "Environment variables of the process, by name, each from a workspace credential (the value is read from the vault when the process starts).",
  );

export const mcpHttpServerSchema = z
  .object({
    name: mcpServerNameSchema,
    transport: z.literal("http"),
    url: httpUrl,
    credential: credentialName.optional(),
    approvalTools,
  })
  .strict();

export const mcpStdioServerSchema = z
  .object({
    name: mcpServerNameSchema,
    transport: z.literal("stdio"),
    command: z
      .string({ error: "is required" })
      .min(1, "is required")
      .max(1000, "must be at most 1000 characters")
      .regex(NO_CONTROL, "must be one line"),
    args: z
      .array(z.string().max(4000, "must be at most 4000 characters").regex(NO_CONTROL, "must be one line"))
      .max(64, "at most 64 arguments")
      .default([]),
    env: stdioEnv,
    approvalTools,
  })
  .strict();

export const mcpServerInputSchema = z.discriminatedUnion("transport", [mcpHttpServerSchema, mcpStdioServerSchema], {
  error: 'transport must be "http" (a URL) or "stdio" (a command)',
});

export type McpServerInput = z.input<typeof mcpServerInputSchema>;
export type McpServerConfig = z.output<typeof mcpServerInputSchema>;

/** A discovered tool as stored with the server (what the editor's picker shows without connecting). */
export const mcpToolSummarySchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  inputSchema: z.record(z.string(), z.unknown()),
  /** The server's `readOnlyHint` annotation (a hint from the server, not a guarantee). */
  readOnly: z.boolean().optional(),
});
export type McpToolSummary = z.infer<typeof mcpToolSummarySchema>;

/** A registered server as the rest of Switchboard sees it. */
export interface McpServerRecord {
  id: string;
  workspaceId: string;
  name: string;
  transport: McpTransport;
  url: string | null;
  credential: string | null;
  command: string | null;
  args: string[];
  /** stdio: environment variable name → workspace credential name (pinned at registration). */
  env: Record<string, string>;
  approvalTools: string[];
  /** The tools found by the last discovery (null: never discovered). */
  tools: McpToolSummary[] | null;
  /** Why the last discovery failed, if it did. */
  discoveryError: string | null;
  discoveredAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export function requiresApproval(server: Pick<McpServerRecord, "approvalTools">, tool: string): boolean {
  return server.approvalTools.includes(ALL_TOOLS) || server.approvalTools.includes(tool);
}

/** How the server is reached, in one line (lists, the CLI). */
export function describeMcpServer(s: Pick<McpServerRecord, "transport" | "url" | "command" | "args">): string {
  if (s.transport === "http") return s.url ?? "";
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a));
  return [s.command ?? "", ...s.args].map(quote).join(" ");
}
