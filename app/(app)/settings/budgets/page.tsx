// Settings → Budgets, the one place budgets are set: the workspace's budgets with this month's
// use and the workflows a budget can be set for, rendered by the (client) section.
import type { Metadata } from "next";
import { PageBody, PageHeader } from "@/components/shell/page-header";
import { Card, CardHeader } from "@/components/ui/card";
import { can } from "@/lib/auth/policy";
import { budgetableWorkflows } from "@/lib/db/budgets";
import { serverContext } from "@/lib/server/context";
import { requirePageActor } from "@/lib/server/session";
import { listBudgets } from "@/lib/use-cases/budgets";
import { BudgetsSection } from "../budgets-section";
import { SettingsNav } from "../settings-nav";

export const metadata: Metadata = { title: "Budgets · Settings" };
export const dynamic = "force-dynamic";

export default async function BudgetsPage() {
  const actor = await requirePageActor("/settings/budgets");
  const db = await serverContext().db();
  const canEdit = can(actor, "settings.manage");
  const [budgets, workflows] = await Promise.all([
    listBudgets(db, actor),
    canEdit ? budgetableWorkflows(db, actor.workspaceId) : Promise.resolve([]),
  ]);
  return (
    <PageBody>
      <PageHeader
        title="Settings"
        description="Monthly spending limits for model calls. Only admins can change them."
      />
      <SettingsNav current="/settings/budgets" admin={canEdit} />
      <Card aria-labelledby="budgets-heading">
        <CardHeader id="budgets-heading" title="Budgets" description="Monthly spending limits for model calls." />
        <BudgetsSection budgets={budgets} workflows={workflows} canEdit={canEdit} />
      </Card>
    </PageBody>
  );
}
