// The inbox: approvals waiting for me (assigned to me or my role), decided by me, and all
// (admins). Filters by workflow and age; sorted by deadline.
import type { Metadata } from "next";
import Link from "next/link";
import { formatAgo } from "@/components/inbox/format";
import { InboxFilters } from "@/components/inbox/inbox-filters";
import { type InboxRow, InboxTable } from "@/components/inbox/inbox-table";
import { PageBody, PageHeader } from "@/components/shell/page-header";
import { can } from "@/lib/auth/policy";
import { approvalWorkflows, listApprovals } from "@/lib/db/approvals";
import { listInAppNotifications } from "@/lib/db/outbox";
import { workspaceSeparationOfDuties } from "@/lib/db/separation";
import { userEmails } from "@/lib/db/users";
import { serverContext } from "@/lib/server/context";
import { requirePageActor } from "@/lib/server/session";
import { separationOfDutiesBlock } from "@/lib/use-cases/approvals";
import { bulkApproveAction } from "./actions";

export const metadata: Metadata = { title: "Inbox" };
export const dynamic = "force-dynamic";

const NOTIFY_LABELS: Record<string, string> = {
  requested: "New",
  escalated: "Escalated to you",
  reminder: "Deadline soon",
  reassigned: "Reassigned",
};

const AGES: Record<string, number> = { "1h": 3_600_000, "1d": 86_400_000, "7d": 7 * 86_400_000 };

type Search = { tab?: string; workflow?: string; age?: string };

export default async function InboxPage({ searchParams }: { searchParams: Promise<Search> }) {
  const actor = await requirePageActor("/inbox");
  const sp = await searchParams;
  const mayReadAll = can(actor, "approval.readAll", { workspaceId: actor.workspaceId });
  const tab = sp.tab === "decided" || (sp.tab === "all" && mayReadAll) ? sp.tab : "waiting";
  const db = await serverContext().db();
  const now = new Date();
  const [items, workflows, inApp] = await Promise.all([
    listApprovals(
      db,
      actor,
      { tab, workflowId: sp.workflow || undefined, minAgeMs: sp.age ? AGES[sp.age] : undefined },
      now,
    ),
    approvalWorkflows(db, actor.workspaceId),
    listInAppNotifications(db, actor.workspaceId, 100),
  ]);
  const notifications = inApp
    .filter((n) => ((n.payload as { userIds?: string[] }).userIds ?? []).includes(actor.userId))
    .slice(0, 8)
    .map((n) => {
      const p = n.payload as { text?: string; approval?: { id?: string; title?: string }; event?: string };
      return {
        id: n.id,
        at: n.createdAt,
        event: p.event ?? "requested",
        title: p.approval?.title ?? "",
        approvalId: p.approval?.id,
      };
    });
  const emails = await userEmails(
    db,
    items.flatMap((a) => a.assigneeUserIds),
  );
  // Separation of duties: approvals of runs this person started (or whose version they published)
  // are not selectable for bulk approval; the approval page says why.
  const separated = new Set<string>();
  if (await workspaceSeparationOfDuties(db, actor.workspaceId)) {
    for (const a of items) {
      if (a.status === "pending" && (await separationOfDutiesBlock(db, actor, a))) separated.add(a.id);
    }
  }
  const rows: InboxRow[] = items.map((a) => ({
    id: a.id,
    title: a.title,
    kind: a.kind,
    status: a.status,
    runId: a.runId,
    workflowName: a.workflowName,
    createdAt: a.createdAt.toISOString(),
    deadlineAt: a.deadlineAt?.toISOString() ?? null,
    decidedAt: a.decidedAt?.toISOString() ?? null,
    decidedByLabel: a.decidedByLabel,
    assignees: [...a.assigneeRoles.map((r) => `${r}s`), ...a.assigneeUserIds.map((id) => emails.get(id) ?? id)].join(
      ", ",
    ),
    canDecide:
      a.status === "pending" &&
      !separated.has(a.id) &&
      can(actor, "approval.decide", {
        workspaceId: a.workspaceId,
        assigneeRoles: a.assigneeRoles,
        assigneeUserIds: a.assigneeUserIds,
      }),
  }));
  const tabs = [
    { id: "waiting", label: "Waiting for me" },
    { id: "decided", label: "Decided by me" },
    ...(mayReadAll ? [{ id: "all", label: "All" }] : []),
  ];
  const query = (next: Partial<Search>) => {
    const params = new URLSearchParams();
    const merged = { tab, workflow: sp.workflow, age: sp.age, ...next };
    for (const [k, v] of Object.entries(merged)) if (v && !(k === "tab" && v === "waiting")) params.set(k, v);
    const s = params.toString();
    return s ? `/inbox?${s}` : "/inbox";
  };
  const mayDecideAny = actor.role !== "viewer";
  return (
    <PageBody>
      <PageHeader
        title="Inbox"
        description={
          actor.role === "viewer"
            ? "Viewers can read approvals but not decide them."
            : "Approvals waiting for you or your role, soonest deadline first."
        }
      />
      <div className="space-y-4">
        <nav aria-label="Inbox tabs" className="flex gap-1 border-b border-zinc-200">
          {tabs.map((t) => (
            <Link
              key={t.id}
              href={query({ tab: t.id })}
              aria-current={t.id === tab ? "page" : undefined}
              className={`-mb-px border-b-2 px-3 py-2 text-sm ${t.id === tab ? "border-zinc-900 font-medium" : "border-transparent text-zinc-500 hover:text-zinc-900"}`}
            >
              {t.label}
              {t.id === "waiting" && tab === "waiting" ? (
                <span className="ml-1 text-zinc-500">({rows.length})</span>
              ) : null}
            </Link>
          ))}
        </nav>
        {notifications.length ? (
          <details className="rounded-lg border border-slate-200 bg-white p-3 text-sm">
            <summary className="cursor-pointer font-medium">Notifications ({notifications.length})</summary>
            <ul className="mt-2 space-y-1">
              {notifications.map((n) => (
                <li key={n.id}>
                  <span className="text-slate-500">
                    {formatAgo(n.at, now)} · {NOTIFY_LABELS[n.event] ?? n.event}:{" "}
                  </span>
                  {n.approvalId ? (
                    <Link href={`/inbox/${n.approvalId}`} className="text-blue-700 hover:underline">
                      {n.title}
                    </Link>
                  ) : (
                    n.title
                  )}
                </li>
              ))}
            </ul>
          </details>
        ) : null}
        <InboxFilters workflows={workflows} workflow={sp.workflow ?? ""} age={sp.age ?? ""} />
        <InboxTable
          rows={rows}
          nowIso={now.toISOString()}
          tab={tab}
          bulkApprove={tab === "waiting" && mayDecideAny ? bulkApproveAction : null}
        />
      </div>
    </PageBody>
  );
}
