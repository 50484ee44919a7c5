import { z } from "zod";
import { defineNode } from "@/lib/contracts/node-definition";
import { handleSchema } from "../shared-schemas";

export const conditionConfigSchema = z
  .object({
    /** Checked in order; the first whose `when` is true picks its handle. */
    cases: z
      .array(z.object({ handle: handleSchema, when: z.string().min(1).max(10_000) }).strict())
      .min(1)
      .max(50)
      .describe("Checked in order: the first case whose `when` (JSONata) is true picks its handle."),
    /** Handle taken when no case matches. */
    default: handleSchema.default("default").describe("Handle taken when no case matches."),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.cases.forEach((k, i) => {
      if (seen.has(k.handle) || k.handle === c.default)
        ctx.addIssue({
          code: "custom",
          path: ["cases", i, "handle"],
          message: `The handle "${k.handle}" is used twice; each case needs its own.`,
        });
      seen.add(k.handle);
    });
  });

export type ConditionConfig = z.infer<typeof conditionConfigSchema>;

export const conditionDefinition = defineNode({
  type: "condition",
  label: "Condition",
  description: "Picks one branch: the first case whose expression is true, else the default.",
  icon: "git-branch",
  category: "logic",
  docs: "`cases` are checked in order: `{ handle, when }` where `when` is a JSONata expression over the run context. The first true case's handle is taken, otherwise `default` (handle name, default `default`). Edges from the other handles are skipped.",
  configVersion: 1,
  migrations: [],
  configSchema: conditionConfigSchema,
  defaults: { cases: [{ handle: "yes", when: "true" }], default: "default" },
  outcomes: (c) => [...c.cases.map((k) => k.handle), c.default],
  primaryOutcome: (c) => c.default,
  canBranch: () => true,
  expressions: (c) => c.cases.map((k, i) => ({ path: `cases[${i}].when`, kind: "expression" as const, value: k.when })),
  atMostOnce: false,
  sideEffects: false,
  defaultMaxAttempts: 1,
  editor: {
    // a draft without valid cases still shows the handles it names, and the default
    draftOutcomes: (c) => {
      const cases = Array.isArray(c.cases) ? (c.cases as { handle?: unknown }[]) : [];
      const fallback = String(c.default ?? "default");
      return { outcomes: [...cases.map((k) => String(k.handle ?? "")).filter(Boolean), fallback], primary: fallback };
    },
    expressionFields: { cases: "expression" },
    fieldEditors: { cases: "cases" },
  },
});
