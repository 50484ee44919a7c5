import { z } from "zod";
import { type ConfigMigration, defineNode } from "@/lib/contracts/node-definition";

/** Where A2A 1.0 publishes an agent's card (earlier drafts used `/.well-known/agent.json`). */
export const AGENT_CARD_PATH = "/.well-known/agent-card.json";
const LEGACY_AGENT_CARD_PATH = /^([^?#]*)\/\.well-known\/agent\.json(?=[?#]|$)/;

/**
 * Config version 1 → 2: a card URL at the old well-known path moves to A2A 1.0's
 * `/.well-known/agent-card.json` (query and fragment kept). Any other URL is left as it is.
 */
export const agentCardPathMigration: ConfigMigration = {
  name: "a2a-1.0-agent-card-path",
  from: 1,
  to: 2,
  up: (config) =>
    typeof config.agentCardUrl === "string" && LEGACY_AGENT_CARD_PATH.test(config.agentCardUrl)
      ? { ...config, agentCardUrl: config.agentCardUrl.replace(LEGACY_AGENT_CARD_PATH, `$1${AGENT_CARD_PATH}`) }
      : config,
};

export const a2aConfigSchema = z
  .object({
    agentCardUrl: z
      .string()
      .url()
      .max(2000)
      .describe(`The remote agent's card, usually \`https://<host>${AGENT_CARD_PATH}\`.`),
    message: z
      .string()
      .min(1)
      .max(100_000)
      .describe("The task message (a template; a single `{{ }}` holding an object is sent as a data part)."),
    credential: z.string().min(1).max(200).optional().describe("Name of a workspace credential for the remote agent."),
  })
  .strict();

export type A2aConfig = z.infer<typeof a2aConfigSchema>;

export const a2aDefinition = defineNode({
  type: "a2a",
  label: "A2A agent",
  description: "Sends a task to a remote A2A agent and follows it to its end.",
  icon: "radio-tower",
  category: "integration",
  docs: [
    `Sends \`message\` to the A2A agent described at \`agentCardUrl\` (A2A 1.0 serves the card at \`${AGENT_CARD_PATH}\`),`,
    "streaming when the card offers it, and follows the task to its end; the output is the agent's reply as data",
    "(`{ agent, taskId, contextId, state, text, data, artifacts }`), never evaluated as a template. Nothing connects",
    "until a run reaches the node; every call (the card, and the URLs the card names) goes through the egress policy.",
    "`credential` (a workspace credential) is sent as a bearer token, to the card's own origin only. When the agent",
    "asks for input, the run waits for a person in the inbox and the answer goes back to the agent (once per visit).",
    "Cancelling the run or the step's timeout cancels the remote task. A failed, rejected or cancelled task fails",
    "the step: it takes the `error` outcome when connected. Outcomes: default, error.",
  ].join(" "),
  configVersion: 2,
  migrations: [agentCardPathMigration],
  configSchema: a2aConfigSchema,
  defaults: { agentCardUrl: `https://example.com${AGENT_CARD_PATH}`, message: "{{ input }}" },
  outcomes: () => ["default", "error"],
  primaryOutcome: () => "default",
  errorOutcome: "error",
  canBranch: () => true,
  expressions: (c) => [{ path: "message", kind: "template", value: c.message }],
  atMostOnce: false,
  sideEffects: true,
  canWait: true,
  defaultMaxAttempts: 1,
  editor: { fieldLabels: { agentCardUrl: "Agent card URL" }, multilineFields: ["message"] },
});
