import type { Metadata } from "next";
import Link from "next/link";
import {
  formatCost,
  formatDuration,
  formatTokens,
  formatWhen,
  runsHref,
  triggerLabel,
  versionLabel,
} from "@/components/runs/format";
import { RunsFilterForm } from "@/components/runs/runs-filter-form";
import { StatusBadge } from "@/components/runs/status-badge";
import { Forbidden } from "@/components/shell/forbidden";
import { PageBody, PageHeader } from "@/components/shell/page-header";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { can } from "@/lib/auth/policy";
import { issuesFromZod } from "@/lib/contracts/app-errors";
import { listRuns, listWorkflowOptions, RunsFilterSchema, userName } from "@/lib/db/runs-queries";
import { serverContext } from "@/lib/server/context";
import { requirePageActor } from "@/lib/server/session";

export const metadata: Metadata = { title: "Runs" };
export const dynamic = "force-dynamic";

type Params = Record<string, string | string[] | undefined>;

/** The filter part of the URL (everything but the cursor), as plain strings. */
function filterParams(raw: Params): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    const value = Array.isArray(v) ? v.join(",") : v;
    if (k !== "cursor" && typeof value === "string" && value.trim() !== "") out[k] = value.trim();
  }
  return out;
}

export default async function RunsPage({ searchParams }: { searchParams: Promise<Params> }) {
  const actor = await requirePageActor("/runs");
  if (!can(actor, "run.read")) return <Forbidden what="runs" />;
  const raw = await searchParams;
  const params = filterParams(raw);
  const parsed = RunsFilterSchema.safeParse(params);
  const filter = parsed.success ? parsed.data : {};
  const errors = parsed.success ? [] : issuesFromZod(parsed.error);
  const cursor = typeof raw.cursor === "string" ? raw.cursor : null;

  const db = await serverContext().db();
  let page: Awaited<ReturnType<typeof listRuns>>;
  let cursorError: string | null = null;
  try {
    page = await listRuns(db, actor.workspaceId, filter, { cursor, limit: 50 });
  } catch {
    cursorError = "That page link is no longer valid; showing the newest runs.";
    page = await listRuns(db, actor.workspaceId, filter, { limit: 50 });
  }
  const [workflows, startedByName] = await Promise.all([
    listWorkflowOptions(db, actor.workspaceId),
    filter.startedById ? userName(db, filter.startedById) : Promise.resolve(null),
  ]);
  const filtered = Object.keys(params).length > 0;
  const csvHref = `/api/v1/runs/export${Object.keys(params).length ? `?${new URLSearchParams(params)}` : ""}`;

  return (
    <PageBody wide>
      <PageHeader
        title="Runs"
        description="Every run of this workspace, newest first. Filters live in the address, so a filtered view can be shared."
        actions={
          <a href={csvHref} className={buttonClass("secondary")} download>
            Export CSV
          </a>
        }
      />
      <RunsFilterForm
        values={params}
        workflows={workflows}
        startedByName={startedByName}
        errors={errors.map((e) => `${e.path}: ${e.message}`)}
      />
      {cursorError ? (
        <p role="status" className="mb-3 text-sm text-amber-800">
          {cursorError}
        </p>
      ) : null}
      {page.items.length === 0 ? (
        <EmptyState
          title={filtered ? "No runs match these filters" : "No runs yet"}
          description={
            filtered
              ? "Try a wider date range or clear a filter."
              : "Runs appear here as soon as a workflow is started: open one under Workflows and press Run."
          }
        />
      ) : (
        <>
          <Table label="Runs">
            <THead>
              <TR>
                <TH>Run</TH>
                <TH>Workflow</TH>
                <TH>Trigger</TH>
                <TH>Status</TH>
                <TH>Started</TH>
                <TH className="text-right">Duration</TH>
                <TH className="text-right">Tokens</TH>
                <TH className="text-right">Cost</TH>
                <TH>Started by</TH>
              </TR>
            </THead>
            <TBody>
              {page.items.map((r) => (
                <TR key={r.id}>
                  <TD>
                    <Link
                      href={`/runs/${r.id}`}
                      className="font-mono text-xs text-blue-700 underline-offset-2 hover:underline"
                    >
                      {r.id}
                    </Link>
                    {r.retryOfRunId ? (
                      <span className="block text-xs text-slate-500">
                        {r.trigger} of {r.retryOfRunId}
                      </span>
                    ) : null}
                  </TD>
                  <TD>
                    <Link href={runsHref({ ...params, workflowId: r.workflowId })} className="hover:underline">
                      {r.workflowName}
                    </Link>
                    <span className="ml-1 text-xs text-slate-500">{versionLabel(r.version)}</span>
                  </TD>
                  <TD className="text-slate-600">
                    <Link href={runsHref({ ...params, trigger: r.trigger })} className="hover:underline">
                      {triggerLabel(r.trigger)}
                    </Link>
                  </TD>
                  <TD>
                    <StatusBadge status={r.status} />
                    {r.waitingOnPerson ? (
                      <span className="ml-1 text-xs text-amber-800">waiting on a person</span>
                    ) : null}
                  </TD>
                  <TD className="whitespace-nowrap text-slate-600">
                    <time dateTime={(r.startedAt ?? r.createdAt).toISOString()}>
                      {formatWhen(r.startedAt ?? r.createdAt)}
                    </time>
                  </TD>
                  <TD className="text-right tabular-nums">{formatDuration(r.durationMs)}</TD>
                  <TD className="text-right tabular-nums">{formatTokens(r.inputTokens + r.outputTokens)}</TD>
                  <TD className="text-right tabular-nums">{formatCost(r.costUsd)}</TD>
                  <TD className="text-slate-600">{r.startedByName ?? (r.startedById ? r.startedById : "—")}</TD>
                </TR>
              ))}
            </TBody>
          </Table>
          <nav aria-label="Run pages" className="mt-4 flex justify-between gap-3">
            {cursor ? (
              <Link href={runsHref(params)} className={buttonClass("secondary", "sm")}>
                Newest runs
              </Link>
            ) : (
              <span />
            )}
            {page.nextCursor ? (
              <Link href={runsHref({ ...params, cursor: page.nextCursor })} className={buttonClass("secondary", "sm")}>
                Older runs
              </Link>
            ) : null}
          </nav>
        </>
      )}
    </PageBody>
  );
}
