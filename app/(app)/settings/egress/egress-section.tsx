"use client";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import {
  SettingsListSection,
  SettingsTable,
  useConfirmedAction,
  useFormAction,
} from "@/components/settings/settings-list-section";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { Field, fieldError } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { TD, TR } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
import { allowEgressHostAction, removeEgressHostAction } from "./actions";

export function EgressSection({
  allowHosts,
  allowPrivateNetwork,
}: {
  allowHosts: string[];
  allowPrivateNetwork: boolean;
}) {
  const router = useRouter();
  const toast = useToast();
  const { error, setError, pending: allowing, setPending, general } = useFormAction();
  const removing = useConfirmedAction(
    (host: string) => removeEgressHostAction({ host }),
    (host) => `Removed ${host}.`,
  );
  // one busy state for the form and the confirmation, as before the fold
  const pending = allowing || removing.pending;

  async function onAllow(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const host = String(new FormData(form).get("host") ?? "");
    setPending(true);
    const result = await allowEgressHostAction({ host });
    setPending(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setError(null);
    form.reset();
    toast.show(`Allowed ${result.data.allowHosts.at(-1)}.`, "success");
    router.refresh();
  }

  return (
    <div className="space-y-6">
      {allowPrivateNetwork ? (
        <Alert tone="warning">
          This installation sets SWITCHBOARD_ALLOW_PRIVATE_NETWORK=1: every private address is allowed, whatever this
          list says.
        </Alert>
      ) : null}
      <SettingsListSection
        headingId="egress-heading"
        title="Allowed private hosts"
        description="Outbound calls (http nodes, model providers, notification webhooks) may not reach loopback, private or link-local addresses — except the hosts listed here. Give a host, or host:port to allow one port only."
      >
        <form onSubmit={onAllow} className="mb-4 flex flex-wrap items-end gap-3" noValidate>
          {general ? <Alert>{general}</Alert> : null}
          <Field
            label="Host"
            hint="e.g. 127.0.0.1:11434 for a local Ollama, or ollama.internal"
            error={fieldError(error?.fieldErrors, "host")}
            className="min-w-64 flex-1"
          >
            <Input name="host" autoComplete="off" spellCheck={false} />
          </Field>
          <Button type="submit" loading={pending}>
            Allow host
          </Button>
        </form>
        <SettingsTable
          label="Allowed private hosts"
          rows={allowHosts}
          empty={{
            title: "No private hosts allowed",
            description: "Calls to private and loopback addresses are refused.",
          }}
          columns={["Host"]}
        >
          {(h) => (
            <TR key={h}>
              <TD className="font-mono text-sm">{h}</TD>
              <TD className="text-right">
                <Button variant="ghost" size="sm" aria-label={`Remove ${h}`} onClick={() => removing.setTarget(h)}>
                  Remove
                </Button>
              </TD>
            </TR>
          )}
        </SettingsTable>
      </SettingsListSection>
      <ConfirmDialog
        open={removing.target !== null}
        onCancel={() => removing.setTarget(null)}
        onConfirm={removing.confirm}
        title="Remove this host?"
        description={
          removing.target ? `Calls to ${removing.target} on a private address are refused from now on.` : null
        }
        confirmLabel="Remove"
        pending={pending}
      />
    </div>
  );
}
