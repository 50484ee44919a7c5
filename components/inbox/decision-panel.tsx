"use client";
// The actions of one approval: approve, reject (reason required), edit then approve (form from
// editSchema), comment. The server decides whether the person may do it; a refusal or a lost
// race ("Already decided: … approved it") shows here as the server wrote it.
import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { INBOX_COUNT_QUERY_KEY } from "@/components/shell/inbox-badge";
import type { ActionResult } from "@/components/ui/action-result";
import { EditForm } from "./edit-form";

export type DecideFn = (input: {
  approvalId: string;
  decision: "approve" | "reject";
  reason?: string;
  comment?: string;
  data?: unknown;
}) => Promise<ActionResult<{ status: string; runId: string; engineMs: number }>>;
export type CommentFn = (input: { approvalId: string; comment: string }) => Promise<ActionResult<null>>;

type Mode = "idle" | "reject" | "edit" | "comment";

export function DecisionPanel({
  approvalId,
  allowEdit,
  editSchema,
  payload,
  decide,
  comment,
  editLabel = "Edit then approve…",
  closed = null,
}: {
  /** set when the approval is no longer pending: what happened */
  closed?: string | null;
  editLabel?: string;
  approvalId: string;
  allowEdit: boolean;
  editSchema: unknown;
  payload: unknown;
  decide: DecideFn;
  comment: CommentFn;
}) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<Mode>("idle");
  const [pending, startTransition] = useTransition();
  const [reason, setReason] = useState("");
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<{ path: string; message: string }[]>([]);
  const [done, setDone] = useState<string | null>(null);

  function run(input: Parameters<DecideFn>[0]) {
    setError(null);
    setFieldErrors([]);
    startTransition(async () => {
      const result = await decide(input);
      if (result.ok) {
        setDone(
          result.data.status === "approved"
            ? "Approved. The run continues."
            : "Rejected. The run continues on its rejected path.",
        );
        setMode("idle");
        router.refresh();
        void queryClient.invalidateQueries({ queryKey: INBOX_COUNT_QUERY_KEY });
      } else {
        setError(result.error.message);
        setFieldErrors(result.error.fieldErrors ?? []);
      }
    });
  }

  if (done) {
    return (
      <p role="status" className="rounded border border-emerald-300 bg-emerald-50 p-3 text-emerald-900">
        {done}
      </p>
    );
  }

  if (closed) {
    return <p className="text-sm text-slate-600">{closed} Nothing left to decide.</p>;
  }

  const reasonError = fieldErrors.find((f) => f.path === "reason")?.message;
  return (
    <section aria-label="Decision" className="space-y-3">
      {error && mode !== "edit" ? (
        <p role="alert" className="rounded border border-red-300 bg-red-50 p-2 text-sm text-red-800">
          {error}
        </p>
      ) : null}
      {mode === "idle" ? (
        <div className="flex flex-wrap gap-2">
          <button
            type="button"
            disabled={pending}
            onClick={() => run({ approvalId, decision: "approve" })}
            className="rounded bg-emerald-700 px-4 py-2 text-sm font-medium text-white disabled:opacity-50"
          >
            Approve
          </button>
          <button
            type="button"
            disabled={pending}
            onClick={() => setMode("reject")}
            className="rounded bg-red-700 px-4 py-2 text-sm font-medium text-white disabled:opacity-50"
          >
            Reject…
          </button>
          {allowEdit ? (
            <button
              type="button"
              disabled={pending}
              onClick={() => setMode("edit")}
              className="rounded border border-zinc-300 px-4 py-2 text-sm font-medium disabled:opacity-50"
            >
              {editLabel}
            </button>
          ) : null}
          <button
            type="button"
            disabled={pending}
            onClick={() => setMode("comment")}
            className="rounded border border-zinc-300 px-4 py-2 text-sm disabled:opacity-50"
          >
            Comment…
          </button>
        </div>
      ) : null}
      {mode === "reject" ? (
        <form
          aria-label="Reject"
          className="space-y-2"
          onSubmit={(e) => {
            e.preventDefault();
            run({ approvalId, decision: "reject", reason });
          }}
        >
          <label htmlFor="reject-reason" className="block text-sm font-medium">
            Reason for rejecting (required)
          </label>
          <textarea
            id="reject-reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            rows={3}
            aria-invalid={!!reasonError}
            className="w-full rounded border border-zinc-300 px-2 py-1"
          />
          {reasonError ? (
            <p role="alert" className="text-sm text-red-700">
              {reasonError}
            </p>
          ) : null}
          <div className="flex gap-2">
            <button
              type="submit"
              disabled={pending}
              className="rounded bg-red-700 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50"
            >
              Confirm rejection
            </button>
            <button
              type="button"
              onClick={() => setMode("idle")}
              className="rounded border border-zinc-300 px-3 py-1.5 text-sm"
            >
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {mode === "edit" ? (
        <div className="space-y-2">
          {error ? (
            <p role="alert" className="rounded border border-red-300 bg-red-50 p-2 text-sm text-red-800">
              {error}
            </p>
          ) : null}
          <EditForm
            schema={editSchema}
            initial={payload}
            serverErrors={fieldErrors}
            pending={pending}
            onSubmit={(data) => run({ approvalId, decision: "approve", data })}
            onCancel={() => {
              setMode("idle");
              setError(null);
              setFieldErrors([]);
            }}
          />
        </div>
      ) : null}
      {mode === "comment" ? (
        <form
          aria-label="Comment"
          className="space-y-2"
          onSubmit={(e) => {
            e.preventDefault();
            setError(null);
            startTransition(async () => {
              const result = await comment({ approvalId, comment: note });
              if (result.ok) {
                setNote("");
                setMode("idle");
                router.refresh();
                void queryClient.invalidateQueries({ queryKey: INBOX_COUNT_QUERY_KEY });
              } else setError(result.error.message);
            });
          }}
        >
          <label htmlFor="approval-comment" className="block text-sm font-medium">
            Comment
          </label>
          <textarea
            id="approval-comment"
            value={note}
            onChange={(e) => setNote(e.target.value)}
            rows={3}
            className="w-full rounded border border-zinc-300 px-2 py-1"
          />
          <div className="flex gap-2">
            <button type="submit" disabled={pending} className="rounded bg-zinc-800 px-3 py-1.5 text-sm text-white">
              Add comment
            </button>
            <button
              type="button"
              onClick={() => setMode("idle")}
              className="rounded border border-zinc-300 px-3 py-1.5 text-sm"
            >
              Cancel
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
