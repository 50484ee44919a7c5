"use client";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Field, type FormError, fieldError } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
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
  const [error, setError] = useState<FormError | null>(null);
  const [pending, setPending] = useState(false);
  const [removing, setRemoving] = useState<string | null>(null);

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

  async function confirmRemove() {
    if (!removing) return;
    setPending(true);
    const result = await removeEgressHostAction({ host: removing });
    setPending(false);
    const host = removing;
    setRemoving(null);
    if (!result.ok) {
      toast.show(result.error.message, "error");
      return;
    }
    toast.show(`Removed ${host}.`, "success");
    router.refresh();
  }

  const general = error && !error.fieldErrors?.length ? error.message : null;
  return (
    <div className="space-y-6">
      {allowPrivateNetwork ? (
        <Alert tone="warning">
          This installation sets SWITCHBOARD_ALLOW_PRIVATE_NETWORK=1: every private address is allowed, whatever this
          list says.
        </Alert>
      ) : null}
      <Card aria-labelledby="egress-heading">
        <CardHeader
          id="egress-heading"
          title="Allowed private hosts"
          description="Outbound calls (http nodes, model providers, notification webhooks) may not reach loopback, private or link-local addresses — except the hosts listed here. Give a host, or host:port to allow one port only."
        />
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
        {allowHosts.length === 0 ? (
          <EmptyState
            headingLevel={3}
            title="No private hosts allowed"
            description="Calls to private and loopback addresses are refused."
          />
        ) : (
          <Table label="Allowed private hosts">
            <THead>
              <TR>
                <TH>Host</TH>
                <TH>
                  <span className="sr-only">Actions</span>
                </TH>
              </TR>
            </THead>
            <TBody>
              {allowHosts.map((h) => (
                <TR key={h}>
                  <TD className="font-mono text-sm">{h}</TD>
                  <TD className="text-right">
                    <Button variant="ghost" size="sm" aria-label={`Remove ${h}`} onClick={() => setRemoving(h)}>
                      Remove
                    </Button>
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        )}
      </Card>
      <ConfirmDialog
        open={removing !== null}
        onCancel={() => setRemoving(null)}
        onConfirm={confirmRemove}
        title="Remove this host?"
        description={removing ? `Calls to ${removing} on a private address are refused from now on.` : null}
        confirmLabel="Remove"
        pending={pending}
      />
    </div>
  );
}
