// /approve/<token>: a signed, single-use, expiring approval link from a notification. Opening it
// (GET) only shows the approval and asks to confirm — mail scanners prefetch links, so nothing is
// decided until a button is pressed (a POST). A used, expired or invalid link says so.
import type { Metadata } from "next";
import Link from "next/link";
import { formatDeadline, KIND_LABELS } from "@/components/inbox/format";
import { PayloadView } from "@/components/inbox/payload-view";
import { getApprovalDetail } from "@/lib/db/approvals";
import { serverContext } from "@/lib/server/context";
import { inspectApprovalLink } from "@/lib/use-cases/approvals";
import { LinkDecisionForm } from "./link-form";

export const metadata: Metadata = { title: "Approval link", referrer: "no-referrer", robots: "noindex" };
export const dynamic = "force-dynamic";

export default async function ApprovalLinkPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const { db, approvals } = await serverContext().host();
  const state = await inspectApprovalLink({ db }, approvals.linkSecret, decodeURIComponent(token));
  if (state.state !== "ready") {
    return (
      <div className="mx-auto max-w-xl space-y-4 p-8">
        <h1 className="text-2xl font-semibold">
          {state.state === "used"
            ? "Link already used"
            : state.state === "expired"
              ? "Link expired"
              : state.state === "decided"
                ? "Already decided"
                : "Link not valid"}
        </h1>
        <p role="status">{state.message}</p>
        <p className="text-sm text-slate-600">Nothing was changed.</p>
        <Link href="/inbox" className="text-blue-700 hover:underline">
          Open the inbox
        </Link>
      </div>
    );
  }
  const detail = await getApprovalDetail(db, state.actor.workspaceId, state.approvalId);
  if (!detail) return <p className="p-8">This link is not valid.</p>;
  const deadline = formatDeadline(detail.deadlineAt);
  return (
    <div className="mx-auto max-w-2xl space-y-5 p-8">
      <p className="text-sm text-slate-600">
        {KIND_LABELS[detail.kind]} for {state.actor.email} · {detail.workflowName} · deadline {deadline.text}
      </p>
      <h1 className="text-2xl font-semibold">{detail.title}</h1>
      {detail.details ? <p className="whitespace-pre-wrap text-slate-700">{detail.details}</p> : null}
      <section aria-labelledby="data-h" className="rounded-lg border border-slate-200 p-4">
        <h2 id="data-h" className="mb-2 font-semibold">
          Data to approve
        </h2>
        <PayloadView value={detail.payload} label="Data to approve" />
      </section>
      <LinkDecisionForm token={decodeURIComponent(token)} />
      <p className="text-xs text-slate-500">
        This link works once. To edit the data or see the whole trail, open the approval in the{" "}
        <Link href={`/inbox/${detail.id}`} className="text-blue-700 hover:underline">
          inbox
        </Link>
        .
      </p>
    </div>
  );
}
