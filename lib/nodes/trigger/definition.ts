import { z } from "zod";
import { defineNode } from "@/lib/contracts/node-definition";

export const triggerConfigSchema = z
  .object({
    kind: z.enum(["manual", "webhook", "schedule"]).default("manual"),
    cron: z.string().min(1).max(200).optional().describe("schedule: a 5-field cron expression."),
    timezone: z.string().min(1).max(64).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.kind === "schedule" && !c.cron)
      ctx.addIssue({ code: "custom", path: ["cron"], message: "A scheduled trigger needs a cron expression." });
    if (c.cron && c.cron.trim().split(/\s+/).length !== 5)
      ctx.addIssue({
        code: "custom",
        path: ["cron"],
        message: "The cron expression needs 5 fields (minute hour day month weekday).",
      });
  });

export type TriggerConfig = z.infer<typeof triggerConfigSchema>;

export const triggerDefinition = defineNode({
  type: "trigger",
  label: "Trigger",
  description: "Where the run starts; its output is the run input.",
  icon: "play",
  category: "trigger",
  docs: "Every workflow has exactly one trigger. `kind` is `manual` (started by a person, the CLI or the API), `webhook` or `schedule` (`cron`, `timezone`). The trigger's output is the run input.",
  configVersion: 1,
  migrations: [],
  configSchema: triggerConfigSchema,
  defaults: { kind: "manual" },
  outcomes: () => ["default"],
  primaryOutcome: () => "default",
  canBranch: () => false,
  expressions: () => [],
  atMostOnce: false,
  sideEffects: false,
  defaultMaxAttempts: 1,
  entry: true,
  editor: { fieldLabels: { kind: "Starts when", cron: "Cron schedule" } },
});
