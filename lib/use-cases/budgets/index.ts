// Monthly budgets (USD): one for the workspace and one per workflow, set by admins (the caller
// checked settings.manage). Each change and its audit entry commit together. Every model call is
// reserved against them before it is made (lib/db/budgets.ts); what each has used this month is
// on the dashboard.
import { z } from "zod";
import type { Actor } from "@/lib/auth/policy";
import { invalidFromZod } from "@/lib/contracts/app-errors";
import { recordAudit } from "@/lib/db/audit";
import { type BudgetUse, budgetsChanged, budgetUse, saveBudgetRow } from "@/lib/db/budgets";
import type { Db } from "@/lib/db/client";
import { transaction } from "@/lib/db/tx";

export type { BudgetUse } from "@/lib/db/budgets";

export const BudgetInputSchema = z.object({
  /** null or absent: the workspace's budget. */
  workflowId: z.string().min(1).max(100).nullable().optional(),
  /** USD per calendar month (UTC); null removes the budget. */
  monthlyUsd: z
    .number({ error: "Monthly budget must be a number of dollars" })
    .min(0, "Monthly budget cannot be negative")
    .max(10_000_000, "Monthly budget must be at most $10,000,000")
    .nullable(),
  onExceeded: z.enum(["pause", "fail"], { error: "Choose pause or fail" }).default("pause"),
});
export type BudgetInput = z.input<typeof BudgetInputSchema>;

const usd = (v: number) => `$${v.toFixed(2)}`;

export async function setBudget(
  db: Db,
  actor: Actor,
  raw: BudgetInput,
): Promise<{ workflowId: string | null; monthlyUsd: number | null }> {
  const parsed = BudgetInputSchema.safeParse(raw);
  if (!parsed.success) throw invalidFromZod(parsed.error, "budget");
  const input = parsed.data;
  const workflowId = input.workflowId ?? null;
  const result = await transaction(db, async (tx) => {
    const { before } = await saveBudgetRow(tx, {
      workspaceId: actor.workspaceId,
      workflowId,
      monthlyUsd: input.monthlyUsd,
      onExceeded: input.onExceeded,
      by: actor.userId ?? null,
    });
    const what = workflowId ? "the workflow's" : "the workspace's";
    const says = (v: number | null | undefined) => (v === null || v === undefined ? "none" : `${usd(v)} a month`);
    await recordAudit(tx, {
      workspaceId: actor.workspaceId,
      actor,
      action: "budget.changed",
      targetType: workflowId ? "workflow" : "workspace",
      targetId: workflowId ?? actor.workspaceId,
      summary: `Set ${what} budget to ${says(input.monthlyUsd)}${input.monthlyUsd === null ? "" : `, ${input.onExceeded} when reached`} (was ${says(before?.monthlyUsd)})`,
      data: {
        workflowId,
        from: before,
        to: input.monthlyUsd === null ? null : { monthlyUsd: input.monthlyUsd, onExceeded: input.onExceeded },
      },
    });
    return { workflowId, monthlyUsd: input.monthlyUsd };
  });
  // again after the commit: a reservation between the change and its commit may have re-read the old rows
  budgetsChanged(actor.workspaceId);
  return result;
}

/** Each budget of the actor's workspace with what it used this month (spent + reserved by calls in flight). */
export function listBudgets(db: Db, actor: Actor, now = new Date()): Promise<BudgetUse[]> {
  return budgetUse(db, actor.workspaceId, now);
}
