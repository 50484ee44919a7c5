"use client";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { ConfirmDialog, Dialog } from "@/components/ui/dialog";
import { Field, type FormError, fieldError } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
import { ROLE_LABELS, ROLES, type Role } from "@/lib/auth/roles";
import { addMemberAction, changeMemberRoleAction, removeMemberAction } from "./actions";
import { RoleField } from "./role-field";

export type MemberRow = { userId: string; email: string; name: string; role: Role; joinedAt: string };

export function MembersSection({
  members,
  currentUserId,
  canManage,
}: {
  members: MemberRow[];
  currentUserId: string;
  canManage: boolean;
}) {
  const router = useRouter();
  const toast = useToast();
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<MemberRow | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function changeRole(member: MemberRow, role: Role) {
    setBusy(member.userId);
    const result = await changeMemberRoleAction({ userId: member.userId, role });
    setBusy(null);
    if (!result.ok) {
      toast.show(result.error.message, "error");
      router.refresh();
      return;
    }
    toast.show(`${member.email} is now ${ROLE_LABELS[result.data.role]}.`, "success");
    router.refresh();
  }

  async function confirmRemove() {
    if (!removing) return;
    setBusy(removing.userId);
    const result = await removeMemberAction({ userId: removing.userId });
    setBusy(null);
    setRemoving(null);
    if (!result.ok) {
      toast.show(result.error.message, "error");
      return;
    }
    toast.show(`Removed ${result.data.email}.`, "success");
    router.refresh();
  }

  return (
    <Card>
      <CardHeader
        title="Members"
        description={canManage ? "People in this workspace and their roles." : "People in this workspace."}
        actions={canManage ? <Button onClick={() => setAdding(true)}>Add member</Button> : null}
      />
      <Table label="Members">
        <THead>
          <TR>
            <TH>Name</TH>
            <TH>Email</TH>
            <TH>Role</TH>
            {canManage ? (
              <TH>
                <span className="sr-only">Actions</span>
              </TH>
            ) : null}
          </TR>
        </THead>
        <TBody>
          {members.map((m) => (
            <TR key={m.userId}>
              <TD className="font-medium">
                {m.name}
                {m.userId === currentUserId ? <span className="ml-2 text-xs text-slate-500">(you)</span> : null}
              </TD>
              <TD>{m.email}</TD>
              <TD>
                {canManage ? (
                  <Select
                    aria-label={`Role of ${m.email}`}
                    value={m.role}
                    disabled={busy === m.userId}
                    onChange={(e) => changeRole(m, e.target.value as Role)}
                    className="h-8 w-36"
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {ROLE_LABELS[r]}
                      </option>
                    ))}
                  </Select>
                ) : (
                  <Badge>{ROLE_LABELS[m.role]}</Badge>
                )}
              </TD>
              {canManage ? (
                <TD className="text-right">
                  <Button
                    variant="ghost"
                    size="sm"
                    aria-label={`Remove ${m.email}`}
                    disabled={busy === m.userId}
                    onClick={() => setRemoving(m)}
                  >
                    Remove
                  </Button>
                </TD>
              ) : null}
            </TR>
          ))}
        </TBody>
      </Table>

      {canManage ? (
        <AddMemberDialog open={adding} onClose={() => setAdding(false)} onAdded={() => router.refresh()} />
      ) : null}

      <ConfirmDialog
        open={removing !== null}
        onCancel={() => setRemoving(null)}
        onConfirm={confirmRemove}
        title="Remove member?"
        description={
          removing
            ? `${removing.email} will lose access to this workspace at once. Their past actions stay in the audit trail.`
            : null
        }
        confirmLabel="Remove"
        pending={busy !== null}
      />
    </Card>
  );
}

function AddMemberDialog({ open, onClose, onAdded }: { open: boolean; onClose: () => void; onAdded: () => void }) {
  const [error, setError] = useState<FormError | null>(null);
  const [pending, setPending] = useState(false);
  const [created, setCreated] = useState<{ email: string; password: string | null } | null>(null);

  function close() {
    setError(null);
    setCreated(null);
    onClose();
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setPending(true);
    const result = await addMemberAction({ email: data.get("email"), name: data.get("name"), role: data.get("role") });
    setPending(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setError(null);
    setCreated({ email: result.data.email, password: result.data.password });
    onAdded();
  }

  if (created) {
    return (
      <Dialog
        open={open}
        onClose={close}
        title="Member added"
        footer={<Button onClick={close}>Done</Button>}
        description={
          created.password
            ? "Give them this one-time password. It is shown only now and is not stored anywhere readable."
            : `${created.email} already had an account; they sign in with their existing password.`
        }
      >
        {created.password ? (
          <dl className="space-y-2 rounded-md bg-slate-50 p-3 text-sm">
            <div>
              <dt className="text-slate-500">Email</dt>
              <dd className="font-medium">{created.email}</dd>
            </div>
            <div>
              <dt className="text-slate-500">One-time password</dt>
              <dd>
                <code className="font-mono text-base select-all" data-testid="one-time-password">
                  {created.password}
                </code>
              </dd>
            </div>
          </dl>
        ) : null}
      </Dialog>
    );
  }

  const general = error && !error.fieldErrors?.length ? error.message : null;
  return (
    <Dialog
      open={open}
      onClose={close}
      title="Add member"
      description="They get a generated password you hand over once."
    >
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {general ? <Alert>{general}</Alert> : null}
        <Field label="Email" error={fieldError(error?.fieldErrors, "email")}>
          <Input name="email" type="email" required autoComplete="off" />
        </Field>
        <Field label="Name" error={fieldError(error?.fieldErrors, "name")}>
          <Input name="name" required autoComplete="off" />
        </Field>
        <RoleField defaultRole="viewer" error={error} />
        <div className="flex justify-end gap-3 pt-2">
          <Button variant="secondary" onClick={close}>
            Cancel
          </Button>
          <Button type="submit" loading={pending}>
            Add member
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
