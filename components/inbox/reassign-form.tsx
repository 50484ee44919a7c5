"use client";
// Reassign a pending approval to a member or a role (admins and current assignees).
import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { INBOX_COUNT_QUERY_KEY } from "@/components/shell/inbox-badge";
import type { ActionResult } from "@/components/ui/action-result";

export type ReassignFn = (input: {
  approvalId: string;
  roles: string[];
  userIds: string[];
  note?: string;
}) => Promise<ActionResult<{ roles: string[]; userIds: string[] }>>;

export function ReassignForm({
  approvalId,
  members,
  reassign,
}: {
  approvalId: string;
  members: { id: string; email: string; name: string; role: string }[];
  reassign: ReassignFn;
}) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [target, setTarget] = useState("");
  const [note, setNote] = useState("");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <form
      aria-label="Reassign"
      className="space-y-2"
      onSubmit={(e) => {
        e.preventDefault();
        if (!target) {
          setMessage({ ok: false, text: "Pick a person or a role." });
          return;
        }
        const [kind, value] = target.split(":");
        startTransition(async () => {
          const result = await reassign({
            approvalId,
            roles: kind === "role" ? [value] : [],
            userIds: kind === "user" ? [value] : [],
            ...(note ? { note } : {}),
          });
          if (result.ok) {
            setMessage({ ok: true, text: "Reassigned." });
            router.refresh();
            void queryClient.invalidateQueries({ queryKey: INBOX_COUNT_QUERY_KEY });
          } else setMessage({ ok: false, text: result.error.message });
        });
      }}
    >
      <label htmlFor="reassign-to" className="block text-sm font-medium">
        Reassign to
      </label>
      <select
        id="reassign-to"
        value={target}
        onChange={(e) => setTarget(e.target.value)}
        className="w-full rounded border border-zinc-300 px-2 py-1"
      >
        <option value="">Choose…</option>
        <optgroup label="Roles">
          <option value="role:admin">Role: admin</option>
          <option value="role:editor">Role: editor</option>
          <option value="role:approver">Role: approver</option>
        </optgroup>
        <optgroup label="People">
          {members.map((m) => (
            <option key={m.id} value={`user:${m.id}`}>
              {m.name} ({m.email}, {m.role})
            </option>
          ))}
        </optgroup>
      </select>
      <label htmlFor="reassign-note" className="block text-sm font-medium">
        Note (optional)
      </label>
      <input
        id="reassign-note"
        value={note}
        onChange={(e) => setNote(e.target.value)}
        className="w-full rounded border border-zinc-300 px-2 py-1"
      />
      <button
        type="submit"
        disabled={pending}
        className="rounded border border-zinc-300 px-3 py-1.5 text-sm disabled:opacity-50"
      >
        Reassign
      </button>
      {message ? (
        <p
          role={message.ok ? "status" : "alert"}
          className={`text-sm ${message.ok ? "text-emerald-800" : "text-red-700"}`}
        >
          {message.text}
        </p>
      ) : null}
    </form>
  );
}
