"use client";
// Monthly budgets in USD: one for the workspace, one per workflow. Every model call reserves what
// it may cost before it is made; a call that would pass a budget pauses its run for an admin's
// decision in the inbox, or fails it, as chosen here. Admins edit; others see the use.
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { BudgetMeter, budgetLabel } from "@/components/budgets/budget-meter";
import { useFormAction } from "@/components/settings/settings-list-section";
import { Button } from "@/components/ui/button";
import { Field, fieldError } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { useToast } from "@/components/ui/toast";
import type { BudgetUse } from "@/lib/contracts/ports";
import { setBudgetAction } from "./budget-actions";

export function BudgetsSection({
  budgets,
  workflows,
  canEdit,
}: {
  budgets: BudgetUse[];
  workflows: { id: string; name: string }[];
  canEdit: boolean;
}) {
  const workspace = budgets.find((b) => b.workflowId === null) ?? null;
  const perWorkflow = budgets.filter((b) => b.workflowId !== null);
  return (
    <div className="space-y-5">
      <p className="text-sm text-slate-600">
        Budgets count what model calls cost in each calendar month (UTC), from the price table. Before every call the
        most it may cost is reserved, so parallel steps cannot overspend together.
      </p>
      {budgets.length > 0 && (
        <ul aria-label="Budgets this month" className="space-y-3">
          {budgets.map((b) => (
            <li key={b.workflowId ?? "workspace"}>
              <BudgetMeter budget={b} />
            </li>
          ))}
        </ul>
      )}
      {canEdit ? (
        <>
          <BudgetForm
            legend="Workspace budget"
            workflowId={null}
            current={workspace}
            submitLabel="Save workspace budget"
          />
          <WorkflowBudgetForm workflows={workflows} budgets={perWorkflow} />
        </>
      ) : budgets.length === 0 ? (
        <p className="text-sm text-slate-700">No budgets are set.</p>
      ) : null}
    </div>
  );
}

function useSave() {
  const { error, setError, pending, setPending } = useFormAction();
  const toast = useToast();
  const router = useRouter();
  async function save(
    input: { workflowId: string | null; monthlyUsd: number | null; onExceeded: string },
    what: string,
  ) {
    setPending(true);
    const result = await setBudgetAction(input as Parameters<typeof setBudgetAction>[0]);
    setPending(false);
    if (!result.ok) {
      setError(result.error);
      return false;
    }
    setError(null);
    toast.show(
      result.data.monthlyUsd === null ? `${what}: no budget.` : `${what}: $${result.data.monthlyUsd} a month.`,
      "success",
    );
    router.refresh();
    return true;
  }
  return { error, pending, save };
}

function readForm(form: HTMLFormElement) {
  const data = new FormData(form);
  const raw = String(data.get("monthlyUsd") ?? "").trim();
  return {
    monthlyUsd: raw === "" ? null : Number(raw),
    onExceeded: String(data.get("onExceeded") ?? "pause"),
    workflowId: (String(data.get("workflowId") ?? "") || null) as string | null,
  };
}

function BudgetForm({
  legend,
  workflowId,
  current,
  submitLabel,
}: {
  legend: string;
  workflowId: string | null;
  current: BudgetUse | null;
  submitLabel: string;
}) {
  const { error, pending, save } = useSave();
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const v = readForm(event.currentTarget);
    await save({ ...v, workflowId }, legend);
  }
  return (
    <form onSubmit={onSubmit} noValidate aria-label={legend}>
      <fieldset className="flex flex-wrap items-end gap-3">
        <legend className="mb-2 text-sm font-medium text-slate-900">{legend}</legend>
        <Field
          label="USD per month"
          hint="Empty: no budget."
          error={
            fieldError(error?.fieldErrors, "monthlyUsd") ?? (error && !error.fieldErrors ? error.message : undefined)
          }
          className="min-w-48"
        >
          <Input
            name="monthlyUsd"
            type="number"
            inputMode="decimal"
            min={0}
            step="0.01"
            defaultValue={current?.monthlyUsd ?? ""}
            placeholder="No budget"
          />
        </Field>
        <OnExceededField
          defaultValue={current?.onExceeded ?? "pause"}
          error={fieldError(error?.fieldErrors, "onExceeded")}
        />
        <Button type="submit" loading={pending}>
          {submitLabel}
        </Button>
      </fieldset>
    </form>
  );
}

function OnExceededField({ defaultValue, error }: { defaultValue: string; error?: string | null }) {
  return (
    <Field label="When reached" error={error}>
      {(props) => (
        <Select {...props} name="onExceeded" defaultValue={defaultValue}>
          <option value="pause">Pause the run for an admin</option>
          <option value="fail">Fail the run</option>
        </Select>
      )}
    </Field>
  );
}

function WorkflowBudgetForm({
  workflows,
  budgets,
}: {
  workflows: { id: string; name: string }[];
  budgets: BudgetUse[];
}) {
  const { error, pending, save } = useSave();
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const v = readForm(event.currentTarget);
    const name = workflows.find((w) => w.id === v.workflowId)?.name ?? "Workflow";
    await save(v, `Workflow “${name}”`);
  }
  if (workflows.length === 0) return null;
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Workflow budget">
      <fieldset className="flex flex-wrap items-end gap-3">
        <legend className="mb-2 text-sm font-medium text-slate-900">Budget for one workflow</legend>
        <Field label="Workflow" error={fieldError(error?.fieldErrors, "workflowId")}>
          {(props) => (
            <Select {...props} name="workflowId" defaultValue={budgets[0]?.workflowId ?? workflows[0]?.id}>
              {workflows.map((w) => {
                const b = budgets.find((x) => x.workflowId === w.id);
                return (
                  <option key={w.id} value={w.id}>
                    {w.name}
                    {b ? ` ($${b.monthlyUsd} a month)` : ""}
                  </option>
                );
              })}
            </Select>
          )}
        </Field>
        <Field
          label="USD per month"
          hint="Empty: remove this workflow's budget."
          error={
            fieldError(error?.fieldErrors, "monthlyUsd") ?? (error && !error.fieldErrors ? error.message : undefined)
          }
          className="min-w-48"
        >
          <Input name="monthlyUsd" type="number" inputMode="decimal" min={0} step="0.01" placeholder="No budget" />
        </Field>
        <OnExceededField defaultValue="pause" />
        <Button type="submit" loading={pending}>
          Save workflow budget
        </Button>
      </fieldset>
      {budgets.length > 0 && (
        <p className="mt-2 text-xs text-slate-500">
          Set: {budgets.map((b) => `${budgetLabel(b)} $${b.monthlyUsd}`).join(" · ")}
        </p>
      )}
    </form>
  );
}
