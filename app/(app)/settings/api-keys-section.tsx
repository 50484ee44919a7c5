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
import { CopyButton } from "@/components/ui/copy-button";
import { ConfirmDialog, Dialog } from "@/components/ui/dialog";
import { Field, fieldError } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { TD, TR } from "@/components/ui/table";
import { ROLE_LABELS, type Role } from "@/lib/auth/roles";
import { API_KEY_SCOPE_LABELS, API_KEY_SCOPES } from "@/lib/auth/scopes";
import { createApiKeyAction, revokeApiKeyAction } from "./actions";
import { RoleField } from "./role-field";

export type ApiKeyRow = {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  expiresAt?: string | null;
  /** null: a key made before scopes (every scope its role allows) */
  scopes?: string[] | null;
};

const DEFAULT_SCOPES = new Set(["runs:read", "runs:write"]);

function day(iso: string | null): string {
  return iso ? iso.slice(0, 10) : "never";
}

export function ApiKeysSection({ keys }: { keys: ApiKeyRow[] }) {
  const router = useRouter();
  const [creating, setCreating] = useState(false);
  const revoking = useConfirmedAction(
    (k: ApiKeyRow) => revokeApiKeyAction({ id: k.id }),
    (k) => `Revoked “${k.name}”.`,
  );

  return (
    <SettingsListSection
      title="API keys"
      description={
        <>
          For scripts and other systems: send <code>Authorization: Bearer &lt;key&gt;</code>. A key acts with its own
          role (never more than its creator's), limited to its scopes. See the{" "}
          <a href="/api-docs" className="underline">
            API reference
          </a>
          .
        </>
      }
      action={<Button onClick={() => setCreating(true)}>Create API key</Button>}
    >
      <SettingsTable
        label="API keys"
        rows={keys}
        empty={{
          title: "No API keys yet",
          description: "Create a key to start runs from CI or another service through the REST API.",
        }}
        columns={["Name", "Key", "Role", "Scopes", "Created", "Expires", "Last used", "Status"]}
      >
        {(k) => (
          <TR key={k.id}>
            <TD className="font-medium">{k.name}</TD>
            <TD>
              <code className="font-mono text-xs">{k.prefix}…</code>
            </TD>
            <TD>{ROLE_LABELS[k.role]}</TD>
            <TD className="text-xs">{k.scopes ? k.scopes.join(", ") : "all (made before scopes)"}</TD>
            <TD>{day(k.createdAt)}</TD>
            <TD>{k.expiresAt ? day(k.expiresAt) : "never"}</TD>
            <TD>{day(k.lastUsedAt)}</TD>
            <TD>
              {k.revokedAt ? (
                <Badge tone="danger">Revoked</Badge>
              ) : k.expiresAt && Date.parse(k.expiresAt) <= Date.now() ? (
                <Badge tone="warning">Expired</Badge>
              ) : (
                <Badge tone="success">Active</Badge>
              )}
            </TD>
            <TD className="text-right">
              {k.revokedAt ? null : (
                <Button variant="ghost" size="sm" aria-label={`Revoke ${k.name}`} onClick={() => revoking.setTarget(k)}>
                  Revoke
                </Button>
              )}
            </TD>
          </TR>
        )}
      </SettingsTable>

      <CreateKeyDialog open={creating} onClose={() => setCreating(false)} onCreated={() => router.refresh()} />

      <ConfirmDialog
        open={revoking.target !== null}
        onCancel={() => revoking.setTarget(null)}
        onConfirm={revoking.confirm}
        title="Revoke API key?"
        description={
          revoking.target
            ? `Requests with “${revoking.target.name}” are refused from now on. This cannot be undone.`
            : null
        }
        confirmLabel="Revoke"
        pending={revoking.pending}
      />
    </SettingsListSection>
  );
}

function CreateKeyDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: () => void }) {
  const { error, setError, pending, setPending, general } = useFormAction();
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);

  function close() {
    setError(null);
    setCreated(null);
    onClose();
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setPending(true);
    const expires = String(data.get("expiresInDays") ?? "").trim();
    const result = await createApiKeyAction({
      name: data.get("name"),
      role: data.get("role"),
      scopes: data.getAll("scopes"),
      expiresInDays: expires ? Number(expires) : undefined,
    });
    setPending(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setCreated({ name: result.data.name, key: result.data.key });
    onCreated();
  }

  if (created) {
    return (
      <Dialog
        open={open}
        onClose={close}
        title="API key created"
        description="Copy it now: it is shown only once. Only a hash is stored."
        footer={<Button onClick={close}>Done</Button>}
      >
        <div className="space-y-2">
          <code
            className="block rounded-md bg-slate-50 p-3 font-mono text-sm break-all select-all"
            data-testid="new-api-key"
          >
            {created.key}
          </code>
          <CopyButton text={created.key} label="Copy key" />
        </div>
      </Dialog>
    );
  }

  return (
    <FormDialog
      open={open}
      onClose={close}
      title="Create API key"
      onSubmit={onSubmit}
      submitLabel="Create key"
      pending={pending}
      general={general}
    >
      <Field
        label="Key name"
        hint="Where it is used, e.g. “CI pipeline”."
        error={fieldError(error?.fieldErrors, "name")}
      >
        <Input name="name" required autoComplete="off" />
      </Field>
      <RoleField defaultRole="editor" error={error} />
      <fieldset className="space-y-1.5">
        <legend className="text-sm font-medium text-slate-800">Scopes</legend>
        {API_KEY_SCOPES.map((scope) => (
          <label key={scope} className="flex items-start gap-2 text-sm text-slate-700">
            <input type="checkbox" name="scopes" value={scope} defaultChecked={DEFAULT_SCOPES.has(scope)} />
            <span>
              <code className="text-xs">{scope}</code> — {API_KEY_SCOPE_LABELS[scope]}
            </span>
          </label>
        ))}
        {fieldError(error?.fieldErrors, "scopes") ? (
          <p className="text-sm text-red-700">{fieldError(error?.fieldErrors, "scopes")}</p>
        ) : null}
      </fieldset>
      <Field
        label="Expires after (days)"
        hint="Empty: never expires."
        error={fieldError(error?.fieldErrors, "expiresInDays")}
      >
        <Input name="expiresInDays" type="number" min={1} max={3650} inputMode="numeric" />
      </Field>
    </FormDialog>
  );
}
