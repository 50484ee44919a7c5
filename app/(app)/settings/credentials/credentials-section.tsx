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
import { Select } from "@/components/ui/select";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
import type { CredentialView } from "@/lib/use-cases/models/credentials";
import { lastUsedText } from "../settings-nav";
import { createCredentialAction, deleteCredentialAction, replaceCredentialAction } from "./actions";

const KINDS = [
  ["bearer", "Bearer token (Authorization: Bearer …)"],
  ["basic", "Basic auth (user:password)"],
  ["header", "Header of your choice"],
  ["query", "Query parameter"],
  ["secret", "Plain secret"],
] as const;

const kindLabel = (kind: string, field: string | null) =>
  kind === "header" ? `header ${field ?? ""}` : kind === "query" ? `query ?${field ?? ""}` : kind;

export function CredentialsSection({ credentials }: { credentials: CredentialView[] }) {
  const router = useRouter();
  const toast = useToast();
  const [creating, setCreating] = useState(false);
  const [replacing, setReplacing] = useState<CredentialView | null>(null);
  const [deleting, setDeleting] = useState<CredentialView | null>(null);
  const [pending, setPending] = useState(false);

  async function confirmDelete() {
    if (!deleting) return;
    setPending(true);
    const result = await deleteCredentialAction({ name: deleting.name });
    setPending(false);
    const name = deleting.name;
    setDeleting(null);
    if (!result.ok) {
      toast.show(result.error.message, "error");
      return;
    }
    toast.show(`Deleted “${name}”.`, "success");
    router.refresh();
  }

  return (
    <Card aria-labelledby="credentials-heading">
      <CardHeader
        id="credentials-heading"
        title="Credentials"
        description="An http node names a credential in its Credential field; it is sent as its kind says and redacted from everything stored."
        actions={<Button onClick={() => setCreating(true)}>Create credential</Button>}
      />
      {credentials.length === 0 ? (
        <EmptyState
          headingLevel={3}
          title="No credentials yet"
          description="Create one for an API your workflows call. Model providers' keys appear here too."
        />
      ) : (
        <Table label="Credentials">
          <THead>
            <TR>
              <TH>Name</TH>
              <TH>Kind</TH>
              <TH>Value</TH>
              <TH>Used by</TH>
              <TH>
                <span className="sr-only">Actions</span>
              </TH>
            </TR>
          </THead>
          <TBody>
            {credentials.map((c) => (
              <TR key={c.name}>
                <TD className="font-mono text-sm">{c.name}</TD>
                <TD>{kindLabel(c.kind, c.field)}</TD>
                <TD>
                  <Badge tone="success">{lastUsedText(c.lastUsedAt)}</Badge>
                </TD>
                <TD>{c.usedByProviders.length ? `model provider ${c.usedByProviders.join(", ")}` : "—"}</TD>
                <TD className="space-x-1 text-right whitespace-nowrap">
                  <Button variant="ghost" size="sm" aria-label={`Replace ${c.name}`} onClick={() => setReplacing(c)}>
                    Replace
                  </Button>
                  <Button variant="ghost" size="sm" aria-label={`Delete ${c.name}`} onClick={() => setDeleting(c)}>
                    Delete
                  </Button>
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}

      <CreateCredentialDialog open={creating} onClose={() => setCreating(false)} onDone={() => router.refresh()} />
      <ReplaceCredentialDialog
        credential={replacing}
        onClose={() => setReplacing(null)}
        onDone={() => router.refresh()}
      />
      <ConfirmDialog
        open={deleting !== null}
        onCancel={() => setDeleting(null)}
        onConfirm={confirmDelete}
        title="Delete credential?"
        description={deleting ? `Workflows that use “${deleting.name}” fail until it exists again.` : null}
        confirmLabel="Delete"
        pending={pending}
      />
    </Card>
  );
}

function CreateCredentialDialog({ open, onClose, onDone }: { open: boolean; onClose: () => void; onDone: () => void }) {
  const toast = useToast();
  const [error, setError] = useState<FormError | null>(null);
  const [pending, setPending] = useState(false);
  const [kind, setKind] = useState<string>("bearer");

  function close() {
    setError(null);
    setKind("bearer");
    onClose();
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setPending(true);
    const result = await createCredentialAction({
      name: data.get("name"),
      kind: data.get("kind"),
      field: data.get("field") ?? undefined,
      value: data.get("value"),
    });
    setPending(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    toast.show(`Created “${result.data.name}”.`, "success");
    close();
    onDone();
  }

  const general = error && !error.fieldErrors?.length ? error.message : null;
  return (
    <Dialog open={open} onClose={close} title="Create credential">
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {general ? <Alert>{general}</Alert> : null}
        <Field
          label="Name"
          hint="What nodes name it by, e.g. crm-token."
          error={fieldError(error?.fieldErrors, "name")}
        >
          <Input name="name" required autoComplete="off" spellCheck={false} />
        </Field>
        <Field label="Kind" error={fieldError(error?.fieldErrors, "kind")}>
          {(props) => (
            <Select {...props} name="kind" value={kind} onChange={(e) => setKind(e.target.value)}>
              {KINDS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </Select>
          )}
        </Field>
        {kind === "header" || kind === "query" ? (
          <Field
            label={kind === "header" ? "Header name" : "Parameter name"}
            hint={kind === "header" ? "e.g. X-Api-Key" : "e.g. api_key"}
            error={fieldError(error?.fieldErrors, "field")}
          >
            <Input name="field" required autoComplete="off" spellCheck={false} />
          </Field>
        ) : null}
        <Field
          label="Value"
          hint={
            kind === "basic"
              ? "user:password — stored encrypted, never shown again."
              : "Stored encrypted, never shown again."
          }
          error={fieldError(error?.fieldErrors, "value")}
        >
          <Input name="value" type="password" required autoComplete="new-password" spellCheck={false} />
        </Field>
        <div className="flex justify-end gap-3 pt-2">
          <Button variant="secondary" onClick={close}>
            Cancel
          </Button>
          <Button type="submit" loading={pending}>
            Create credential
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function ReplaceCredentialDialog({
  credential,
  onClose,
  onDone,
}: {
  credential: CredentialView | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const toast = useToast();
  const [error, setError] = useState<FormError | null>(null);
  const [pending, setPending] = useState(false);

  function close() {
    setError(null);
    onClose();
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!credential) return;
    const data = new FormData(event.currentTarget);
    setPending(true);
    const result = await replaceCredentialAction({ name: credential.name, value: data.get("value") });
    setPending(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    toast.show(`Replaced the value of “${credential.name}”.`, "success");
    close();
    onDone();
  }

  const general = error && !error.fieldErrors?.length ? error.message : null;
  return (
    <Dialog
      open={credential !== null}
      onClose={close}
      title={credential ? `Replace “${credential.name}”` : "Replace credential"}
      description="The old value stops working at once."
    >
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {general ? <Alert>{general}</Alert> : null}
        <Field label="New value" error={fieldError(error?.fieldErrors, "value")}>
          <Input name="value" type="password" required autoComplete="new-password" spellCheck={false} />
        </Field>
        <div className="flex justify-end gap-3 pt-2">
          <Button variant="secondary" onClick={close}>
            Cancel
          </Button>
          <Button type="submit" loading={pending}>
            Replace value
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
