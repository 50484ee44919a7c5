"use client";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import {
  FormDialog,
  SettingsListSection,
  SettingsTable,
  useConfirmedAction,
  useFormAction,
} from "@/components/settings/settings-list-section";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog, Dialog } from "@/components/ui/dialog";
import { Field, fieldError } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { TD, TR } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
import { ROLE_LABELS, ROLES, type Role } from "@/lib/auth/roles";
import { changeMemberRoleAction, inviteMemberAction, removeMemberAction, revokeInvitationAction } from "./actions";
import { ResetPasswordDialog } from "./reset-password-dialog";
import { RoleField } from "./role-field";

export type MemberRow = { userId: string; email: string; name: string; role: Role; joinedAt: string };
export type InvitationRow = { id: string; email: string; role: Role; expiresAt: string; status: string };

export function MembersSection({
  members,
  invitations = [],
  currentUserId,
  canManage,
}: {
  members: MemberRow[];
  invitations?: InvitationRow[];
  currentUserId: string;
  canManage: boolean;
}) {
  const router = useRouter();
  const toast = useToast();
  const [adding, setAdding] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [resetting, setResetting] = useState<MemberRow | null>(null);
  const removing = useConfirmedAction(
    (m: MemberRow) => removeMemberAction({ userId: m.userId }),
    (m) => `Removed ${m.email}.`,
  );

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

  const rowBusy = (m: MemberRow) => busy === m.userId || (removing.pending && removing.target === m);

  return (
    <SettingsListSection
      title="Members"
      description={canManage ? "People in this workspace and their roles." : "People in this workspace."}
      action={canManage ? <Button onClick={() => setAdding(true)}>Invite member</Button> : null}
    >
      <SettingsTable label="Members" rows={members} columns={["Name", "Email", "Role"]} actions={canManage}>
        {(m) => (
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
                  disabled={rowBusy(m)}
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
              <TD className="text-right whitespace-nowrap">
                {m.userId !== currentUserId ? (
                  <Button
                    variant="ghost"
                    size="sm"
                    aria-label={`Reset password of ${m.email}`}
                    disabled={rowBusy(m)}
                    onClick={() => setResetting(m)}
                  >
                    Reset password
                  </Button>
                ) : null}
                <Button
                  variant="ghost"
                  size="sm"
                  aria-label={`Remove ${m.email}`}
                  disabled={rowBusy(m)}
                  onClick={() => removing.setTarget(m)}
                >
                  Remove
                </Button>
              </TD>
            ) : null}
          </TR>
        )}
      </SettingsTable>

      {canManage && invitations.length > 0 ? <InvitationsTable invitations={invitations} /> : null}

      {canManage ? (
        <InviteDialog open={adding} onClose={() => setAdding(false)} onInvited={() => router.refresh()} />
      ) : null}

      {canManage ? <ResetPasswordDialog member={resetting} onClose={() => setResetting(null)} /> : null}

      <ConfirmDialog
        open={removing.target !== null}
        onCancel={() => removing.setTarget(null)}
        onConfirm={removing.confirm}
        title="Remove member?"
        description={
          removing.target
            ? `${removing.target.email} will lose access to this workspace at once, and their open sessions end. Their past actions stay in the audit trail.`
            : null
        }
        confirmLabel="Remove"
        pending={removing.pending}
      />
    </SettingsListSection>
  );
}

function InviteDialog({ open, onClose, onInvited }: { open: boolean; onClose: () => void; onInvited: () => void }) {
  const { error, setError, pending, setPending, general } = useFormAction();
  const [invited, setInvited] = useState<{ email: string; link: string | null } | null>(null);

  function close() {
    setError(null);
    setInvited(null);
    onClose();
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setPending(true);
    const result = await inviteMemberAction({ email: data.get("email"), role: data.get("role") });
    setPending(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setError(null);
    const path = result.data.path;
    setInvited({ email: result.data.email, link: path ? `${window.location.origin}${path}` : null });
    onInvited();
  }

  if (invited) {
    return (
      <Dialog
        open={open}
        onClose={close}
        title="Invitation created"
        footer={<Button onClick={close}>Done</Button>}
        description={
          invited.link
            ? `Send ${invited.email} this link. It is shown only now, works once and expires in 7 days.`
            : `The invitation was e-mailed to ${invited.email}. It works once and expires in 7 days.`
        }
      >
        {invited.link ? (
          <code
            className="block rounded-md bg-slate-50 p-3 font-mono text-sm break-all select-all"
            data-testid="invite-link"
          >
            {invited.link}
          </code>
        ) : null}
      </Dialog>
    );
  }

  return (
    <FormDialog
      open={open}
      onClose={close}
      title="Invite member"
      description="They accept with their own account, or create one with a password only they know."
      onSubmit={onSubmit}
      submitLabel="Invite"
      pending={pending}
      general={general}
    >
      <Field label="Email" error={fieldError(error?.fieldErrors, "email")}>
        <Input name="email" type="email" required autoComplete="off" />
      </Field>
      <RoleField defaultRole="viewer" error={error} />
    </FormDialog>
  );
}

function InvitationsTable({ invitations }: { invitations: InvitationRow[] }) {
  const router = useRouter();
  const toast = useToast();
  const [busy, setBusy] = useState<string | null>(null);
  async function revoke(inv: InvitationRow) {
    setBusy(inv.id);
    const result = await revokeInvitationAction({ id: inv.id });
    setBusy(null);
    if (!result.ok) {
      toast.show(result.error.message, "error");
      return;
    }
    toast.show(`Revoked the invitation of ${result.data.email}.`, "success");
    router.refresh();
  }
  return (
    <div className="mt-6">
      <h3 className="mb-2 text-sm font-semibold text-slate-900">Open invitations</h3>
      <SettingsTable label="Open invitations" rows={invitations} columns={["Email", "Role", "Expires"]}>
        {(inv) => (
          <TR key={inv.id}>
            <TD>{inv.email}</TD>
            <TD>
              <Badge>{ROLE_LABELS[inv.role]}</Badge>
            </TD>
            <TD>{inv.status === "expired" ? "Expired" : new Date(inv.expiresAt).toUTCString()}</TD>
            <TD className="text-right">
              <Button
                variant="ghost"
                size="sm"
                aria-label={`Revoke the invitation of ${inv.email}`}
                disabled={busy === inv.id}
                onClick={() => revoke(inv)}
              >
                Revoke
              </Button>
            </TD>
          </TR>
        )}
      </SettingsTable>
    </div>
  );
}
