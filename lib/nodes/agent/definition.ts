import { z } from "zod";
import { defineNode } from "@/lib/contracts/node-definition";
import { jsonSchemaSchema } from "../shared-schemas";

export const simulateSchema = z
  .object({
    output: z.unknown().optional().describe("Text or object (templates allowed) the simulated model answers with."),
    route: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe("routing: choose — the target to hand off to (node name or id)."),
    reason: z
      .string()
      .max(2000)
      .optional()
      .describe("Why it hands off (shown in the run history and passed to the next agent)."),
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    usage: z
      .object({
        inputTokens: z.number().int().min(0).max(100_000_000).optional(),
        outputTokens: z.number().int().min(0).max(100_000_000).optional(),
      })
      .strict()
      .optional(),
    failTimes: z
      .number()
      .int()
      .min(0)
      .max(100)
      .optional()
      .describe("The first `failTimes` attempts fail with `failWith`."),
    failWith: z.enum(["rate_limit", "server_error", "timeout", "invalid_output"]).optional(),
    retryAfterMs: z
      .number()
      .int()
      .min(0)
      .max(3_600_000)
      .optional()
      .describe("rate_limit: the Retry-After the simulated provider sends."),
    toolCalls: z
      .array(
        z
          .object({
            tool: z.string().min(1).max(401).describe("`server.tool`, one of the agent's `tools`."),
            arguments: z.unknown().optional().describe("The call's arguments (templates allowed)."),
          })
          .strict(),
      )
      .max(20)
      .optional()
      .describe("Tools the simulated model calls, in order, before it answers (each through MCP, traced)."),
  })
  .strict();

export const agentConfigSchema = z
  .object({
    /** `simulated` or `provider:model` (e.g. `openai:gpt-4o-mini`). */
    model: z
      .string()
      .min(1)
      .max(200)
      .regex(/^(simulated|[a-z0-9-]+:[A-Za-z0-9._:/-]+)$/, 'must be "simulated" or "provider:model"')
      .default("simulated"),
    instructions: z.string().max(100_000).default(""),
    prompt: z.string().max(100_000).default("{{ input }}"),
    /** MCP tools the agent may call (`server` + `tool`); the simulated model calls those in `simulate.toolCalls`. */
    tools: z
      .array(z.object({ server: z.string().min(1).max(200), tool: z.string().min(1).max(200) }).strict())
      .max(100)
      .default([]),
    outputSchema: jsonSchemaSchema.optional(),
    maxTurns: z
      .number()
      .int()
      .min(1)
      .max(50)
      .default(5)
      .describe("Most model calls of the tool loop (a call that asks for tools and gets their results counts as one)."),
    temperature: z
      .number()
      .min(0)
      .max(2)
      .optional()
      .describe("Sampling temperature, 0 (focused) to 2 (varied); the provider's default when unset."),
    maxOutputTokens: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe(
        "Most tokens the model may write per call; the provider's default when unset. Monthly budgets reserve this many output tokens (4,096 when unset) before each call.",
      ),
    routing: z
      .enum(["all", "choose"])
      .default("all")
      .describe(
        "`all`: follow every outgoing edge. `choose`: hand off along exactly one, picked by the target's name.",
      ),
    useConversation: z
      .boolean()
      .default(false)
      .describe("Start with the run's shared conversation even when not reached by a handoff."),
    writes: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), z.unknown())
      .optional()
      .describe("Facts to put into `vars`: name → template over the run context plus `output`."),
    simulate: simulateSchema.optional(),
  })
  .strict();

export type AgentConfig = z.infer<typeof agentConfigSchema>;
export type SimulateConfig = z.infer<typeof simulateSchema>;

export const agentDefinition = defineNode({
  type: "agent",
  label: "Agent",
  description: "An AI agent turn: instructions and a prompt, optional tools and structured output.",
  icon: "bot",
  category: "ai",
  docs: [
    "Runs one agent turn loop with `model` (`simulated` or `provider:model`), `instructions` and `prompt` (a template),",
    "for at most `maxTurns` model turns, with the MCP `tools` it may call (`server` + `tool`; the simulated model calls those in `simulate.toolCalls`).",
    "A call of a tool marked as needing approval waits for a person first (each call its own approval, in order); the loop then goes on where it stopped (docs/interop.md).",
    "`temperature` and `maxOutputTokens` tune the model (provider defaults when unset).",
    "`outputSchema` asks for structured output (checked with JSON Schema). `writes` copies facts into `vars`",
    "(templates that can use `output`). With `routing: choose` the agent hands off along exactly one outgoing",
    "edge, picked by the target's name, and says why; the next agent starts with the shared conversation and",
    "that reason. `simulate` controls the built-in offline model (output, route, latencyMs, usage, failTimes + failWith).",
    "Agents retry 3 times by default on rate limits, timeouts and server errors.",
  ].join(" "),
  configVersion: 1,
  migrations: [],
  configSchema: agentConfigSchema,
  defaults: {
    model: "simulated",
    instructions: "",
    prompt: "{{ input }}",
    tools: [],
    maxTurns: 5,
    routing: "all",
    useConversation: false,
  },
  outcomes: () => ["default"],
  primaryOutcome: () => "default",
  canBranch: (c) => c.routing === "choose",
  expressions: (c) => {
    const out: { path: string; kind: "template"; value: unknown }[] = [
      { path: "instructions", kind: "template", value: c.instructions },
      { path: "prompt", kind: "template", value: c.prompt },
    ];
    if (c.writes) out.push({ path: "writes", kind: "template", value: c.writes });
    if (c.simulate?.output !== undefined)
      out.push({ path: "simulate.output", kind: "template", value: c.simulate.output });
    if (c.simulate?.route) out.push({ path: "simulate.route", kind: "template", value: c.simulate.route });
    return out;
  },
  atMostOnce: false,
  jsonSchemas: (c) => (c.outputSchema ? [{ path: "outputSchema", schema: c.outputSchema }] : []),
  sideEffects: false,
  // an MCP tool marked as requiring approval makes the step wait for a person
  canWait: true,
  defaultMaxAttempts: 3,
  editor: {
    fieldLabels: {
      outputSchema: "Output JSON Schema",
      maxTurns: "Most turns",
      maxOutputTokens: "Most output tokens",
      routing: "Next step",
      useConversation: "Start with the shared conversation",
    },
    multilineFields: ["instructions", "prompt"],
    choiceFields: { model: "models", tools: "mcp-tools" },
    fieldEditors: { writes: "keyValue" },
    writesVars: (c) => (c.writes && typeof c.writes === "object" ? Object.keys(c.writes) : []),
  },
});
