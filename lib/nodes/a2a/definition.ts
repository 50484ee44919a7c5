import { z } from "zod";
import { defineNode } from "../definition";

export const a2aConfigSchema = z
  .object({
    agentCardUrl: z.string().url().max(2000),
    message: z.string().min(1).max(100_000).describe("The task message (template)."),
    credential: z.string().min(1).max(200).optional(),
  })
  .strict();

export type A2aConfig = z.infer<typeof a2aConfigSchema>;

export const a2aDefinition = defineNode({
  type: "a2a",
  label: "A2A agent",
  description: "Sends a task to a remote A2A agent (not available yet).",
  icon: "radio-tower",
  category: "integration",
  docs: "Sends `message` to the A2A agent described at `agentCardUrl`. Not available yet: the format accepts it, a run fails at this node with a clear error.",
  configVersion: 1,
  migrations: [],
  configSchema: a2aConfigSchema,
  defaults: { agentCardUrl: "https://example.com/.well-known/agent.json", message: "{{ input }}" },
  outcomes: () => ["default"],
  primaryOutcome: () => "default",
  canBranch: () => false,
  expressions: (c) => [{ path: "message", kind: "template", value: c.message }],
  atMostOnce: false,
  sideEffects: true,
  defaultMaxAttempts: 1,
});
