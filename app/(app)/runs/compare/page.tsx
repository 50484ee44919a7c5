import type { Metadata } from "next";
import Link from "next/link";
import { formatCost, formatDuration, formatTokens, formatWhen, versionLabel } from "@/components/runs/format";
import { StatusBadge } from "@/components/runs/status-badge";
import { errorChain } from "@/components/runs/step-panel";
import { Forbidden } from "@/components/shell/forbidden";
import { PageBody, PageHeader } from "@/components/shell/page-header";
import { buttonClass } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { can } from "@/lib/auth/policy";
import { getRunDetail, type RunDetail } from "@/lib/db/runs-queries";
import { type CompareSide, type CompareStep, compareSteps } from "@/lib/runs/compare";
import { serverContext } from "@/lib/server/context";
import { requirePageActor } from "@/lib/server/session";

export const metadata: Metadata = { title: "Compare runs" };
export const dynamic = "force-dynamic";

function toCompare(d: RunDetail): CompareStep[] {
  return d.steps.map((s) => ({
    nodeId: s.nodeId,
    nodeType: s.nodeType,
    visit: s.visit,
    attempt: s.attempt,
    status: s.status,
    durationMs: s.durationMs,
    inputTokens: s.inputTokens,
    outputTokens: s.outputTokens,
    costUsd: s.costUsd,
    output: s.output.value,
    outputTruncated: s.output.truncated,
    error: s.error.value,
  }));
}

function Side({ s }: { s: CompareSide | null }) {
  if (!s) return <span className="text-slate-400">not run</span>;
  return (
    <div className="space-y-0.5">
      <div className="flex items-center gap-2">
        <StatusBadge status={s.status} />
        {s.attempts > 1 ? <span className="text-xs text-slate-500">{s.attempts} attempts</span> : null}
      </div>
      <div className="text-xs text-slate-600 tabular-nums">
        {formatDuration(s.durationMs)} · {formatTokens(s.tokens)} tokens · {formatCost(s.costUsd)}
      </div>
      {s.error ? <div className="text-xs text-red-800">{errorChain(s.error)[0]}</div> : null}
    </div>
  );
}

const CHANGE_TONE: Record<string, string> = {
  same: "text-slate-500",
  different: "text-amber-800 font-medium",
  "status changed": "text-red-800 font-medium",
  "only in A": "text-slate-700",
  "only in B": "text-slate-700",
};

export default async function ComparePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requirePageActor("/runs/compare");
  if (!can(actor, "run.read")) return <Forbidden what="runs" />;
  const sp = await searchParams;
  const aId = typeof sp.a === "string" ? sp.a.trim() : "";
  const bId = typeof sp.b === "string" ? sp.b.trim() : "";
  const db = await serverContext().db();
  const [a, b] = await Promise.all([
    aId ? getRunDetail(db, actor.workspaceId, aId) : Promise.resolve(null),
    bId ? getRunDetail(db, actor.workspaceId, bId) : Promise.resolve(null),
  ]);
  const rows = a && b ? compareSteps(toCompare(a), toCompare(b)) : [];
  const missing = [
    aId && !a ? `Run A “${aId}” was not found.` : "",
    bId && !b ? `Run B “${bId}” was not found.` : "",
  ].filter(Boolean);

  return (
    <PageBody wide>
      <PageHeader
        title="Compare runs"
        description="Two runs side by side, node by node: status, attempts, latency, usage and output."
      />
      <form
        method="get"
        action="/runs/compare"
        className="mb-6 flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4"
      >
        <div className="min-w-64 flex-1 space-y-1.5">
          <Label htmlFor="cmp-a">Run A</Label>
          <Input id="cmp-a" name="a" defaultValue={aId} required placeholder="run id" />
        </div>
        <div className="min-w-64 flex-1 space-y-1.5">
          <Label htmlFor="cmp-b">Run B</Label>
          <Input id="cmp-b" name="b" defaultValue={bId} required placeholder="run id" />
        </div>
        <button type="submit" className={buttonClass("primary")}>
          Compare
        </button>
      </form>
      {missing.length ? (
        <p role="alert" className="mb-4 text-sm text-red-700">
          {missing.join(" ")}
        </p>
      ) : null}
      {a && b ? (
        <>
          <Table label="Run summary" className="mb-6">
            <THead>
              <TR>
                <TH> </TH>
                <TH>
                  A:{" "}
                  <Link href={`/runs/${a.run.id}`} className="font-mono normal-case text-blue-700 hover:underline">
                    {a.run.id}
                  </Link>
                </TH>
                <TH>
                  B:{" "}
                  <Link href={`/runs/${b.run.id}`} className="font-mono normal-case text-blue-700 hover:underline">
                    {b.run.id}
                  </Link>
                </TH>
              </TR>
            </THead>
            <TBody>
              <TR>
                <TH scope="row">Workflow</TH>
                <TD>
                  {a.run.workflowName} {versionLabel(a.run.version)}
                </TD>
                <TD>
                  {b.run.workflowName} {versionLabel(b.run.version)}
                </TD>
              </TR>
              <TR>
                <TH scope="row">Status</TH>
                <TD>
                  <StatusBadge status={a.run.status} />
                </TD>
                <TD>
                  <StatusBadge status={b.run.status} />
                </TD>
              </TR>
              <TR>
                <TH scope="row">Started</TH>
                <TD>{formatWhen(a.run.startedAt ?? a.run.createdAt)}</TD>
                <TD>{formatWhen(b.run.startedAt ?? b.run.createdAt)}</TD>
              </TR>
              <TR>
                <TH scope="row">Duration</TH>
                <TD className="tabular-nums">{formatDuration(a.run.durationMs)}</TD>
                <TD className="tabular-nums">{formatDuration(b.run.durationMs)}</TD>
              </TR>
              <TR>
                <TH scope="row">Tokens</TH>
                <TD className="tabular-nums">{formatTokens(a.run.inputTokens + a.run.outputTokens)}</TD>
                <TD className="tabular-nums">{formatTokens(b.run.inputTokens + b.run.outputTokens)}</TD>
              </TR>
              <TR>
                <TH scope="row">Cost</TH>
                <TD className="tabular-nums">{formatCost(a.run.costUsd)}</TD>
                <TD className="tabular-nums">{formatCost(b.run.costUsd)}</TD>
              </TR>
              <TR>
                <TH scope="row">Same input</TH>
                <TD colSpan={2}>
                  {a.run.input.truncated || b.run.input.truncated
                    ? "too large to compare here"
                    : JSON.stringify(a.run.input.value) === JSON.stringify(b.run.input.value)
                      ? "yes"
                      : "no"}
                </TD>
              </TR>
            </TBody>
          </Table>
          <Table label="Node by node">
            <THead>
              <TR>
                <TH>Node</TH>
                <TH>A</TH>
                <TH>B</TH>
                <TH>Change</TH>
              </TR>
            </THead>
            <TBody>
              {rows.map((r) => (
                <TR key={`${r.nodeId}-${r.visit}`}>
                  <TD>
                    <code className="font-mono text-xs">{r.nodeId}</code>
                    <span className="ml-1 text-xs text-slate-500">
                      {r.nodeType}
                      {r.visit > 1 ? ` · visit ${r.visit}` : ""}
                    </span>
                  </TD>
                  <TD>
                    <Side s={r.a} />
                  </TD>
                  <TD>
                    <Side s={r.b} />
                  </TD>
                  <TD className={CHANGE_TONE[r.change]}>
                    {r.change}
                    {r.change === "same" && r.sameOutput === null ? " (output not compared)" : ""}
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        </>
      ) : null}
    </PageBody>
  );
}
