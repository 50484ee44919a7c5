"use client";
import { useQueryClient } from "@tanstack/react-query";
// The inbox list: what is asked, for which run, waiting since, deadline. Waiting rows the viewer
// may decide can be selected and approved together after a confirmation that lists them.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { INBOX_COUNT_QUERY_KEY } from "@/components/shell/inbox-badge";
import type { ActionResult } from "@/components/ui/action-result";
import { formatAgo, formatDeadline, isoTitle, KIND_LABELS, STATUS_LABELS } from "./format";

export type InboxRow = {
  id: string;
  title: string;
  kind: "approval" | "budget" | "guardrail";
  status: string;
  runId: string;
  workflowName: string;
  createdAt: string;
  deadlineAt: string | null;
  decidedAt: string | null;
  decidedByLabel: string | null;
  assignees: string;
  canDecide: boolean;
};

export type BulkApproveFn = (input: {
  approvalIds: string[];
}) => Promise<ActionResult<{ approvalId: string; ok: boolean; error?: { message: string } }[]>>;

export function InboxTable({
  rows,
  nowIso,
  tab,
  bulkApprove,
}: {
  rows: InboxRow[];
  nowIso: string;
  tab: string;
  bulkApprove: BulkApproveFn | null;
}) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const now = new Date(nowIso);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const [pending, startTransition] = useTransition();
  const [report, setReport] = useState<{ ok: boolean; text: string }[] | null>(null);
  const selectable = rows.filter((r) => r.status === "pending" && r.canDecide);
  const chosen = rows.filter((r) => selected.has(r.id));

  function toggle(id: string) {
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  if (rows.length === 0) {
    return (
      <div className="rounded border border-dashed border-zinc-300 p-8 text-center text-zinc-500">
        <p>
          {tab === "waiting"
            ? "Nothing is waiting for you."
            : tab === "decided"
              ? "You have not decided anything yet."
              : "No approvals."}
        </p>
        {tab === "waiting" ? (
          <p className="mt-2 text-sm">
            When a run reaches an Approval step assigned to you or your role, it pauses and appears here. To see one,
            open the “Draft, approve, send” workflow and run it.
          </p>
        ) : null}
      </div>
    );
  }

  return (
    <div className="space-y-3">
      {bulkApprove && selectable.length > 0 ? (
        <div className="flex items-center gap-3">
          <button
            type="button"
            disabled={chosen.length === 0 || pending}
            onClick={() => {
              setReport(null);
              setConfirming(true);
            }}
            className="rounded bg-emerald-700 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-40"
          >
            Approve selected ({chosen.length})
          </button>
        </div>
      ) : null}
      {confirming ? (
        <div
          role="dialog"
          aria-modal="true"
          aria-labelledby="bulk-h"
          className="rounded-lg border border-emerald-400 bg-emerald-50 p-4"
        >
          <h2 id="bulk-h" className="font-semibold">
            Approve {chosen.length} approval{chosen.length === 1 ? "" : "s"}?
          </h2>
          <ul className="my-2 list-disc pl-5 text-sm" aria-label="Approvals to approve">
            {chosen.map((r) => (
              <li key={r.id}>
                {r.title} — {r.workflowName}
              </li>
            ))}
          </ul>
          <div className="flex gap-2">
            <button
              type="button"
              disabled={pending}
              className="rounded bg-emerald-700 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50"
              onClick={() =>
                startTransition(async () => {
                  const result = await bulkApprove!({ approvalIds: chosen.map((r) => r.id) });
                  setConfirming(false);
                  if (!result.ok) {
                    setReport([{ ok: false, text: result.error.message }]);
                    return;
                  }
                  setReport(
                    result.data.map((item) => {
                      const title = rows.find((r) => r.id === item.approvalId)?.title ?? item.approvalId;
                      return {
                        ok: item.ok,
                        text: item.ok ? `Approved: ${title}` : `Not approved: ${title} — ${item.error?.message}`,
                      };
                    }),
                  );
                  setSelected(new Set());
                  router.refresh();
                  void queryClient.invalidateQueries({ queryKey: INBOX_COUNT_QUERY_KEY });
                })
              }
            >
              Confirm approve all
            </button>
            <button
              type="button"
              onClick={() => setConfirming(false)}
              className="rounded border border-zinc-300 px-3 py-1.5 text-sm"
            >
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      {report ? (
        <ul role="status" className="space-y-1 text-sm">
          {report.map((line, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: static report
            <li key={i} className={line.ok ? "text-emerald-800" : "text-red-700"}>
              {line.text}
            </li>
          ))}
        </ul>
      ) : null}
      <div className="overflow-x-auto rounded-lg border border-zinc-200">
        <table className="min-w-full text-sm" aria-label="Approvals">
          <thead className="bg-zinc-50 text-left text-zinc-600">
            <tr>
              {bulkApprove ? (
                <th scope="col" className="w-8 px-3 py-2">
                  <span className="sr-only">Select</span>
                </th>
              ) : null}
              <th scope="col" className="px-3 py-2">
                What is asked
              </th>
              <th scope="col" className="px-3 py-2">
                Workflow / run
              </th>
              <th scope="col" className="px-3 py-2">
                Waiting since
              </th>
              <th scope="col" className="px-3 py-2">
                {tab === "waiting" ? "Deadline" : "Status"}
              </th>
              <th scope="col" className="px-3 py-2">
                Assigned to
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const deadline = formatDeadline(r.deadlineAt, now);
              const canSelect = bulkApprove && r.status === "pending" && r.canDecide;
              return (
                <tr key={r.id} className="border-t border-zinc-100 hover:bg-zinc-50">
                  {bulkApprove ? (
                    <td className="px-3 py-2">
                      {canSelect ? (
                        <input
                          type="checkbox"
                          aria-label={`Select ${r.title}`}
                          checked={selected.has(r.id)}
                          onChange={() => toggle(r.id)}
                        />
                      ) : null}
                    </td>
                  ) : null}
                  <td className="px-3 py-2">
                    <Link href={`/inbox/${r.id}`} className="font-medium text-blue-800 hover:underline">
                      {r.title}
                    </Link>
                    {r.kind !== "approval" ? (
                      <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-900">
                        {KIND_LABELS[r.kind]}
                      </span>
                    ) : null}
                  </td>
                  <td className="px-3 py-2">
                    <div>{r.workflowName}</div>
                    <div className="font-mono text-xs text-zinc-500">{r.runId}</div>
                  </td>
                  <td className="px-3 py-2" title={isoTitle(r.createdAt)}>
                    {formatAgo(r.createdAt, now)}
                  </td>
                  <td className="px-3 py-2">
                    {tab === "waiting" ? (
                      <span
                        title={isoTitle(r.deadlineAt)}
                        className={deadline.overdue ? "font-medium text-red-700" : ""}
                      >
                        {deadline.text}
                      </span>
                    ) : (
                      <span>
                        {STATUS_LABELS[r.status] ?? r.status}
                        {r.decidedByLabel ? <span className="text-zinc-500"> by {r.decidedByLabel}</span> : null}
                      </span>
                    )}
                  </td>
                  <td className="px-3 py-2 text-zinc-600">{r.assignees}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
