import { Cron } from "croner";
import { z } from "zod";
import { defineNode } from "@/lib/contracts/node-definition";

/** The webhook trigger's defaults (lib/use-cases/triggers/webhooks.ts applies them). */
export const WEBHOOK_DEFAULTS = {
  maxBodyKb: 1024,
  toleranceSeconds: 300,
  respond: "at_once",
  waitSeconds: 30,
} as const;

function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const triggerConfigSchema = z
  .object({
    kind: z.enum(["manual", "webhook", "schedule", "chat"]).default("manual"),
    cron: z.string().min(1).max(200).optional().describe("schedule: a 5-field cron expression."),
    timezone: z.string().min(1).max(64).optional().describe("schedule: an IANA time zone (default UTC)."),
    missed: z
      .enum(["skip", "run_once"])
      .optional()
      .describe("schedule: fire times missed while no server ran are skipped (default) or run once."),
    secret: z
      .string()
      .min(1)
      .max(120)
      .optional()
      .describe("webhook: a credential holding a Standard Webhooks secret (whsec_…); signatures are then required."),
    toleranceSeconds: z
      .number()
      .int()
      .min(10)
      .max(3600)
      .optional()
      .describe("webhook: how old a signed delivery may be (default 300 s)."),
    maxBodyKb: z
      .number()
      .int()
      .min(1)
      .max(10240)
      .optional()
      .describe("webhook: largest body accepted (default 1024 KB)."),
    respond: z
      .enum(["at_once", "with_output"])
      .optional()
      .describe("webhook: answer at once with the run id (default) or wait for the run's output."),
    waitSeconds: z
      .number()
      .int()
      .min(1)
      .max(120)
      .optional()
      .describe("webhook: with `with_output`, how long to wait before answering with the run id (default 30)."),
    rateLimitPerMinute: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .optional()
      .describe(
        "webhook: requests a minute this webhook accepts, per web server (default SWITCHBOARD_WEBHOOK_RATE_LIMIT, 300); more answer 429 with Retry-After.",
      ),
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
    else if (c.cron) {
      try {
        new Cron(c.cron, { paused: true, mode: "5-part" });
      } catch (error) {
        ctx.addIssue({
          code: "custom",
          path: ["cron"],
          message: `The cron expression is not valid: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    }
    if (c.timezone && !validTimezone(c.timezone))
      ctx.addIssue({ code: "custom", path: ["timezone"], message: `Unknown time zone “${c.timezone}”.` });
  });

export type TriggerConfig = z.infer<typeof triggerConfigSchema>;

export const triggerDefinition = defineNode({
  type: "trigger",
  label: "Trigger",
  description: "Where the run starts; its output is the run input.",
  icon: "play",
  category: "trigger",
  docs: "Every workflow has exactly one trigger. `kind` is `manual` (started by a person, the CLI or the API), `webhook` (a production URL per published workflow; optional Standard Webhooks signature with `secret`, `toleranceSeconds`; `maxBodyKb`; `respond`: `at_once` or `with_output` within `waitSeconds`; `rateLimitPerMinute`), `schedule` (`cron`, `timezone`, `missed`: `skip` or `run_once`) or `chat` (the editor's chat panel starts a run per message with `{ messages }` as input). The trigger's output is the run input.",
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
  editor: {
    shownFields: (c) => [
      "kind",
      ...(c.kind === "schedule" ? ["cron", "timezone", "missed"] : []),
      ...(c.kind === "webhook"
        ? ["secret", "toleranceSeconds", "maxBodyKb", "respond", "waitSeconds", "rateLimitPerMinute"]
        : []),
    ],
    fieldLabels: {
      kind: "Starts when",
      cron: "Cron schedule",
      timezone: "Time zone",
      missed: "Missed while down",
      secret: "Signing secret (credential)",
      toleranceSeconds: "Signature max age (s)",
      maxBodyKb: "Max body (KB)",
      respond: "Answer",
      waitSeconds: "Wait for output (s)",
      rateLimitPerMinute: "Rate limit (requests/min)",
    },
  },
});
