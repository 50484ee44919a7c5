// The dashboard's budgets: each monthly budget (workspace, workflows) with what it used this
// calendar month, whatever range the rest of the dashboard shows.
import Link from "next/link";
import type { BudgetUse } from "@/lib/contracts/ports";
import { BudgetMeter } from "./budget-meter";

export function BudgetUseSection({ budgets }: { budgets: BudgetUse[] }) {
  if (budgets.length === 0) return null;
  return (
    <section aria-labelledby="budgets-heading" className="mb-6 rounded-lg border border-slate-200 bg-white p-4">
      <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="budgets-heading" className="text-base font-semibold text-slate-900">
          Budgets this month
        </h2>
        <Link href="/settings/budgets" className="text-sm text-blue-700 hover:underline">
          Change budgets
        </Link>
      </div>
      <ul className="grid gap-4 md:grid-cols-2">
        {budgets.map((b) => (
          <li key={b.workflowId ?? "workspace"}>
            <BudgetMeter budget={b} />
          </li>
        ))}
      </ul>
    </section>
  );
}
