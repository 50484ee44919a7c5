import { z } from "zod";
import { defineNode } from "@/lib/contracts/node-definition";

export const endConfigSchema = z
  .object({
    output: z
      .unknown()
      .optional()
      .describe("The run's output (a template object or value). Default: the previous step's output."),
  })
  .strict();

export type EndConfig = z.infer<typeof endConfigSchema>;

export const endDefinition = defineNode({
  type: "end",
  label: "End",
  description: "Sets the run's output.",
  icon: "flag",
  category: "flow",
  docs: [
    "Renders `output` (templates allowed, any JSON) and makes it the run's output. Without `output` the run's output is",
    "what the step before produced (after an approval: the approved, possibly edited, data). When several end nodes",
    "run, the last one to finish wins. Other branches still finish.",
  ].join(" "),
  configVersion: 1,
  migrations: [],
  configSchema: endConfigSchema,
  defaults: {},
  outcomes: () => [],
  primaryOutcome: () => null,
  canBranch: () => false,
  expressions: (c) => (c.output === undefined ? [] : [{ path: "output", kind: "template", value: c.output }]),
  atMostOnce: false,
  sideEffects: false,
  defaultMaxAttempts: 1,
});
