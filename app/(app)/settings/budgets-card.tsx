// Settings → Budgets: loads the workspace's budgets with this month's use and the workflows a
// budget can be set for, then renders the (client) section.
import { Card, CardHeader } from "@/components/ui/card";
import type { Actor } from "@/lib/auth/policy";
import { can } from "@/lib/auth/policy";
import { budgetableWorkflows } from "@/lib/db/budgets";
import { serverContext } from "@/lib/server/context";
import { listBudgets } from "@/lib/use-cases/budgets";
import { BudgetsSection } from "./budgets-section";

export async function BudgetsCard({ actor }: { actor: Actor }) {
  const db = await serverContext().db();
  const canEdit = can(actor, "settings.manage");
  const [budgets, workflows] = await Promise.all([
    listBudgets(db, actor),
    canEdit ? budgetableWorkflows(db, actor.workspaceId) : Promise.resolve([]),
  ]);
  return (
    <Card aria-labelledby="budgets-heading">
      <CardHeader id="budgets-heading" title="Budgets" description="Monthly spending limits for model calls." />
      <BudgetsSection budgets={budgets} workflows={workflows} canEdit={canEdit} />
    </Card>
  );
}
