"use server";
// Monthly budgets (workspace and per workflow): admins only, through lib/use-cases/budgets.
import { revalidatePath } from "next/cache";
import { authedAction } from "@/lib/server/action";
import { BudgetInputSchema, setBudget } from "@/lib/use-cases/budgets";

export const setBudgetAction = authedAction(
  { action: "settings.manage", input: BudgetInputSchema },
  async ({ actor, input, db }) => {
    const result = await setBudget(db, actor, input);
    revalidatePath("/settings/budgets");
    revalidatePath("/dashboard");
    return result;
  },
);
