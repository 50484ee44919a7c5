import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { BudgetUseSection } from "@/components/budgets/budget-use-section";
import { BarListChart } from "@/components/charts/bar-list-chart";
import { ChartCard, DataTable } from "@/components/charts/chart-card";
import { StatusOverTimeChart, type StatusPoint, UsageOverTimeChart } from "@/components/charts/time-charts";
import { formatCost, formatDuration, formatPercent, formatTokens, runsHref } from "@/components/runs/format";
import { Forbidden } from "@/components/shell/forbidden";
import { PageBody, PageHeader } from "@/components/shell/page-header";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { can } from "@/lib/auth/policy";
import type { Db } from "@/lib/db/client";
import { getRunDashboard, getStepDashboard } from "@/lib/db/dashboard";
import {
  bucketRange,
  DashboardQuerySchema,
  RANGE_PRESETS,
  type ResolvedRange,
  resolveRange,
} from "@/lib/runs/dashboard-range";
import { serverContext } from "@/lib/server/context";
import { requirePageActor } from "@/lib/server/session";
import { listBudgets } from "@/lib/use-cases/budgets";

export const metadata: Metadata = { title: "Dashboard" };
export const dynamic = "force-dynamic";

const STATUS_ORDER = ["succeeded", "failed", "cancelled", "waiting", "running", "queued"];

function bucketLabel(bucket: string): string {
  return bucket.length > 10 ? `${bucket.slice(5, 10)} ${bucket.slice(11)}:00` : bucket.slice(5);
}

export default async function DashboardPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requirePageActor("/dashboard");
  if (!can(actor, "dashboard.read")) return <Forbidden what="the dashboard" />;
  const sp = await searchParams;
  const parsed = DashboardQuerySchema.safeParse({
    range: typeof sp.range === "string" && sp.range ? sp.range : undefined,
    from: typeof sp.from === "string" && sp.from ? sp.from : undefined,
    to: typeof sp.to === "string" && sp.to ? sp.to : undefined,
  });
  const range = resolveRange(parsed.success ? parsed.data : {});
  const db = await serverContext().db();
  const [d, budgets] = await Promise.all([
    getRunDashboard(db, actor.workspaceId, { from: range.from, to: range.to }),
    listBudgets(db, actor),
  ]);
  const base = { from: range.from.toISOString(), to: range.to.toISOString() };

  const statuses = STATUS_ORDER.filter((s) => d.statusOverTime.some((b) => b.status === s));
  const buckets = [...new Set(d.statusOverTime.map((b) => b.bucket))].sort();
  const statusData: StatusPoint[] = buckets.map((bucket) => {
    const br = bucketRange(bucket, range);
    const link = { from: br.from.toISOString(), to: br.to.toISOString() };
    const point: StatusPoint = { bucket, label: bucketLabel(bucket), href: runsHref(link), hrefs: {} };
    for (const s of statuses) {
      point[s] = d.statusOverTime.find((b) => b.bucket === bucket && b.status === s)?.runs ?? 0;
      point.hrefs[s] = runsHref({ ...link, status: s });
    }
    return point;
  });
  const usageData = d.usageOverTime.map((u) => {
    const br = bucketRange(u.bucket, range);
    return {
      bucket: u.bucket,
      label: bucketLabel(u.bucket),
      href: runsHref({ from: br.from.toISOString(), to: br.to.toISOString() }),
      costUsd: u.costUsd,
      tokens: u.inputTokens + u.outputTokens,
    };
  });
  const s = d.summary;
  const tiles: { label: string; value: string; href: string; note?: string }[] = [
    { label: "Runs", value: s.runs.toLocaleString("en-US"), href: runsHref(base) },
    {
      label: "Success rate",
      value: formatPercent(s.successRate),
      href: runsHref({ ...base, status: "failed,cancelled" }),
      note: `${s.succeeded} of ${s.succeeded + s.failed + s.cancelled} finished`,
    },
    { label: "p50 duration", value: formatDuration(s.p50DurationMs), href: runsHref(base) },
    { label: "p95 duration", value: formatDuration(s.p95DurationMs), href: runsHref(base) },
    { label: "Cost", value: formatCost(s.costUsd), href: runsHref(base) },
    { label: "Tokens", value: formatTokens(s.inputTokens + s.outputTokens), href: runsHref(base) },
    {
      label: "Approvals waiting",
      value: String(d.approvals.waiting),
      href: runsHref({ waitingOnPerson: "true" }),
      note: d.approvals.oldestWaitingMs !== null ? `oldest ${formatDuration(d.approvals.oldestWaitingMs)}` : undefined,
    },
    {
      label: "Approval wait (mean)",
      value: formatDuration(d.approvals.meanWaitMs),
      href: runsHref(base),
      note: `${d.approvals.decided} decided, longest ${formatDuration(d.approvals.maxWaitMs)}`,
    },
  ];

  return (
    <PageBody wide>
      <PageHeader
        title="Dashboard"
        description={`Runs created ${range.label} (${range.from.toISOString().slice(0, 16).replace("T", " ")} to ${range.to
          .toISOString()
          .slice(0, 16)
          .replace("T", " ")} UTC). Click any figure or bar to see the runs it counts.`}
      />
      <RangePicker range={range} />
      {s.prunedRuns ? (
        <p className="mb-3 text-sm text-slate-600">
          {s.prunedRuns.toLocaleString("en-US")} runs in this range were pruned by retention; their counts, tokens, cost
          and chart figures are included from daily totals, but not in the percentiles (nor per user, model or node on a
          partial first or last day).
        </p>
      ) : null}
      <ul aria-label="Summary" className="mb-6 grid grid-cols-2 gap-3 md:grid-cols-4 xl:grid-cols-8">
        {tiles.map((t) => (
          <li key={t.label}>
            <Link
              href={t.href}
              aria-label={`${t.label}: ${t.value}${t.note ? `, ${t.note}` : ""}`}
              className="block rounded-lg border border-slate-200 bg-white p-3 hover:border-blue-400"
            >
              <span className="block text-xs text-slate-500">{t.label}</span>
              <span className="block text-xl font-semibold tabular-nums text-slate-900">{t.value}</span>
              {t.note ? <span className="block text-xs text-slate-500">{t.note}</span> : null}
            </Link>
          </li>
        ))}
      </ul>
      <BudgetUseSection budgets={budgets} />
      {s.runs === 0 && !s.prunedRuns ? (
        <EmptyState
          title="No runs in this range"
          description="Charts appear once runs exist: open a workflow and press Run, or pick a longer range above."
          action={
            <Link href="/workflows" className={buttonClass("primary", "md")}>
              Open workflows
            </Link>
          }
        />
      ) : (
        <div className="grid items-start gap-4 xl:grid-cols-2">
          <ChartCard
            title="Runs by status"
            description="Runs created per bucket, stacked by status."
            runsHref={runsHref(base)}
          >
            <StatusOverTimeChart data={statusData} statuses={statuses} />
            <DataTable
              label="Runs by status"
              columns={["Bucket", ...statuses]}
              rows={statusData.map((p) => ({
                key: p.bucket,
                cells: [
                  { text: p.bucket, href: p.href },
                  ...statuses.map((st) => ({ text: String(p[st]), href: p.hrefs[st] })),
                ],
              }))}
            />
          </ChartCard>
          <ChartCard
            title="Cost and tokens over time"
            description="USD (line, left axis) and tokens in + out (bars, right axis)."
            runsHref={runsHref(base)}
          >
            <UsageOverTimeChart data={usageData} />
            <DataTable
              label="Cost and tokens over time"
              columns={["Bucket", "Cost", "Tokens"]}
              rows={usageData.map((u) => ({
                key: u.bucket,
                cells: [
                  { text: u.bucket, href: u.href },
                  { text: formatCost(u.costUsd) },
                  { text: formatTokens(u.tokens) },
                ],
              }))}
            />
          </ChartCard>
          <ChartCard title="Cost by workflow" runsHref={runsHref(base)}>
            <BarListChart
              unit="cost (USD)"
              format="usd"
              data={d.byWorkflow.map((g) => ({
                label: g.label,
                value: g.costUsd,
                href: runsHref({ ...base, workflowId: g.key }),
              }))}
            />
            <DataTable
              label="Cost by workflow"
              columns={["Workflow", "Runs", "Tokens", "Cost"]}
              rows={d.byWorkflow.map((g) => ({
                key: g.key,
                cells: [
                  { text: g.label, href: runsHref({ ...base, workflowId: g.key }) },
                  { text: String(g.runs) },
                  { text: formatTokens(g.inputTokens + g.outputTokens) },
                  { text: formatCost(g.costUsd) },
                ],
              }))}
            />
          </ChartCard>
          <ChartCard
            title="Cost by user"
            description="Who started the runs (API keys and schedules have no user)."
            runsHref={runsHref(base)}
          >
            <BarListChart
              unit="cost (USD)"
              format="usd"
              color="#7c3aed"
              data={d.byUser.map((g) => ({
                label: g.label,
                value: g.costUsd,
                href: g.key ? runsHref({ ...base, startedById: g.key }) : runsHref(base),
              }))}
            />
            <DataTable
              label="Cost by user"
              columns={["User", "Runs", "Tokens", "Cost"]}
              rows={d.byUser.map((g) => ({
                key: g.key || "none",
                cells: [
                  { text: g.label, href: g.key ? runsHref({ ...base, startedById: g.key }) : runsHref(base) },
                  { text: String(g.runs) },
                  { text: formatTokens(g.inputTokens + g.outputTokens) },
                  { text: formatCost(g.costUsd) },
                ],
              }))}
            />
          </ChartCard>
          <Suspense fallback={<StepChartsLoading />}>
            <StepCharts db={db} workspaceId={actor.workspaceId} range={range} />
          </Suspense>
        </div>
      )}
    </PageBody>
  );
}

function StepChartsLoading() {
  return (
    <p
      role="status"
      className="rounded-lg border border-dashed border-slate-300 p-6 text-sm text-slate-600 xl:col-span-2"
    >
      Loading per-model, per-agent and failing-node figures…
    </p>
  );
}

async function StepCharts({ db, workspaceId, range }: { db: Db; workspaceId: string; range: ResolvedRange }) {
  const d = await getStepDashboard(db, workspaceId, { from: range.from, to: range.to });
  const base = { from: range.from.toISOString(), to: range.to.toISOString() };
  return (
    <>
      <ChartCard title="Cost by model" description="Agent steps of the runs in range." runsHref={runsHref(base)}>
        <BarListChart
          unit="cost (USD)"
          format="usd"
          color="#0891b2"
          data={d.byModel.map((g) => ({ label: g.label, value: g.costUsd, href: runsHref({ ...base, model: g.key }) }))}
        />
        <DataTable
          label="Cost by model"
          columns={["Model", "Steps", "Tokens", "Cost"]}
          rows={d.byModel.map((g) => ({
            key: g.key,
            cells: [
              { text: g.label, href: runsHref({ ...base, model: g.key }) },
              { text: String(g.steps) },
              { text: formatTokens(g.inputTokens + g.outputTokens) },
              { text: formatCost(g.costUsd) },
            ],
          }))}
        />
      </ChartCard>
      <ChartCard title="Cost by agent node" description="The 20 most expensive agent nodes." runsHref={runsHref(base)}>
        <BarListChart
          unit="cost (USD)"
          format="usd"
          color="#0d9488"
          data={d.byAgentNode.map((g) => ({
            label: g.label,
            value: g.costUsd,
            href: runsHref({ ...base, workflowId: g.workflowId, nodeId: g.nodeId }),
          }))}
        />
        <DataTable
          label="Cost by agent node"
          columns={["Agent node", "Steps", "Tokens", "Cost"]}
          rows={d.byAgentNode.map((g) => ({
            key: g.key,
            cells: [
              { text: g.label, href: runsHref({ ...base, workflowId: g.workflowId, nodeId: g.nodeId }) },
              { text: String(g.steps) },
              { text: formatTokens(g.inputTokens + g.outputTokens) },
              { text: formatCost(g.costUsd) },
            ],
          }))}
        />
      </ChartCard>
      <ChartCard
        title="Nodes that fail most"
        description="Failed step attempts (retries count)."
        runsHref={runsHref({ ...base, status: "failed" })}
      >
        <BarListChart
          unit="failed attempts"
          format="count"
          color="#dc2626"
          data={d.failingNodes.map((n) => ({
            label: `${n.workflowName} · ${n.nodeId}`,
            value: n.failures,
            href: runsHref({ ...base, workflowId: n.workflowId, failedNodeId: n.nodeId }),
          }))}
        />
        <DataTable
          label="Nodes that fail most"
          columns={["Node", "Type", "Failed attempts"]}
          rows={d.failingNodes.map((n) => ({
            key: `${n.workflowId}:${n.nodeId}`,
            cells: [
              {
                text: `${n.workflowName} · ${n.nodeId}`,
                href: runsHref({ ...base, workflowId: n.workflowId, failedNodeId: n.nodeId }),
              },
              { text: n.nodeType },
              { text: String(n.failures) },
            ],
          }))}
        />
      </ChartCard>
    </>
  );
}

function RangePicker({ range }: { range: ResolvedRange }) {
  return (
    <div className="mb-4 flex flex-wrap items-end gap-4">
      <nav aria-label="Time range" className="flex gap-1">
        {Object.keys(RANGE_PRESETS).map((p) => (
          <Link
            key={p}
            href={`/dashboard?range=${p}`}
            aria-current={range.preset === p ? "page" : undefined}
            className={buttonClass(range.preset === p ? "primary" : "secondary", "sm")}
          >
            {p}
          </Link>
        ))}
      </nav>
      <form method="get" action="/dashboard" className="flex flex-wrap items-end gap-2" aria-label="Custom range">
        <div className="space-y-1">
          <Label htmlFor="dash-from">From</Label>
          <Input
            id="dash-from"
            name="from"
            type="date"
            required
            defaultValue={range.preset ? "" : range.from.toISOString().slice(0, 10)}
          />
        </div>
        <div className="space-y-1">
          <Label htmlFor="dash-to">To</Label>
          <Input
            id="dash-to"
            name="to"
            type="date"
            required
            defaultValue={range.preset ? "" : new Date(range.to.getTime() - 1).toISOString().slice(0, 10)}
          />
        </div>
        <button type="submit" className={buttonClass("secondary", "md")}>
          Show range
        </button>
      </form>
    </div>
  );
}
