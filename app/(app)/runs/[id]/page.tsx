import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { formatCost, formatDuration, formatTokens, formatWhen, runsHref, versionLabel } from "@/components/runs/format";
import { LiveOutput } from "@/components/runs/live-output";
import { LiveRefresh } from "@/components/runs/live-refresh";
import { PayloadView } from "@/components/runs/payload-view";
import { RunActions } from "@/components/runs/run-actions";
import { RunPeople } from "@/components/runs/run-people";
import { StatusBadge } from "@/components/runs/status-badge";
import { errorChain, StepPanel } from "@/components/runs/step-panel";
import { TraceWaterfall } from "@/components/runs/trace-waterfall";
import { Forbidden } from "@/components/shell/forbidden";
import { PageBody } from "@/components/shell/page-header";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { can } from "@/lib/auth/policy";
import { getRunDetail } from "@/lib/db/runs-queries";
import { serverContext } from "@/lib/server/context";
import { requirePageActor } from "@/lib/server/session";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const { id } = await params;
  return { title: `Run ${id}` };
}

export default async function RunPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const actor = await requirePageActor(`/runs/${id}`);
  if (!can(actor, "run.read")) return <Forbidden what="runs" />;
  const sp = await searchParams;
  const db = await serverContext().db();
  const requestedId = typeof sp.step === "string" ? sp.step : null;
  const detail = await getRunDetail(db, actor.workspaceId, id, {
    // Only the selected step's attempts carry payloads (the requested one, else the last failure).
    stepPayloads: (rows) => {
      const sel = rows.find((r) => r.id === requestedId) ?? rows.filter((r) => r.status === "failed").at(-1);
      return sel ? rows.filter((r) => r.nodeId === sel.nodeId && r.visit === sel.visit).map((r) => r.id) : [];
    },
  });
  if (!detail) notFound();
  const { run, steps, approvals } = detail;
  const now = new Date();

  const failedSteps = steps.filter((s) => s.status === "failed");
  const requested = requestedId ? steps.find((s) => s.id === requestedId) : undefined;
  // Open on the step that failed (its last attempt), so "why did it fail" is the first thing seen.
  const selected = requested ?? failedSteps.at(-1) ?? null;
  const attempts = selected ? steps.filter((s) => s.nodeId === selected.nodeId && s.visit === selected.visit) : [];
  const runError = run.error.value ? errorChain(run.error.value) : [];
  const canAct = {
    cancel: can(actor, "run.cancel", { workspaceId: actor.workspaceId }),
    retry: can(actor, "run.retry", { workspaceId: actor.workspaceId }),
    start: can(actor, "run.start", { workspaceId: actor.workspaceId }),
  };

  return (
    <PageBody wide>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-600">
        <Link href="/runs" className="hover:underline">
          Runs
        </Link>{" "}
        /{" "}
        <Link href={runsHref({ workflowId: run.workflowId })} className="hover:underline">
          {run.workflowName}
        </Link>
      </nav>
      <div className="mb-4 flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="flex flex-wrap items-center gap-3 text-2xl font-semibold text-slate-900">
            Run <code className="font-mono text-lg">{run.id}</code> <StatusBadge status={run.status} />
          </h1>
          <p className="mt-1 text-sm text-slate-600">
            {run.workflowName} {versionLabel(run.version)} · {run.trigger}
            {run.startedByName ? ` by ${run.startedByName}` : ""} · started {formatWhen(run.startedAt ?? run.createdAt)}
            {run.retryOfRunId ? (
              <>
                {" "}
                · {run.trigger} of{" "}
                <Link href={`/runs/${run.retryOfRunId}`} className="font-mono text-blue-700 hover:underline">
                  {run.retryOfRunId}
                </Link>
              </>
            ) : null}{" "}
            ·{" "}
            <Link
              href={`/workflows/${encodeURIComponent(run.workflowId)}?run=${encodeURIComponent(run.id)}`}
              className="text-blue-700 hover:underline"
            >
              Watch on canvas
            </Link>
          </p>
          {["queued", "running", "waiting"].includes(run.status) ? (
            <LiveRefresh runId={run.id} afterSeq={run.lastSeq} />
          ) : null}
        </div>
        <RunActions
          runId={run.id}
          status={run.status}
          version={run.version}
          latestVersion={run.latestVersion}
          hasFailedStep={failedSteps.length > 0}
          may={canAct}
          compareWith={run.retryOfRunId ?? detail.children[0]?.id ?? null}
        />
      </div>

      <dl className="mb-4 grid grid-cols-2 gap-3 rounded-lg border border-slate-200 bg-white p-4 text-sm sm:grid-cols-3 lg:grid-cols-6">
        <div>
          <dt className="text-slate-500">Duration</dt>
          <dd className="tabular-nums">{formatDuration(run.durationMs)}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Steps</dt>
          <dd className="tabular-nums">{steps.length}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Tokens in / out</dt>
          <dd className="tabular-nums">
            {formatTokens(run.inputTokens)} / {formatTokens(run.outputTokens)}
          </dd>
        </div>
        <div>
          <dt className="text-slate-500">Cost</dt>
          <dd className="tabular-nums">{formatCost(run.costUsd)}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Created</dt>
          <dd>{formatWhen(run.createdAt)}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Ended</dt>
          <dd>{formatWhen(run.endedAt)}</dd>
        </div>
      </dl>

      {["queued", "running", "waiting"].includes(run.status) ? (
        <LiveOutput runId={run.id} afterSeq={run.lastSeq} />
      ) : null}

      {runError.length ? (
        <div role="alert" className="mb-4 rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-900">
          <p className="font-semibold">
            Run failed{failedSteps.length ? ` at step “${failedSteps.at(-1)?.nodeId}”` : ""}: {runError[0]}
          </p>
          {runError.slice(1).map((c) => (
            <p key={c}>Caused by: {c}</p>
          ))}
        </div>
      ) : failedSteps.length && run.status === "failed" ? (
        <div role="alert" className="mb-4 rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-900">
          Run failed at step “{failedSteps.at(-1)?.nodeId}”.
        </div>
      ) : null}

      <div className="mb-4">
        <TraceWaterfall
          steps={steps.filter((st) => !st.reused)}
          reusedCount={steps.filter((st) => st.reused).length}
          reusedFrom={run.retryOfRunId}
          waits={approvals.map((a) => ({
            id: a.id,
            nodeId: a.nodeId,
            title: a.title,
            status: a.status,
            from: a.createdAt,
            to: a.decidedAt,
            decidedByName: a.decidedByName,
          }))}
          start={run.startedAt ?? run.createdAt}
          now={run.endedAt ?? now}
          selectedId={selected?.id ?? null}
          hrefFor={(stepId) => `/runs/${run.id}?step=${encodeURIComponent(stepId)}`}
        />
      </div>

      <div className="grid gap-4 xl:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
        <div className="space-y-4">
          <div className="max-h-[36rem] overflow-auto rounded-lg">
            <Table label="Steps">
              <THead>
                <TR>
                  <TH>Step</TH>
                  <TH>Status</TH>
                  <TH className="text-right">Latency</TH>
                  <TH className="text-right">Cost</TH>
                </TR>
              </THead>
              <TBody>
                {steps.map((s) => (
                  <TR key={s.id} className={s.id === selected?.id ? "bg-blue-50" : undefined}>
                    <TD>
                      <Link
                        href={`/runs/${run.id}?step=${encodeURIComponent(s.id)}`}
                        scroll={false}
                        aria-current={s.id === selected?.id ? "true" : undefined}
                        className="font-mono text-xs text-blue-700 hover:underline"
                      >
                        {s.nodeId}
                      </Link>
                      <span className="ml-1 text-xs text-slate-500">
                        {s.nodeType}
                        {s.visit > 1 ? ` · visit ${s.visit}` : ""}
                        {s.attempt > 1 ? ` · attempt ${s.attempt}` : ""}
                      </span>
                      {s.reused ? (
                        <span className="ml-1 rounded bg-slate-100 px-1 text-xs text-slate-700">
                          reused, not re-run
                        </span>
                      ) : null}
                    </TD>
                    <TD>
                      <StatusBadge status={s.status} />
                    </TD>
                    <TD className="text-right tabular-nums">{formatDuration(s.durationMs)}</TD>
                    <TD className="text-right tabular-nums">{s.reused ? "—" : formatCost(s.costUsd)}</TD>
                  </TR>
                ))}
              </TBody>
            </Table>
          </div>
          <section aria-labelledby="run-io" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
            <h2 id="run-io" className="text-base font-semibold text-slate-900">
              Run input and output
            </h2>
            <PayloadView
              label="Input"
              payload={run.input}
              downloadHref={`/api/v1/runs/${run.id}/payload?field=input`}
            />
            <PayloadView
              label="Output"
              payload={run.output}
              downloadHref={`/api/v1/runs/${run.id}/payload?field=output`}
            />
          </section>
        </div>
        <div className="space-y-4">
          {selected ? (
            <StepPanel step={selected} attempts={attempts} runId={run.id} />
          ) : (
            <p className="rounded-lg border border-dashed border-slate-300 p-4 text-sm text-slate-600">
              Select a step in the trace or the list to see its input, output, usage and errors.
            </p>
          )}
          <RunPeople conversation={detail.conversation} handoffs={detail.handoffs} approvals={approvals} />
        </div>
      </div>
    </PageBody>
  );
}
