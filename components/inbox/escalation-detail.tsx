// The extra detail of budget and guardrail escalations: which limit, how much was spent, what
// failed. Reads the engine's payload tolerantly (unknown fields still show in the payload view).
import { alertClass } from "@/components/ui/alert";
import { formatUsd } from "./format";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

const LIMIT_LABELS: Record<string, string> = {
  costUsd: "Run cost limit (maxCostUsd)",
  tokens: "Run token limit (maxTokens)",
  workspaceUsd: "Workspace budget (this month)",
  workflowUsd: "Workflow budget (this month)",
};

function amount(kind: string | undefined, value: number | null): string {
  if (value === null) return "—";
  return kind === "tokens" ? `${value.toLocaleString("en-US")} tokens` : formatUsd(value);
}

export function BudgetDetail({ payload, runCostUsd }: { payload: unknown; runCostUsd: number }) {
  const p = isObj(payload) ? payload : {};
  const inner = isObj(p.budget) ? p.budget : p;
  const kind =
    typeof inner.limitKind === "string" ? inner.limitKind : typeof inner.kind === "string" ? inner.kind : undefined;
  const limit = num(inner.limit);
  const spent = num(inner.spent) ?? (kind === "tokens" ? null : runCostUsd);
  const over = limit !== null && spent !== null ? spent - limit : null;
  return (
    <section aria-labelledby="budget-h" className={alertClass("warning", "p-4")}>
      <h2 id="budget-h" className="mb-2 font-semibold text-amber-900">
        Budget limit reached
      </h2>
      <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
        <dt className="text-amber-900">Limit</dt>
        <dd className="text-slate-900">{kind ? (LIMIT_LABELS[kind] ?? kind) : "—"}</dd>
        <dt className="text-amber-900">Allowed</dt>
        <dd className="text-slate-900">{amount(kind, limit)}</dd>
        <dt className="text-amber-900">Spent so far</dt>
        <dd className="text-slate-900">{amount(kind, spent)}</dd>
        {over !== null && over > 0 ? (
          <>
            <dt className="text-amber-900">Over by</dt>
            <dd className="text-slate-900">{amount(kind, over)}</dd>
          </>
        ) : null}
      </dl>
      <p className="mt-2 text-sm text-amber-900">
        Approving lets the run continue past this limit; rejecting stops it.
      </p>
    </section>
  );
}

type Failure = { check: string; message: string };

function failuresOf(p: Obj): Failure[] {
  const list = Array.isArray(p.failures)
    ? p.failures
    : Array.isArray(p.failed)
      ? p.failed
      : Array.isArray(p.checks)
        ? p.checks
        : [];
  const out: Failure[] = [];
  for (const item of list) {
    if (!isObj(item)) {
      out.push({ check: "check", message: String(item) });
      continue;
    }
    if (item.passed === true || item.ok === true) continue;
    const check = String(item.check ?? item.type ?? item.kind ?? item.name ?? "check");
    const message = String(item.message ?? item.error ?? item.reason ?? JSON.stringify(item));
    out.push({ check, message });
  }
  return out;
}

export function GuardrailDetail({
  payload,
  failures: given = [],
}: {
  payload: unknown;
  failures?: { type?: string; message: string }[];
}) {
  const p = isObj(payload) ? payload : {};
  const failures = given.length ? given.map((f) => ({ check: f.type ?? "check", message: f.message })) : failuresOf(p);
  const value = given.length ? payload : (p.value ?? p.target ?? p.data);
  return (
    <section aria-labelledby="guardrail-h" className={alertClass("danger", "p-4")}>
      <h2 id="guardrail-h" className="mb-2 font-semibold text-red-900">
        Guardrail check failed
      </h2>
      {failures.length ? (
        <ul className="list-disc space-y-1 pl-5 text-sm">
          {failures.map((f, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: static list
            <li key={i}>
              <span className="font-medium">{f.check}</span>: {f.message}
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-sm">
          {typeof p.message === "string" ? p.message : "The data did not pass the node's checks."}
        </p>
      )}
      {value !== undefined ? (
        <div className="mt-3">
          <div className="mb-1 text-sm font-medium text-red-900">Checked data</div>
          <pre className="max-h-64 overflow-auto whitespace-pre-wrap rounded-md bg-white p-2 font-mono text-xs text-slate-900">
            {typeof value === "string" ? value : JSON.stringify(value, null, 2)}
          </pre>
        </div>
      ) : null}
      <p className="mt-2 text-sm text-red-900">Approving lets the data through; rejecting routes the run to failure.</p>
    </section>
  );
}
