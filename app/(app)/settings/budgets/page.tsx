// Settings → Budgets as its own tab (the same card the workspace page shows).
import type { Metadata } from "next";
import { PageBody, PageHeader } from "@/components/shell/page-header";
import { can } from "@/lib/auth/policy";
import { requirePageActor } from "@/lib/server/session";
import { BudgetsCard } from "../budgets-card";
import { SettingsNav } from "../settings-nav";

export const metadata: Metadata = { title: "Budgets · Settings" };
export const dynamic = "force-dynamic";

export default async function BudgetsPage() {
  const actor = await requirePageActor("/settings/budgets");
  return (
    <PageBody>
      <PageHeader
        title="Settings"
        description="Monthly spending limits for model calls. Only admins can change them."
      />
      <SettingsNav current="/settings/budgets" admin={can(actor, "settings.manage")} />
      <BudgetsCard actor={actor} />
    </PageBody>
  );
}
