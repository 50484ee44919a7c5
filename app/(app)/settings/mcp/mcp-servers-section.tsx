"use client";
import { useRouter } from "next/navigation";
import { type FormEvent, useEffect, useState } from "react";
import { FormDialog, SettingsListSection, useFormAction } from "@/components/settings/settings-list-section";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Field, fieldError } from "@/components/ui/field";
import { Input, Textarea } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { useToast } from "@/components/ui/toast";
import type { McpServerView } from "@/lib/use-cases/mcp";
import {
  addMcpServerAction,
  discoverMcpToolsAction,
  removeMcpServerAction,
  setMcpApprovalToolsAction,
} from "./actions";

const ALL = "*";

function when(iso: string | null): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : "never";
}

export function McpServersSection({ servers, canManage }: { servers: McpServerView[]; canManage: boolean }) {
  const [adding, setAdding] = useState(false);
  const router = useRouter();
  return (
    <div className="space-y-6">
      <SettingsListSection
        headingId="mcp-servers-heading"
        title="Servers"
        description="Tool steps and agents call a server by its name. Credentials come from the workspace's credentials; a stdio server's command is fixed here and never comes from a workflow."
        action={canManage ? <Button onClick={() => setAdding(true)}>Add MCP server</Button> : null}
      >
        {servers.length === 0 ? (
          <EmptyState
            headingLevel={3}
            title="No MCP servers yet"
            description={
              canManage
                ? "Add a server by its Streamable HTTP URL, or a local command that speaks MCP over stdio."
                : "An administrator adds MCP servers here."
            }
          />
        ) : (
          <ul className="space-y-4">
            {servers.map((s) => (
              <ServerItem key={s.name} server={s} canManage={canManage} />
            ))}
          </ul>
        )}
      </SettingsListSection>
      {canManage ? (
        <AddServerDialog open={adding} onClose={() => setAdding(false)} onAdded={() => router.refresh()} />
      ) : null}
    </div>
  );
}

function ServerItem({ server, canManage }: { server: McpServerView; canManage: boolean }) {
  const router = useRouter();
  const toast = useToast();
  const [pending, setPending] = useState<"discover" | "remove" | "approval" | null>(null);
  const [removing, setRemoving] = useState(false);
  // the marks change at once on screen; the server's answer (or an error) settles them
  const [marked, setMarked] = useState(server.approvalTools);
  useEffect(() => setMarked(server.approvalTools), [server.approvalTools]);
  const headingId = `mcp-${server.name}`;

  async function discover() {
    setPending("discover");
    const result = await discoverMcpToolsAction({ name: server.name });
    setPending(null);
    if (!result.ok) toast.show(result.error.message, "error");
    else if (result.data.discoveryError) toast.show(`“${server.name}”: ${result.data.discoveryError}`, "error");
    else toast.show(`“${server.name}” has ${result.data.tools?.length ?? 0} tools.`, "success");
    router.refresh();
  }

  async function setApproval(tools: string[]) {
    const before = marked;
    setMarked(tools);
    setPending("approval");
    const result = await setMcpApprovalToolsAction({ name: server.name, tools });
    setPending(null);
    if (!result.ok) {
      setMarked(before);
      toast.show(result.error.message, "error");
    }
    router.refresh();
  }

  async function remove() {
    setPending("remove");
    const result = await removeMcpServerAction({ name: server.name });
    setPending(null);
    setRemoving(false);
    if (!result.ok) {
      toast.show(result.error.message, "error");
      return;
    }
    toast.show(`Removed “${server.name}”.`, "success");
    router.refresh();
  }

  const all = marked.includes(ALL);
  const toggle = (tool: string, on: boolean) => {
    const rest = marked.filter((t) => t !== tool && t !== ALL);
    void setApproval(on ? [...rest, tool] : rest);
  };

  return (
    <li className="rounded-md border border-slate-200 p-4" aria-labelledby={headingId}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 space-y-1">
          <h3 id={headingId} className="flex items-center gap-2 text-base font-semibold text-slate-900">
            {server.name}
            <Badge tone={server.transport === "http" ? "info" : "neutral"}>
              {server.transport === "http" ? "Streamable HTTP" : "stdio"}
            </Badge>
          </h3>
          <p className="text-sm text-slate-700">
            <code className="font-mono text-xs break-all">{server.target}</code>
          </p>
          <p className="text-xs text-slate-600">
            {server.credential ? (
              <>
                Credential <code className="font-mono">{server.credential}</code> ·{" "}
              </>
            ) : null}
            {Object.keys(server.env ?? {}).length > 0 ? (
              <>
                Environment{" "}
                {Object.entries(server.env).map(([name, credential]) => (
                  <code key={name} className="font-mono">
                    {name}←{credential}{" "}
                  </code>
                ))}
                ·{" "}
              </>
            ) : null}
            Tools listed: {when(server.discoveredAt)}
          </p>
        </div>
        {canManage ? (
          <div className="flex gap-2">
            <Button variant="secondary" size="sm" loading={pending === "discover"} onClick={discover}>
              Refresh tools
            </Button>
            <Button variant="ghost" size="sm" aria-label={`Remove ${server.name}`} onClick={() => setRemoving(true)}>
              Remove
            </Button>
          </div>
        ) : null}
      </div>

      {server.discoveryError ? (
        <div className="mt-3">
          <Alert>The tools could not be listed: {server.discoveryError}</Alert>
        </div>
      ) : null}

      {server.tools ? (
        <div className="mt-3">
          {canManage && server.tools.length > 0 ? (
            <label className="mb-2 flex items-center gap-2 text-sm text-slate-800">
              <input
                type="checkbox"
                checked={all}
                disabled={pending === "approval"}
                onChange={(e) => void setApproval(e.target.checked ? [ALL] : [])}
              />
              Every tool of this server needs a person's approval before each call
            </label>
          ) : null}
          {server.tools.length === 0 ? (
            <p className="text-sm text-slate-600">The server lists no tools.</p>
          ) : (
            <ul
              className="divide-y divide-slate-100 rounded-md border border-slate-100"
              aria-label={`Tools of ${server.name}`}
            >
              {server.tools.map((t) => {
                const params = Object.keys((t.inputSchema.properties as Record<string, unknown> | undefined) ?? {});
                return (
                  <li key={t.name} className="flex flex-wrap items-start justify-between gap-2 px-3 py-2">
                    <div className="min-w-0">
                      <p className="text-sm font-medium text-slate-900">
                        <code className="font-mono">{t.name}</code>
                        <span className="ml-1 font-mono text-xs text-slate-500">({params.join(", ")})</span>
                      </p>
                      {t.description ? <p className="text-xs text-slate-600">{t.description}</p> : null}
                    </div>
                    {canManage ? (
                      <label className="flex items-center gap-2 text-xs text-slate-700">
                        <input
                          type="checkbox"
                          checked={all || marked.includes(t.name)}
                          disabled={all || pending === "approval"}
                          onChange={(e) => toggle(t.name, e.target.checked)}
                          aria-label={`${t.name} needs approval`}
                        />
                        Needs approval
                      </label>
                    ) : all || marked.includes(t.name) ? (
                      <Badge tone="warning">Needs approval</Badge>
                    ) : null}
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      ) : server.discoveryError ? null : (
        <p className="mt-3 text-sm text-slate-600">Tools not listed yet.</p>
      )}

      <ConfirmDialog
        open={removing}
        onCancel={() => setRemoving(false)}
        onConfirm={remove}
        title={`Remove “${server.name}”?`}
        description="Tool steps and agents that use it fail until a server with this name is added again."
        confirmLabel="Remove"
        pending={pending === "remove"}
      />
    </li>
  );
}

function AddServerDialog({ open, onClose, onAdded }: { open: boolean; onClose: () => void; onAdded: () => void }) {
  const toast = useToast();
  const [transport, setTransport] = useState<"http" | "stdio">("http");
  const { error, setError, pending, setPending, general } = useFormAction();

  function close() {
    setError(null);
    onClose();
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (k: string) => String(data.get(k) ?? "").trim();
    const input =
      transport === "http"
        ? {
            name: text("name"),
            transport,
            url: text("url"),
            ...(text("credential") ? { credential: text("credential") } : {}),
          }
        : {
            name: text("name"),
            transport,
            command: text("command"),
            args: String(data.get("args") ?? "")
              .split("\n")
              .map((a) => a.trim())
              .filter(Boolean),
            env: Object.fromEntries(
              String(data.get("env") ?? "")
                .split("\n")
                .map((line) => line.trim())
                .filter(Boolean)
                .map((line) => {
                  const eq = line.indexOf("=");
                  return eq > 0 ? [line.slice(0, eq).trim(), line.slice(eq + 1).trim()] : [line, ""];
                }),
            ),
          };
    setPending(true);
    const result = await addMcpServerAction(input);
    setPending(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    const s = result.data;
    toast.show(
      s.discoveryError
        ? `Added “${s.name}”, but its tools could not be listed: ${s.discoveryError}`
        : `Added “${s.name}” with ${s.tools?.length ?? 0} tools.`,
      s.discoveryError ? "error" : "success",
    );
    onAdded();
    close();
  }

  return (
    <FormDialog
      open={open}
      onClose={close}
      title="Add MCP server"
      onSubmit={onSubmit}
      submitLabel="Add server"
      pending={pending}
      general={general}
    >
      <Field
        label="Name"
        hint="Tool steps and agents call the server by this name."
        error={fieldError(error?.fieldErrors, "name")}
      >
        <Input name="name" required autoComplete="off" placeholder="files" />
      </Field>
      <Field label="Transport">
        {(props) => (
          <Select
            {...props}
            name="transport"
            value={transport}
            onChange={(e) => setTransport(e.target.value as "http" | "stdio")}
          >
            <option value="http">Streamable HTTP (a URL)</option>
            <option value="stdio">stdio (a command on this server)</option>
          </Select>
        )}
      </Field>
      {transport === "http" ? (
        <>
          <Field
            label="URL"
            hint="Calls go through the workspace's network egress policy."
            error={fieldError(error?.fieldErrors, "url")}
          >
            <Input name="url" type="url" required autoComplete="off" placeholder="https://mcp.example.com/mcp" />
          </Field>
          <Field
            label="Credential (optional)"
            hint="The name of a workspace credential, sent as a bearer token."
            error={fieldError(error?.fieldErrors, "credential")}
          >
            <Input name="credential" autoComplete="off" />
          </Field>
        </>
      ) : (
        <>
          <Field
            label="Command"
            hint="Started exactly as written, only when a run needs the server or you list its tools."
            error={fieldError(error?.fieldErrors, "command")}
          >
            <Input name="command" required autoComplete="off" placeholder="node" />
          </Field>
          <Field
            label="Arguments"
            hint="One per line, passed as they are (no shell)."
            error={fieldError(error?.fieldErrors, "args")}
          >
            <Textarea name="args" rows={3} />
          </Field>
          <Field
            label="Environment"
            hint="One NAME=credential per line: the variable is set from that workspace credential each time the command starts."
            error={error?.fieldErrors?.find((f) => f.path === "env" || f.path.startsWith("env."))?.message ?? undefined}
          >
            <Textarea name="env" rows={2} placeholder="CRM_TOKEN=crm-token" />
          </Field>
        </>
      )}
    </FormDialog>
  );
}
