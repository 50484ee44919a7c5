"use client";
// The actions of one approval: approve, reject (reason required), edit then approve (form from
// editSchema), comment. The server decides whether the person may do it; a refusal or a lost
// race ("Already decided: … approved it") shows here as the server wrote it.
import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { INBOX_COUNT_QUERY_KEY } from "@/components/shell/inbox-badge";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Textarea } from "@/components/ui/input";
import type { ActionResult, Issue } from "@/lib/contracts/app-errors";
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
  const [fieldErrors, setFieldErrors] = useState<Issue[]>([]);
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
            : "Rejected. The run continues on its rejected path. (A workflow without one ends the run as failed.)",
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
    return <Alert tone="success">{done}</Alert>;
  }

  if (closed) {
    return <p className="text-sm text-slate-600">{closed} Nothing left to decide.</p>;
  }

  const reasonError = fieldErrors.find((f) => f.path === "reason")?.message;
  return (
    <section aria-label="Decision" className="space-y-3">
      {/* the edit form shows its own errors; a reason error is shown at the field */}
      {error && mode !== "edit" && error !== reasonError ? <Alert>{error}</Alert> : null}
      {mode === "idle" ? (
        <div className="flex flex-wrap gap-2">
          <Button loading={pending} onClick={() => run({ approvalId, decision: "approve" })}>
            Approve
          </Button>
          <Button variant="danger" disabled={pending} onClick={() => setMode("reject")}>
            Reject…
          </Button>
          {allowEdit ? (
            <Button variant="secondary" disabled={pending} onClick={() => setMode("edit")}>
              {editLabel}
            </Button>
          ) : null}
          <Button variant="secondary" disabled={pending} onClick={() => setMode("comment")}>
            Comment…
          </Button>
        </div>
      ) : null}
      {mode === "reject" ? (
        <NoteForm
          name="Reject"
          fieldId="reject-reason"
          label="Reason for rejecting (required)"
          value={reason}
          onChange={setReason}
          error={reasonError}
          submitLabel="Confirm rejection"
          danger
          pending={pending}
          onSubmit={() => run({ approvalId, decision: "reject", reason })}
          onCancel={() => setMode("idle")}
        />
      ) : null}
      {mode === "edit" ? (
        <div className="space-y-3">
          {error ? <Alert>{error}</Alert> : null}
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
        <NoteForm
          name="Comment"
          fieldId="approval-comment"
          label="Comment"
          value={note}
          onChange={setNote}
          submitLabel="Add comment"
          pending={pending}
          onSubmit={() => {
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
          onCancel={() => setMode("idle")}
        />
      ) : null}
    </section>
  );
}

/** A text the person writes before an action (a rejection's reason, a comment), with submit and cancel. */
function NoteForm({
  name,
  fieldId,
  label,
  value,
  onChange,
  error,
  submitLabel,
  danger = false,
  pending,
  onSubmit,
  onCancel,
}: {
  name: string;
  fieldId: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  submitLabel: string;
  danger?: boolean;
  pending: boolean;
  onSubmit: () => void;
  onCancel: () => void;
}) {
  return (
    <form
      aria-label={name}
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <Field id={fieldId} label={label} error={error} announceError>
        <Textarea value={value} onChange={(e) => onChange(e.target.value)} rows={3} />
      </Field>
      <div className="flex gap-2">
        <Button type="submit" variant={danger ? "danger" : "primary"} loading={pending}>
          {submitLabel}
        </Button>
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
