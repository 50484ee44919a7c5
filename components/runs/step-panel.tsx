// The selected step: status, attempts, usage, latency, idempotency key, and its payloads.
import type { StepDetail } from "@/lib/db/runs-queries";
import { formatCost, formatDuration, formatTokens, formatWhen } from "./format";
import { PayloadView } from "./payload-view";
import { StatusBadge } from "./status-badge";

/** The human sentence of an error and its chain of causes (SerializedError-like JSON). */
export function errorChain(error: unknown): string[] {
  const out: string[] = [];
  let cur: unknown = error;
  for (let depth = 0; cur && depth < 5; depth++) {
    if (typeof cur === "string") {
      out.push(cur);
      break;
    }
    if (typeof cur !== "object") break;
    const e = cur as Record<string, unknown>;
    const name = typeof e.name === "string" ? e.name : typeof e.code === "string" ? e.code : "";
    const msg = typeof e.message === "string" ? e.message : "";
    if (name || msg) out.push(name && msg ? `${name}: ${msg}` : name || msg);
    cur = e.cause;
  }
  return out;
}

export function StepPanel({ step, attempts, runId }: { step: StepDetail; attempts: StepDetail[]; runId: string }) {
  const href = (field: string) => `/api/v1/runs/${runId}/payload?field=${field}&step=${encodeURIComponent(step.id)}`;
  const chain = step.error.value ? errorChain(step.error.value) : [];
  return (
    <section aria-labelledby="step-title" className="rounded-lg border border-slate-200 bg-white p-4">
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <h2 id="step-title" className="text-base font-semibold text-slate-900">
          Step <code className="font-mono">{step.nodeId}</code>
          <span className="ml-2 text-sm font-normal text-slate-500">
            {step.nodeType} · visit {step.visit} · attempt {step.attempt}
          </span>
        </h2>
        <StatusBadge status={step.status} />
      </div>
      {step.reused ? (
        <p className="mb-3 rounded border border-slate-200 bg-slate-50 p-2 text-sm text-slate-700">
          Reused from the run that failed: this step was not run again and its usage is counted there, not here
          (idempotency key of the original run below).
        </p>
      ) : null}
      {chain.length ? (
        <div role="alert" className="mb-3 rounded border border-red-200 bg-red-50 p-3 text-sm text-red-900">
          <p className="font-semibold">Failed: {chain[0]}</p>
          {chain.slice(1).map((c) => (
            <p key={c} className="mt-1">
              Caused by: {c}
            </p>
          ))}
        </div>
      ) : null}
      <dl className="mb-4 grid grid-cols-2 gap-x-4 gap-y-2 text-sm sm:grid-cols-4">
        <div>
          <dt className="text-slate-500">Latency</dt>
          <dd className="tabular-nums">{formatDuration(step.durationMs)}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Tokens in / out</dt>
          <dd className="tabular-nums">
            {formatTokens(step.inputTokens)} / {formatTokens(step.outputTokens)}
          </dd>
        </div>
        <div>
          <dt className="text-slate-500">Cost</dt>
          <dd className="tabular-nums">{formatCost(step.costUsd)}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Model</dt>
          <dd>
            {step.model ?? "—"}
            {step.simulated ? (
              <span className="ml-1 rounded bg-violet-100 px-1 text-xs text-violet-800">simulated</span>
            ) : null}
          </dd>
        </div>
        <div>
          <dt className="text-slate-500">Started</dt>
          <dd>{formatWhen(step.startedAt)}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Ended</dt>
          <dd>{formatWhen(step.endedAt)}</dd>
        </div>
        <div className="col-span-2">
          <dt className="text-slate-500">Idempotency key</dt>
          <dd className="font-mono text-xs break-all">{step.idempotencyKey}</dd>
        </div>
      </dl>
      {attempts.length > 1 ? (
        <div className="mb-4">
          <h3 className="mb-1 text-sm font-semibold text-slate-800">Attempts</h3>
          <ol className="space-y-1 text-sm">
            {attempts.map((a) => (
              <li key={a.id} className="flex flex-wrap items-center gap-2">
                <span className="tabular-nums">#{a.attempt}</span>
                <StatusBadge status={a.status} />
                <span className="text-slate-600">{formatDuration(a.durationMs)}</span>
                {a.error.value ? <span className="text-red-800">{errorChain(a.error.value)[0]}</span> : null}
              </li>
            ))}
          </ol>
        </div>
      ) : null}
      <div className="grid gap-4 lg:grid-cols-2">
        <PayloadView label="Input" payload={step.input} downloadHref={href("input")} />
        <PayloadView label="Output" payload={step.output} downloadHref={href("output")} />
        {step.error.value || step.error.truncated ? (
          <PayloadView label="Error" payload={step.error} downloadHref={href("error")} />
        ) : null}
      </div>
    </section>
  );
}
