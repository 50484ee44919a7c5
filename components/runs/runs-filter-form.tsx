import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { RUN_STATUSES, RUN_TRIGGERS } from "@/lib/db/runs-queries";
import { runsHref, triggerLabel } from "./format";

/** Filters that only come from deep links (dashboard charts); shown as removable chips. */
const LINK_ONLY: { key: string; label: string }[] = [
  { key: "startedById", label: "Started by" },
  { key: "nodeId", label: "Has step" },
  { key: "failedNodeId", label: "Failed at step" },
  { key: "model", label: "Used model" },
];

/** A plain GET form: submitting puts every filter in the URL, so reload and sharing keep the view. */
export function RunsFilterForm({
  values,
  workflows,
  startedByName,
  errors,
}: {
  values: Record<string, string>;
  workflows: { id: string; name: string }[];
  startedByName: string | null;
  errors: string[];
}) {
  const statuses = new Set((values.status ?? "").split(",").filter(Boolean));
  const dateValue = (v: string | undefined) => (v && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : "");
  const chips = LINK_ONLY.filter((c) => values[c.key]);
  return (
    <form
      method="get"
      action="/runs"
      aria-label="Filter runs"
      className="mb-6 grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-4 xl:grid-cols-8 xl:items-end"
    >
      <div className="space-y-1.5 sm:col-span-2">
        <Label htmlFor="runs-q">Search</Label>
        <Input
          id="runs-q"
          name="q"
          type="search"
          placeholder="Run id or text in the input"
          defaultValue={values.q ?? ""}
        />
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="runs-workflow">Workflow</Label>
        <Select id="runs-workflow" name="workflowId" defaultValue={values.workflowId ?? ""}>
          <option value="">All workflows</option>
          {workflows.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name}
            </option>
          ))}
        </Select>
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="runs-trigger">Trigger</Label>
        <Select id="runs-trigger" name="trigger" defaultValue={values.trigger ?? ""}>
          <option value="">Any trigger</option>
          {RUN_TRIGGERS.map((t) => (
            <option key={t} value={t}>
              {triggerLabel(t)}
            </option>
          ))}
        </Select>
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="runs-from">From</Label>
        <Input id="runs-from" name="from" type="date" defaultValue={dateValue(values.from)} />
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="runs-to">To</Label>
        <Input id="runs-to" name="to" type="date" defaultValue={dateValue(values.to)} />
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="runs-cost">Cost above ($)</Label>
        <Input
          id="runs-cost"
          name="costAbove"
          type="number"
          min="0"
          step="0.0001"
          inputMode="decimal"
          defaultValue={values.costAbove ?? ""}
        />
      </div>
      <div className="flex items-center gap-2 pb-2">
        <input
          id="runs-waiting"
          name="waitingOnPerson"
          type="checkbox"
          value="true"
          defaultChecked={values.waitingOnPerson === "true"}
          className="size-4"
        />
        <Label htmlFor="runs-waiting">Waiting on a person</Label>
      </div>
      <fieldset className="sm:col-span-2 lg:col-span-4 xl:col-span-6">
        <legend className="mb-1.5 text-sm font-medium text-slate-800">Status</legend>
        <div className="flex flex-wrap gap-x-4 gap-y-2">
          {RUN_STATUSES.map((s) => (
            <label key={s} className="inline-flex items-center gap-1.5 text-sm text-slate-700">
              <input type="checkbox" name="status" value={s} defaultChecked={statuses.has(s)} className="size-4" />
              {s}
            </label>
          ))}
        </div>
      </fieldset>
      {chips.map((c) => (
        <input key={c.key} type="hidden" name={c.key} value={values[c.key]} />
      ))}
      <div className="flex gap-2 sm:col-span-2 xl:justify-end">
        <button type="submit" className={buttonClass("primary")}>
          Apply filters
        </button>
        {Object.keys(values).length ? (
          <Link href="/runs" className={buttonClass("secondary")}>
            Clear
          </Link>
        ) : null}
      </div>
      {chips.length ? (
        <ul aria-label="Filters from a link" className="flex flex-wrap gap-2 sm:col-span-2 lg:col-span-4 xl:col-span-8">
          {chips.map((c) => {
            const { [c.key]: _, ...rest } = values;
            const shown = c.key === "startedById" ? (startedByName ?? values[c.key]) : values[c.key];
            return (
              <li key={c.key} className="inline-flex items-center gap-2 rounded-full bg-slate-100 px-3 py-1 text-sm">
                <span>
                  {c.label}: <strong>{shown}</strong>
                </span>
                <Link
                  href={runsHref(rest)}
                  aria-label={`Remove filter ${c.label}`}
                  className="text-slate-500 hover:text-slate-900"
                >
                  ×
                </Link>
              </li>
            );
          })}
        </ul>
      ) : null}
      {errors.length ? (
        <p role="alert" className="text-sm text-red-700 sm:col-span-2 lg:col-span-4 xl:col-span-8">
          {errors.join("; ")}
        </p>
      ) : null}
    </form>
  );
}
