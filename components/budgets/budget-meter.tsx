// What a budget has used this calendar month: spent (settled calls) plus reserved (calls in
// flight) against its limit, as a meter with the figures in words (never colour alone).
import type { BudgetUse } from "@/lib/contracts/ports";

const usd = (v: number) => `$${v.toFixed(v !== 0 && Math.abs(v) < 1 ? 4 : 2)}`;

export function budgetLabel(b: Pick<BudgetUse, "workflowId" | "workflowName">): string {
  return b.workflowId ? `Workflow “${b.workflowName ?? b.workflowId}”` : "Workspace";
}

export function BudgetMeter({ budget }: { budget: BudgetUse }) {
  const used = budget.spentUsd + budget.reservedUsd;
  const share = budget.monthlyUsd > 0 ? used / budget.monthlyUsd : used > 0 ? 1 : 0;
  const pct = Math.round(share * 100);
  const label = budgetLabel(budget);
  return (
    <div className="space-y-1">
      <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <span className="font-medium text-slate-900">{label}</span>
        <span className="tabular-nums text-slate-700">
          {usd(budget.spentUsd)} of {usd(budget.monthlyUsd)} · {pct}%
          {budget.reservedUsd > 0 ? ` (+${usd(budget.reservedUsd)} reserved by calls in flight)` : ""}
        </span>
      </div>
      <meter
        aria-label={`${label} budget used in ${budget.month}`}
        min={0}
        max={Math.max(budget.monthlyUsd, used, 0.000001)}
        low={budget.monthlyUsd * 0.8}
        high={budget.monthlyUsd}
        optimum={0}
        value={used}
        title={`${usd(used)} of ${usd(budget.monthlyUsd)} (${pct}%)`}
        className="block h-2 w-full"
      />
      <p className="text-xs text-slate-500">
        {budget.month} (UTC) · when reached: {budget.onExceeded === "fail" ? "runs fail" : "runs pause for an admin"}
      </p>
    </div>
  );
}
