"use client";
// Reassign a pending approval to a member or a role (admins and current assignees).
import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { INBOX_COUNT_QUERY_KEY } from "@/components/shell/inbox-badge";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import type { ActionResult } from "@/lib/contracts/app-errors";

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
      className="space-y-3"
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
      <Field id="reassign-to" label="Reassign to">
        <Select value={target} onChange={(e) => setTarget(e.target.value)}>
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
        </Select>
      </Field>
      <Field id="reassign-note" label="Note (optional)">
        <Input value={note} onChange={(e) => setNote(e.target.value)} />
      </Field>
      <div>
        <Button type="submit" variant="secondary" loading={pending}>
          Reassign
        </Button>
      </div>
      {message ? <Alert tone={message.ok ? "success" : "danger"}>{message.text}</Alert> : null}
    </form>
  );
}
