"use client";
import { useQueryClient } from "@tanstack/react-query";
// The inbox list: what is asked, for which run, waiting since, deadline. Waiting rows the viewer
// may decide can be selected and approved together after a confirmation that lists them.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { INBOX_COUNT_QUERY_KEY } from "@/components/shell/inbox-badge";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import type { ActionResult } from "@/lib/contracts/app-errors";
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

  async function approveChosen() {
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
  }

  if (rows.length === 0) {
    return (
      <div className="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-10 text-center text-sm text-slate-600">
        <p className="text-base font-semibold text-slate-900">
          {tab === "waiting"
            ? "Nothing is waiting for you."
            : tab === "decided"
              ? "You have not decided anything yet."
              : "No approvals."}
        </p>
        {tab === "waiting" ? (
          <p className="mx-auto mt-2 max-w-md">
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
          <Button
            size="sm"
            disabled={chosen.length === 0 || pending}
            onClick={() => {
              setReport(null);
              setConfirming(true);
            }}
          >
            Approve selected ({chosen.length})
          </Button>
        </div>
      ) : null}
      <Dialog
        open={confirming}
        onClose={() => setConfirming(false)}
        title={`Approve ${chosen.length} approval${chosen.length === 1 ? "" : "s"}?`}
        footer={
          <>
            <Button variant="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button loading={pending} onClick={() => startTransition(approveChosen)}>
              Confirm approve all
            </Button>
          </>
        }
      >
        <ul className="list-disc space-y-1 pl-5 text-sm" aria-label="Approvals to approve">
          {chosen.map((r) => (
            <li key={r.id}>
              {r.title} — {r.workflowName}
            </li>
          ))}
        </ul>
      </Dialog>
      {report ? (
        <ul role="status" className="space-y-1 text-sm">
          {report.map((line, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: static report
            <li key={i} className={line.ok ? "text-green-800" : "text-red-700"}>
              {line.text}
            </li>
          ))}
        </ul>
      ) : null}
      <Table aria-label="Approvals">
        <THead>
          <TR>
            {bulkApprove ? (
              <TH className="w-8">
                <span className="sr-only">Select</span>
              </TH>
            ) : null}
            <TH>What is asked</TH>
            <TH>Workflow / run</TH>
            <TH>Waiting since</TH>
            <TH>{tab === "waiting" ? "Deadline" : "Status"}</TH>
            <TH>Assigned to</TH>
          </TR>
        </THead>
        <TBody>
          {rows.map((r) => {
            const deadline = formatDeadline(r.deadlineAt, now);
            const canSelect = bulkApprove && r.status === "pending" && r.canDecide;
            return (
              <TR key={r.id} className="hover:bg-slate-50">
                {bulkApprove ? (
                  <TD>
                    {canSelect ? (
                      <input
                        type="checkbox"
                        className="size-4"
                        aria-label={`Select ${r.title}`}
                        checked={selected.has(r.id)}
                        onChange={() => toggle(r.id)}
                      />
                    ) : null}
                  </TD>
                ) : null}
                <TD>
                  <Link href={`/inbox/${r.id}`} className="font-medium text-blue-700 hover:underline">
                    {r.title}
                  </Link>
                  {r.kind !== "approval" ? (
                    <Badge tone="warning" className="ml-2">
                      {KIND_LABELS[r.kind]}
                    </Badge>
                  ) : null}
                </TD>
                <TD>
                  <div>{r.workflowName}</div>
                  <div className="font-mono text-xs text-slate-500">{r.runId}</div>
                </TD>
                <TD title={isoTitle(r.createdAt)}>{formatAgo(r.createdAt, now)}</TD>
                <TD>
                  {tab === "waiting" ? (
                    <span title={isoTitle(r.deadlineAt)} className={deadline.overdue ? "font-medium text-red-700" : ""}>
                      {deadline.text}
                    </span>
                  ) : (
                    <span>
                      {STATUS_LABELS[r.status] ?? r.status}
                      {r.decidedByLabel ? <span className="text-slate-500"> by {r.decidedByLabel}</span> : null}
                    </span>
                  )}
                </TD>
                <TD>
                  <span className="text-slate-600">{r.assignees}</span>
                </TD>
              </TR>
            );
          })}
        </TBody>
      </Table>
    </div>
  );
}
