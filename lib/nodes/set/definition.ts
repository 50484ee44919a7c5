import { z } from "zod";
import { defineNode } from "@/lib/contracts/node-definition";

export const setConfigSchema = z
  .object({
    vars: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "must be a simple name"), z.unknown())
      .describe("name → template; each result is stored in `vars.<name>` for every later node."),
  })
  .strict()
  .refine((c) => Object.keys(c.vars).length > 0, { message: "Set at least one variable.", path: ["vars"] });

export type SetConfig = z.infer<typeof setConfigSchema>;

export const setDefinition = defineNode({
  type: "set",
  label: "Set variables",
  description: "Writes named values into the run's shared vars.",
  icon: "variable",
  category: "data",
  docs: "`vars` maps names to templates. Each is rendered over the run context and stored in `vars.<name>`, visible to every later node. The output is the object of values written.",
  configVersion: 1,
  migrations: [],
  configSchema: setConfigSchema,
  defaults: { vars: { status: "new" } },
  outcomes: () => ["default"],
  primaryOutcome: () => "default",
  canBranch: () => false,
  expressions: (c) => [{ path: "vars", kind: "template", value: c.vars }],
  atMostOnce: false,
  sideEffects: false,
  defaultMaxAttempts: 1,
  editor: {
    writesVars: (c) => (c.vars && typeof c.vars === "object" ? Object.keys(c.vars) : []),
    fieldEditors: { vars: "keyValue" },
  },
});
