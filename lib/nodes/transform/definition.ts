import { z } from "zod";
import { defineNode } from "@/lib/contracts/node-definition";

export const transformConfigSchema = z
  .object({
    expression: z
      .string()
      .min(1)
      .max(10_000)
      .describe("JSONata over the run context; its result is the node's output."),
  })
  .strict();

export type TransformConfig = z.infer<typeof transformConfigSchema>;

export const transformDefinition = defineNode({
  type: "transform",
  label: "Transform",
  description: "Reshapes data with a JSONata expression.",
  icon: "shuffle",
  category: "data",
  docs: "`expression` is JSONata evaluated over the run context (`input`, `vars`, `nodes.<id>.output`, `run`, `conversation`). Its result is the output.",
  configVersion: 1,
  migrations: [],
  configSchema: transformConfigSchema,
  defaults: { expression: "input" },
  outcomes: () => ["default"],
  primaryOutcome: () => "default",
  canBranch: () => false,
  expressions: (c) => [{ path: "expression", kind: "expression", value: c.expression }],
  atMostOnce: false,
  sideEffects: false,
  defaultMaxAttempts: 1,
  editor: { expressionFields: { expression: "expression" }, multilineFields: ["expression"] },
});
