import { z } from "zod";
import { defineNode } from "@/lib/contracts/node-definition";

export const toolConfigSchema = z
  .object({
    server: z.string().min(1).max(200).describe("Name of an MCP server registered in the workspace."),
    tool: z.string().min(1).max(200).describe("The tool to call, as the server lists it."),
    arguments: z.unknown().default({}).describe("The tool's arguments: an object whose values may be templates."),
    credential: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe("A workspace credential to send instead of the server's own (Streamable HTTP servers)."),
  })
  .strict();

export type ToolConfig = z.infer<typeof toolConfigSchema>;

export const toolDefinition = defineNode({
  type: "tool",
  label: "MCP tool",
  description: "Calls one tool of an MCP server.",
  icon: "wrench",
  category: "integration",
  docs: [
    "Calls `tool` on the MCP `server` (registered by an administrator in Settings → MCP servers) with",
    "`arguments`, an object whose values are templates over the run context. Nothing connects to the",
    "server until a run reaches the node. The output is the tool's answer as data",
    "(`{ text, structured, content, isError, truncated? }`, long results cut) — never evaluated as a",
    "template. A tool error, a timeout or an unreachable server fails the step: it takes the `error`",
    "outcome when connected, and retries only network errors, timeouts and rate limits when `retry` allows.",
    "When an administrator marked the tool as requiring approval, the run waits for a person, who sees",
    "the exact call in the inbox and may edit its arguments before approving. `credential` replaces the",
    "server's own credential. Outcomes: default, error.",
  ].join(" "),
  configVersion: 1,
  migrations: [],
  configSchema: toolConfigSchema,
  defaults: { server: "", tool: "", arguments: {} },
  mustFill: ["server", "tool"],
  outcomes: () => ["default", "error"],
  primaryOutcome: () => "default",
  errorOutcome: "error",
  canBranch: () => true,
  expressions: (c) => [{ path: "arguments", kind: "template", value: c.arguments }],
  atMostOnce: false,
  sideEffects: true,
  canWait: true,
  defaultMaxAttempts: 1,
  editor: {
    fieldLabels: { server: "MCP server" },
    expressionFields: { arguments: "template" },
    choiceFields: { server: "mcp-server", tool: "mcp-tool", arguments: "mcp-arguments" },
  },
});
