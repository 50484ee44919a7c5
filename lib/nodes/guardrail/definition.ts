import { z } from "zod";
import { defineNode } from "@/lib/contracts/node-definition";
import { regexProblem } from "@/lib/contracts/safe-regex";
import { assigneesSchema, jsonSchemaSchema, waitTimeoutSchema } from "../shared-schemas";

export const guardrailCheckSchema = z.discriminatedUnion("type", [
  z
    .object({ type: z.literal("jsonSchema"), schema: jsonSchemaSchema, message: z.string().max(500).optional() })
    .strict(),
  z
    .object({
      type: z.literal("expression"),
      expression: z
        .string()
        .min(1)
        .max(10_000)
        .describe("JSONata over the run context plus `value`; the check passes when it is true."),
      message: z.string().max(500).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal("regex"),
      pattern: z.string().min(1).max(1000),
      flags: z
        .string()
        .regex(/^[imsu]*$/, "may only use the flags i, m, s and u")
        .optional(),
      mode: z
        .enum(["match", "forbid"])
        .default("forbid")
        .describe("`match`: the text must match. `forbid`: the text must not match."),
      message: z.string().max(500).optional(),
    })
    .strict(),
  z
    .object({ type: z.literal("maxLength"), max: z.number().int().min(0), message: z.string().max(500).optional() })
    .strict(),
]);

export const guardrailConfigSchema = z
  .object({
    target: z.unknown().default("{{ input }}").describe("What to check (template). Default: the run input."),
    checks: z.array(guardrailCheckSchema).min(1).max(50),
    onFail: z
      .enum(["fail", "escalate"])
      .default("fail")
      .describe("`fail`: take the `fail` outcome (or fail the run when it has no edges). `escalate`: ask a person."),
    /** escalate: who decides, and by when. */
    assignees: assigneesSchema.default({ roles: ["approver"], users: [] }),
    timeoutMs: waitTimeoutSchema,
    title: z.string().max(500).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    c.checks.forEach((check, i) => {
      if (check.type !== "regex") return;
      // Checked as it will run: RE2 semantics (linear time), see lib/contracts/safe-regex.ts.
      const problem = regexProblem(check.pattern, check.flags ?? "");
      if (problem)
        ctx.addIssue({
          code: "custom",
          path: ["checks", i, "pattern"],
          message: `This is not a valid regular expression: ${problem}`,
        });
    });
  });

export type GuardrailConfig = z.infer<typeof guardrailConfigSchema>;
export type GuardrailCheck = z.infer<typeof guardrailCheckSchema>;

export const guardrailDefinition = defineNode({
  type: "guardrail",
  label: "Guardrail",
  description: "Checks data (JSON Schema, expression, regex, max length) before it goes on.",
  icon: "shield-check",
  category: "logic",
  docs: [
    "Renders `target` (default: the run input) and runs every check in `checks`: `jsonSchema`, `expression` (JSONata, true",
    "passes; sees `value`), `regex` (`mode` match or forbid) and `maxLength` (characters of the text, or of the JSON).",
    "All pass: the `pass` outcome with the value as output. Any fail: with `onFail: fail` the `fail` outcome (the run",
    "fails when nothing is connected to it); with `onFail: escalate` a guardrail approval asks a person — approved",
    "goes on as `pass` (with edited data if given), rejected as `fail`. `assignees`, `timeoutMs` (null: no deadline) and",
    "`title` say who decides that approval, by when, and what it is called.",
  ].join(" "),
  configVersion: 1,
  migrations: [],
  configSchema: guardrailConfigSchema,
  defaults: {
    target: "{{ input }}",
    checks: [{ type: "maxLength", max: 10_000 }],
    onFail: "fail",
    assignees: { roles: ["approver"], users: [] },
    timeoutMs: 7 * 24 * 3_600_000,
  },
  outcomes: () => ["pass", "fail"],
  primaryOutcome: () => "pass",
  canBranch: () => true,
  expressions: (c) => {
    const out: { path: string; kind: "template" | "expression"; value: unknown }[] = [
      { path: "target", kind: "template", value: c.target },
    ];
    c.checks.forEach((check, i) => {
      if (check.type === "expression")
        out.push({ path: `checks[${i}].expression`, kind: "expression", value: check.expression });
    });
    return out;
  },
  atMostOnce: false,
  jsonSchemas: (c) =>
    c.checks.flatMap((check, i) =>
      check.type === "jsonSchema" ? [{ path: `checks[${i}].schema`, schema: check.schema }] : [],
    ),
  sideEffects: false,
  defaultMaxAttempts: 1,
  canWait: true,
  editor: {
    fieldLabels: { onFail: "When a check fails", timeoutMs: "Deadline", assignees: "Who decides" },
    fieldEditors: { checks: "checks", assignees: "assignees", timeoutMs: "duration" },
  },
});
