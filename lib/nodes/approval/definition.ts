import { z } from "zod";
import { defineNode } from "@/lib/contracts/node-definition";
import { assigneesSchema, escalationLevelSchema, jsonSchemaSchema, waitTimeoutSchema } from "../shared-schemas";

export const approvalConfigSchema = z
  .object({
    title: z.string().min(1).max(500).describe("What to decide (template)."),
    details: z.string().max(20_000).default("").describe("More context for the person (template, Markdown)."),
    data: z
      .unknown()
      .optional()
      .describe("The exact data being approved (templates allowed). Default: the previous step's output."),
    assignees: assigneesSchema.default({ roles: ["approver"], users: [] }).describe("Roles and users who may decide."),
    allowEdit: z.boolean().default(false).describe("The person may change the data before approving."),
    /** JSON Schema the edited data must match (when allowEdit). */
    editSchema: jsonSchemaSchema.optional(),
    /** Deadline in ms, or null for an explicit "no deadline". Default 7 days. */
    timeoutMs: waitTimeoutSchema,
    onTimeout: z
      .enum(["reject", "approve", "escalate"])
      .default("reject")
      .describe("What happens when the deadline passes."),
    escalateTo: z
      .array(escalationLevelSchema)
      .max(10)
      .optional()
      .describe("Escalation chain for onTimeout: escalate — each level in turn, then reject."),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.onTimeout === "escalate" && (!c.escalateTo || c.escalateTo.length === 0))
      ctx.addIssue({
        code: "custom",
        path: ["escalateTo"],
        message: "Say who to escalate to (escalateTo), or choose another timeout behaviour.",
      });
    if (c.onTimeout !== "reject" && c.timeoutMs === null)
      ctx.addIssue({
        code: "custom",
        path: ["onTimeout"],
        message: "There is no deadline (timeoutMs is null), so a timeout behaviour cannot apply.",
      });
    if (c.assignees.roles.length === 0 && c.assignees.users.length === 0)
      ctx.addIssue({ code: "custom", path: ["assignees"], message: "Name at least one role or user who can decide." });
  });

export type ApprovalConfig = z.infer<typeof approvalConfigSchema>;

export const approvalDefinition = defineNode({
  type: "approval",
  label: "Approval",
  description: "Pauses the run until a person approves or rejects in the inbox.",
  icon: "user-check",
  category: "human",
  docs: [
    "Creates an approval in the inbox with `title` and `details` (templates) for the `assignees` (roles and users),",
    "showing `data` (default: the previous step's output — an approval before it passes on its approved data — or the",
    "run input right after the trigger). With `allowEdit` the person may change the data; it must match `editSchema`.",
    "Every wait has a deadline: `timeoutMs` (default 7 days) or `null` for none. When it passes, `onTimeout` rejects,",
    "approves, or escalates along `escalateTo`. Outcomes: `approved`, `rejected`; a rejection whose `rejected`",
    "outcome has no edge fails the run with the code `approval_rejected` (the checklist warns about it). Output:",
    "`{ decision, comment, decidedBy, data }` where `data` is the edited data when edited; later steps that default",
    "to the previous step's output take `data`.",
  ].join(" "),
  configVersion: 1,
  migrations: [],
  configSchema: approvalConfigSchema,
  defaults: {
    title: "Please review",
    details: "",
    assignees: { roles: ["approver"], users: [] },
    allowEdit: false,
    timeoutMs: 7 * 24 * 3_600_000,
    onTimeout: "reject",
  },
  outcomes: () => ["approved", "rejected"],
  primaryOutcome: () => "approved",
  canBranch: () => true,
  expressions: (c) => {
    const out: { path: string; kind: "template"; value: unknown }[] = [
      { path: "title", kind: "template", value: c.title },
      { path: "details", kind: "template", value: c.details },
    ];
    if (c.data !== undefined) out.push({ path: "data", kind: "template", value: c.data });
    return out;
  },
  atMostOnce: false,
  // what an end node or another approval right after this one takes by default: the approved data
  passOn: (output) =>
    output && typeof output === "object" && "data" in output ? (output as { data: unknown }).data : output,
  jsonSchemas: (c) => (c.editSchema ? [{ path: "editSchema", schema: c.editSchema }] : []),
  sideEffects: true,
  defaultMaxAttempts: 1,
  canWait: true,
  editor: {
    fieldLabels: {
      allowEdit: "Let the person edit the data",
      editSchema: "Edit JSON Schema",
      data: "Data to approve",
      assignees: "Who decides",
      timeoutMs: "Deadline",
      onTimeout: "When the deadline passes",
      escalateTo: "Escalate to",
    },
    multilineFields: ["details"],
    fieldEditors: { assignees: "assignees", timeoutMs: "duration", escalateTo: "escalation" },
    // the edit schema only matters when editing is allowed; the chain only when escalating
    shownFields: (c) =>
      ["title", "details", "data", "assignees", "allowEdit", "timeoutMs", "onTimeout"].concat(
        c.allowEdit === true ? ["editSchema"] : [],
        c.onTimeout === "escalate" ? ["escalateTo"] : [],
      ),
    outcomesToConnect: {
      rejected:
        'Nothing follows "rejected": if someone rejects, the run stops here and ends as failed. Connect "rejected" to the step that should happen then (an End step, a message…).',
    },
  },
});
