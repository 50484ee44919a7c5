import { z } from "zod";
import { defineNode } from "@/lib/contracts/node-definition";

export const subworkflowConfigSchema = z
  .object({
    workflow: z.string().min(1).max(200).describe("Id of a workflow in the same workspace."),
    version: z
      .union([z.number().int().min(1), z.literal("latest")])
      .default("latest")
      .describe('A published version number, or "latest".'),
    input: z
      .unknown()
      .default("{{ input }}")
      .describe("The child run's input (templates allowed). Default: this run's input."),
  })
  .strict();

export type SubworkflowConfig = z.infer<typeof subworkflowConfigSchema>;

export const subworkflowDefinition = defineNode({
  type: "subworkflow",
  label: "Subworkflow",
  description: "Runs a published version of another workflow as a child run and waits for it.",
  icon: "workflow",
  category: "flow",
  docs: "Starts `workflow` at `version` (a number or `latest`) with `input` as a child run, and waits for it (also across pauses in the child). The child's output is this node's output; a failed child fails this step.",
  configVersion: 1,
  migrations: [],
  configSchema: subworkflowConfigSchema,
  defaults: { workflow: "", version: "latest", input: "{{ input }}" },
  mustFill: ["workflow"],
  outcomes: () => ["default"],
  primaryOutcome: () => "default",
  canBranch: () => false,
  expressions: (c) => [{ path: "input", kind: "template", value: c.input }],
  atMostOnce: false,
  sideEffects: true,
  defaultMaxAttempts: 1,
  canWait: true,
});
