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
import { ConfirmDialog } from "@/components/ui/dialog";
import { Field, fieldError } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { TD, TR } from "@/components/ui/table";
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
  const [creating, setCreating] = useState(false);
  const [replacing, setReplacing] = useState<CredentialView | null>(null);
  const deleting = useConfirmedAction(
    (c: CredentialView) => deleteCredentialAction({ name: c.name }),
    (c) => `Deleted “${c.name}”.`,
  );

  return (
    <SettingsListSection
      headingId="credentials-heading"
      title="Credentials"
      description="An http node names a credential in its Credential field; it is sent as its kind says and redacted from everything stored."
      action={<Button onClick={() => setCreating(true)}>Create credential</Button>}
    >
      <SettingsTable
        label="Credentials"
        rows={credentials}
        empty={{
          title: "No credentials yet",
          description: "Create one for an API your workflows call. Model providers' keys appear here too.",
        }}
        columns={["Name", "Kind", "Value", "Used by"]}
      >
        {(c) => (
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
              <Button variant="ghost" size="sm" aria-label={`Delete ${c.name}`} onClick={() => deleting.setTarget(c)}>
                Delete
              </Button>
            </TD>
          </TR>
        )}
      </SettingsTable>

      <CreateCredentialDialog open={creating} onClose={() => setCreating(false)} onDone={() => router.refresh()} />
      <ReplaceCredentialDialog
        credential={replacing}
        onClose={() => setReplacing(null)}
        onDone={() => router.refresh()}
      />
      <ConfirmDialog
        open={deleting.target !== null}
        onCancel={() => deleting.setTarget(null)}
        onConfirm={deleting.confirm}
        title="Delete credential?"
        description={
          deleting.target ? `Workflows that use “${deleting.target.name}” fail until it exists again.` : null
        }
        confirmLabel="Delete"
        pending={deleting.pending}
      />
    </SettingsListSection>
  );
}

function CreateCredentialDialog({ open, onClose, onDone }: { open: boolean; onClose: () => void; onDone: () => void }) {
  const toast = useToast();
  const { error, setError, pending, setPending, general } = useFormAction();
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

  return (
    <FormDialog
      open={open}
      onClose={close}
      title="Create credential"
      onSubmit={onSubmit}
      submitLabel="Create credential"
      pending={pending}
      general={general}
    >
      <Field label="Name" hint="What nodes name it by, e.g. crm-token." error={fieldError(error?.fieldErrors, "name")}>
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
    </FormDialog>
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
  const { error, setError, pending, setPending, general } = useFormAction();

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

  return (
    <FormDialog
      open={credential !== null}
      onClose={close}
      title={credential ? `Replace “${credential.name}”` : "Replace credential"}
      description="The old value stops working at once."
      onSubmit={onSubmit}
      submitLabel="Replace value"
      pending={pending}
      general={general}
    >
      <Field label="New value" error={fieldError(error?.fieldErrors, "value")}>
        <Input name="value" type="password" required autoComplete="new-password" spellCheck={false} />
      </Field>
    </FormDialog>
  );
}
