"use client";
// The confirmation on an approval link: nothing happens until a button is pressed.

import { useActionState, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { decideWithLinkAction, type LinkActionState } from "./actions";

export function LinkDecisionForm({ token }: { token: string }) {
  const [state, action, pending] = useActionState<LinkActionState, FormData>(decideWithLinkAction, null);
  const [rejecting, setRejecting] = useState(false);
  if (state?.ok) {
    return (
      <p role="status" className="rounded border border-emerald-300 bg-emerald-50 p-3 text-emerald-900">
        {state.message}
      </p>
    );
  }
  const reasonError = state?.fieldErrors?.find((f) => f.path === "reason")?.message;
  return (
    <form action={action} className="space-y-3">
      <input type="hidden" name="token" value={token} />
      {state && !state.ok ? <Alert>{state.message}</Alert> : null}
      {rejecting ? (
        <div className="space-y-1">
          <label htmlFor="link-reason" className="block text-sm font-medium">
            Reason for rejecting (required)
          </label>
          <textarea
            id="link-reason"
            name="reason"
            rows={3}
            required
            className="w-full rounded border border-slate-300 px-2 py-1"
            aria-invalid={!!reasonError}
          />
          {reasonError ? <p className="text-sm text-red-700">{reasonError}</p> : null}
        </div>
      ) : null}
      <div className="flex gap-2">
        {!rejecting ? (
          <>
            <button
              type="submit"
              name="decision"
              value="approve"
              disabled={pending}
              className="rounded bg-emerald-700 px-4 py-2 text-sm font-medium text-white disabled:opacity-50"
            >
              Confirm: approve
            </button>
            <button
              type="button"
              onClick={() => setRejecting(true)}
              className="rounded bg-red-700 px-4 py-2 text-sm font-medium text-white"
            >
              Reject…
            </button>
          </>
        ) : (
          <>
            <button
              type="submit"
              name="decision"
              value="reject"
              disabled={pending}
              className="rounded bg-red-700 px-4 py-2 text-sm font-medium text-white disabled:opacity-50"
            >
              Confirm: reject
            </button>
            <button
              type="button"
              onClick={() => setRejecting(false)}
              className="rounded border border-slate-300 px-4 py-2 text-sm"
            >
              Cancel
            </button>
          </>
        )}
      </div>
    </form>
  );
}
