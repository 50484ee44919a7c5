import { z } from "zod";
import { defineNode } from "../definition";

export const toolConfigSchema = z
  .object({
    server: z.string().min(1).max(200).describe("Name of a configured MCP server."),
    tool: z.string().min(1).max(200),
    arguments: z.unknown().default({}).describe("Tool arguments (templates allowed)."),
    credential: z.string().min(1).max(200).optional(),
  })
  .strict();

export type ToolConfig = z.infer<typeof toolConfigSchema>;

export const toolDefinition = defineNode({
  type: "tool",
  label: "MCP tool",
  description: "Calls one MCP tool directly (not available yet).",
  icon: "wrench",
  category: "integration",
  docs: "Calls `tool` on the MCP `server` with `arguments` (templates). Not available yet: the format accepts it, a run fails at this node with a clear error. Outcomes: default, error.",
  configVersion: 1,
  migrations: [],
  configSchema: toolConfigSchema,
  defaults: { server: "", tool: "", arguments: {} },
  outcomes: () => ["default", "error"],
  primaryOutcome: () => "default",
  errorOutcome: "error",
  canBranch: () => true,
  expressions: (c) => [{ path: "arguments", kind: "template", value: c.arguments }],
  atMostOnce: false,
  sideEffects: true,
  defaultMaxAttempts: 1,
});
