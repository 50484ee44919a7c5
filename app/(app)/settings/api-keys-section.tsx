"use client";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { ConfirmDialog, Dialog } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Field, type FormError, fieldError } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
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
  const toast = useToast();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKeyRow | null>(null);
  const [pending, setPending] = useState(false);

  async function confirmRevoke() {
    if (!revoking) return;
    setPending(true);
    const result = await revokeApiKeyAction({ id: revoking.id });
    setPending(false);
    const name = revoking.name;
    setRevoking(null);
    if (!result.ok) {
      toast.show(result.error.message, "error");
      return;
    }
    toast.show(`Revoked “${name}”.`, "success");
    router.refresh();
  }

  return (
    <Card>
      <CardHeader
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
        actions={<Button onClick={() => setCreating(true)}>Create API key</Button>}
      />
      {keys.length === 0 ? (
        <EmptyState
          headingLevel={3}
          title="No API keys yet"
          description="Create a key to start runs from CI or another service through the REST API."
        />
      ) : (
        <Table label="API keys">
          <THead>
            <TR>
              <TH>Name</TH>
              <TH>Key</TH>
              <TH>Role</TH>
              <TH>Scopes</TH>
              <TH>Created</TH>
              <TH>Expires</TH>
              <TH>Last used</TH>
              <TH>Status</TH>
              <TH>
                <span className="sr-only">Actions</span>
              </TH>
            </TR>
          </THead>
          <TBody>
            {keys.map((k) => (
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
                    <Button variant="ghost" size="sm" aria-label={`Revoke ${k.name}`} onClick={() => setRevoking(k)}>
                      Revoke
                    </Button>
                  )}
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}

      <CreateKeyDialog open={creating} onClose={() => setCreating(false)} onCreated={() => router.refresh()} />

      <ConfirmDialog
        open={revoking !== null}
        onCancel={() => setRevoking(null)}
        onConfirm={confirmRevoke}
        title="Revoke API key?"
        description={
          revoking ? `Requests with “${revoking.name}” are refused from now on. This cannot be undone.` : null
        }
        confirmLabel="Revoke"
        pending={pending}
      />
    </Card>
  );
}

function CreateKeyDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: () => void }) {
  const [error, setError] = useState<FormError | null>(null);
  const [pending, setPending] = useState(false);
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [copied, setCopied] = useState(false);

  function close() {
    setError(null);
    setCreated(null);
    setCopied(false);
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
          <Button
            variant="secondary"
            size="sm"
            onClick={async () => {
              await navigator.clipboard?.writeText(created.key);
              setCopied(true);
            }}
          >
            {copied ? "Copied" : "Copy key"}
          </Button>
        </div>
      </Dialog>
    );
  }

  const general = error && !error.fieldErrors?.length ? error.message : null;
  return (
    <Dialog open={open} onClose={close} title="Create API key">
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {general ? <Alert>{general}</Alert> : null}
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
        <div className="flex justify-end gap-3 pt-2">
          <Button variant="secondary" onClick={close}>
            Cancel
          </Button>
          <Button type="submit" loading={pending}>
            Create key
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
