// One approval: what is asked, for which run, since when and until when; the exact data; the
// trail; cost so far; the decision and reassignment forms for those allowed.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DecisionPanel } from "@/components/inbox/decision-panel";
import { BudgetDetail, GuardrailDetail } from "@/components/inbox/escalation-detail";
import {
  formatAgo,
  formatDeadline,
  formatUsd,
  isoTitle,
  KIND_LABELS,
  runHref,
  STATUS_LABELS,
} from "@/components/inbox/format";
import { PayloadView } from "@/components/inbox/payload-view";
import { ReassignForm } from "@/components/inbox/reassign-form";
import { Trail } from "@/components/inbox/trail";
import { PageBody } from "@/components/shell/page-header";
import { can } from "@/lib/auth/policy";
import { assignableMembers, getApprovalDetail, getApprovalRow } from "@/lib/db/approvals";
import { serverContext } from "@/lib/server/context";
import { requirePageActor } from "@/lib/server/session";
import { canReassign, separationOfDutiesBlock } from "@/lib/use-cases/approvals";
import { commentAction, decideAction, reassignAction } from "../actions";

/** A budget escalation may be approved with new limits; the engine checks them. */
const BUDGET_GRANT_SCHEMA = {
  type: "object",
  properties: {
    maxCostUsd: { type: "number", minimum: 0, title: "New cost limit (USD)" },
    maxTokens: { type: "integer", minimum: 0, title: "New token limit" },
  },
};

export const metadata: Metadata = { title: "Approval" };
export const dynamic = "force-dynamic";

export default async function ApprovalPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const actor = await requirePageActor(`/inbox/${id}`);
  const db = await serverContext().db();
  const detail = await getApprovalDetail(db, actor.workspaceId, id);
  if (!detail) notFound();
  const row = await getApprovalRow(db, actor.workspaceId, id);
  const now = new Date();
  const pending = detail.status === "pending";
  const resource = {
    workspaceId: detail.workspaceId,
    assigneeRoles: detail.assigneeRoles,
    assigneeUserIds: detail.assigneeUserIds,
  };
  // The panel stays mounted after a decision (so its confirmation survives the page refresh).
  const mayDecideByRole = can(actor, "approval.decide", resource);
  // Separation of duties (workspace setting): say why the run's starter / publisher cannot decide.
  const separation = pending && mayDecideByRole && row ? await separationOfDutiesBlock(db, actor, row) : null;
  const mayDecide = mayDecideByRole && !separation;
  const mayReassign = pending && row !== null && canReassign(actor, row);
  const members = mayReassign ? await assignableMembers(db, actor.workspaceId) : [];
  const deadline = formatDeadline(detail.deadlineAt, now);
  const assignees = [...detail.assigneeRoles.map((r) => `role ${r}`), ...detail.assigneeUsers.map((u) => u.email)].join(
    ", ",
  );
  return (
    <PageBody>
      <div className="mx-auto max-w-5xl space-y-6">
        <nav aria-label="Breadcrumb" className="text-sm">
          <Link href="/inbox" className="text-blue-800 hover:underline">
            ← Inbox
          </Link>
        </nav>
        <header className="space-y-2">
          <div className="flex flex-wrap items-center gap-2 text-sm">
            <span className="rounded bg-zinc-100 px-2 py-0.5">{KIND_LABELS[detail.kind]}</span>
            <span
              className={`rounded px-2 py-0.5 ${pending ? "bg-amber-100 text-amber-900" : detail.status === "approved" ? "bg-emerald-100 text-emerald-900" : "bg-red-100 text-red-900"}`}
            >
              {STATUS_LABELS[detail.status] ?? detail.status}
            </span>
          </div>
          <h1 className="text-2xl font-semibold">{detail.title}</h1>
          {detail.details ? <p className="whitespace-pre-wrap text-zinc-700">{detail.details}</p> : null}
          <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
            <dt className="text-zinc-500">Workflow</dt>
            <dd>{detail.workflowName}</dd>
            <dt className="text-zinc-500">Run</dt>
            <dd>
              <Link
                href={`/runs/${encodeURIComponent(detail.runId)}`}
                className="font-mono text-blue-800 hover:underline"
              >
                {detail.runId}
              </Link>{" "}
              <span className="text-zinc-500">({detail.run.status})</span> ·{" "}
              <Link href={runHref(detail.workflowId, detail.runId)} className="text-blue-800 hover:underline">
                Open the run on the canvas
              </Link>
            </dd>
            <dt className="text-zinc-500">Step</dt>
            <dd>
              {detail.stepNames[detail.nodeId] ?? detail.nodeId}
              {detail.visit > 1 ? ` (visit ${detail.visit})` : ""}
            </dd>
            <dt className="text-zinc-500">Waiting since</dt>
            <dd title={isoTitle(detail.createdAt)}>{formatAgo(detail.createdAt, now)}</dd>
            <dt className="text-zinc-500">Deadline</dt>
            <dd title={isoTitle(detail.deadlineAt)} className={deadline.overdue && pending ? "text-red-700" : ""}>
              {deadline.text}
              {detail.deadlineAt
                ? ` — then ${detail.onTimeout === "escalate" ? "escalate" : `auto-${detail.onTimeout}`}`
                : ""}
            </dd>
            <dt className="text-zinc-500">Assigned to</dt>
            <dd>
              {assignees || "nobody"}
              {detail.escalationLevel > 0 ? ` (escalated, level ${detail.escalationLevel})` : ""}
            </dd>
            <dt className="text-zinc-500">Cost so far</dt>
            <dd>
              {formatUsd(detail.run.costUsd)} ·{" "}
              {(detail.run.inputTokens + detail.run.outputTokens).toLocaleString("en-US")} tokens ·{" "}
              {detail.run.stepCount} steps
            </dd>
            {!pending ? (
              <>
                <dt className="text-zinc-500">Decided</dt>
                <dd>
                  {STATUS_LABELS[detail.status] ?? detail.status}
                  {detail.decidedByLabel ? ` by ${detail.decidedByLabel}` : ""}
                  {detail.decidedAt ? (
                    <span title={isoTitle(detail.decidedAt)}> {formatAgo(detail.decidedAt, now)}</span>
                  ) : null}
                  {detail.decision?.via ? ` via ${detail.decision.via}` : ""}
                  {detail.decision?.reason ? ` — “${detail.decision.reason}”` : ""}
                  {!detail.decision?.reason && detail.decision?.comment ? ` — “${detail.decision.comment}”` : ""}
                </dd>
              </>
            ) : null}
          </dl>
        </header>

        {detail.kind === "budget" ? <BudgetDetail payload={detail.payload} runCostUsd={detail.run.costUsd} /> : null}
        {detail.kind === "guardrail" ? <GuardrailDetail payload={detail.payload} failures={detail.failures} /> : null}

        <section aria-labelledby="payload-h" className="rounded-lg border border-zinc-200 p-4">
          <h2 id="payload-h" className="mb-2 text-lg font-semibold">
            Data to approve
          </h2>
          <PayloadView value={detail.payload} label="Data to approve" />
        </section>

        {mayDecide ? (
          <section aria-labelledby="decide-h" className="rounded-lg border border-zinc-300 p-4">
            <h2 id="decide-h" className="mb-3 text-lg font-semibold">
              Your decision
            </h2>
            <DecisionPanel
              approvalId={detail.id}
              allowEdit={detail.allowEdit || detail.kind === "budget"}
              editSchema={detail.kind === "budget" ? BUDGET_GRANT_SCHEMA : detail.editSchema}
              payload={detail.kind === "budget" ? {} : detail.payload}
              editLabel={detail.kind === "budget" ? "Raise the limit and approve…" : undefined}
              closed={
                pending
                  ? null
                  : `${STATUS_LABELS[detail.status] ?? detail.status}${detail.decidedByLabel ? ` by ${detail.decidedByLabel}` : ""}.`
              }
              decide={decideAction}
              comment={commentAction}
            />
          </section>
        ) : pending ? (
          <p
            className="rounded border border-zinc-200 bg-zinc-50 p-3 text-sm text-zinc-600"
            data-testid="cannot-decide"
          >
            {separation
              ? separation
              : actor.role === "viewer"
                ? "You can read this approval; viewers cannot decide."
                : "This approval is assigned to someone else; you cannot decide it."}
          </p>
        ) : null}

        {mayReassign ? (
          <section aria-labelledby="reassign-h" className="rounded-lg border border-zinc-200 p-4">
            <h2 id="reassign-h" className="mb-2 text-lg font-semibold">
              Reassign
            </h2>
            <ReassignForm approvalId={detail.id} members={members} reassign={reassignAction} />
          </section>
        ) : null}

        <Trail
          steps={detail.steps}
          conversation={detail.conversation}
          handoffs={detail.handoffs}
          stepNames={detail.stepNames}
        />
      </div>
    </PageBody>
  );
}
