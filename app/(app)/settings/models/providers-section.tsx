"use client";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { FormDialog, useConfirmedAction, useFormAction } from "@/components/settings/settings-list-section";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Field, fieldError } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
import type { PriceView, ProviderView } from "@/lib/use-cases/models";
import { lastUsedText } from "../settings-nav";
import {
  addProviderAction,
  removePriceAction,
  removeProviderAction,
  setPriceAction,
  testProviderAction,
  updateProviderAction,
} from "./actions";

export type ProviderRow = ProviderView & { prices: PriceView[] };

const KINDS = [
  ["openai", "OpenAI"],
  ["anthropic", "Anthropic"],
  ["google", "Google Gemini"],
  ["openai-compatible", "OpenAI-compatible (Ollama, vLLM, LM Studio, LiteLLM…)"],
] as const;
const KIND_LABEL: Record<string, string> = Object.fromEntries(KINDS);

type TestState = { pending: boolean; text?: string; ok?: boolean };

const usd = (n: number) => `$${Number(n.toFixed(4))}`;

/** An existing vault credential a provider may use instead of a new key (names only, never values). */
export interface CredentialChoice {
  name: string;
  kind: string;
}

export function ProvidersSection({
  providers,
  defaultBaseUrls,
  credentials = [],
}: {
  providers: ProviderRow[];
  defaultBaseUrls: Record<string, string>;
  credentials?: CredentialChoice[];
}) {
  const router = useRouter();
  const toast = useToast();
  const [adding, setAdding] = useState(false);
  const removing = useConfirmedAction(
    (p: ProviderRow) => removeProviderAction({ name: p.name }),
    (p) => `Removed “${p.name}”.`,
  );
  const [replacingKey, setReplacingKey] = useState<ProviderRow | null>(null);
  const [pricing, setPricing] = useState<{ provider: string; model?: PriceView } | null>(null);
  const [tests, setTests] = useState<Record<string, TestState>>({});

  async function test(name: string) {
    setTests((t) => ({ ...t, [name]: { pending: true } }));
    const r = await testProviderAction({ name });
    let state: TestState;
    if (!r.ok) state = { pending: false, ok: false, text: r.error.message };
    else if (r.data.ok)
      state = {
        pending: false,
        ok: true,
        text: `Connected in ${r.data.latencyMs} ms${r.data.models !== null ? ` · ${r.data.models} models listed` : ""}`,
      };
    else state = { pending: false, ok: false, text: `Failed after ${r.data.latencyMs} ms: ${r.data.error.message}` };
    setTests((t) => ({ ...t, [name]: state }));
    if (r.ok && r.data.ok) router.refresh();
  }

  async function resetPrice(model: string) {
    const result = await removePriceAction({ model });
    if (!result.ok) {
      toast.show(result.error.message, "error");
      return;
    }
    toast.show(`${model} uses its default price again.`, "success");
    router.refresh();
  }

  return (
    <div className="space-y-6">
      <Card aria-labelledby="providers-heading">
        <CardHeader
          id="providers-heading"
          title="Model providers"
          description="An agent uses a provider's model as PROVIDER:MODEL (e.g. work:gpt-4.1-mini). Keys are encrypted in the vault and never shown again."
          actions={<Button onClick={() => setAdding(true)}>Add provider</Button>}
        />
        {providers.length === 0 ? (
          <EmptyState
            headingLevel={3}
            title="No model providers yet"
            description="Agents can use the built-in simulated model. Add OpenAI, Anthropic, Google or a local OpenAI-compatible server for real models."
          />
        ) : (
          <div className="space-y-6">
            {providers.map((p) => {
              const t = tests[p.name];
              return (
                <article
                  key={p.name}
                  aria-labelledby={`provider-${p.name}`}
                  className="rounded-md border border-slate-200 p-4"
                >
                  <div className="flex flex-wrap items-start justify-between gap-3">
                    <div className="space-y-1">
                      <h3 id={`provider-${p.name}`} className="flex items-center gap-2 text-base font-semibold">
                        <span className="font-mono">{p.name}</span>
                        <Badge tone="info">{KIND_LABEL[p.kind] ?? p.kind}</Badge>
                      </h3>
                      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-sm text-slate-600">
                        <dt>Base URL</dt>
                        <dd className="font-mono break-all">
                          {p.baseUrl ?? `${defaultBaseUrls[p.kind] ?? "—"} (default)`}
                        </dd>
                        <dt>API key</dt>
                        <dd>{p.credential ? (p.keySet ? lastUsedText(p.keyLastUsedAt) : "missing") : "none"}</dd>
                        <dt>Models</dt>
                        <dd>
                          {p.models === null
                            ? "not listed yet — test the connection"
                            : `${p.models.length} listed${p.modelsListedAt ? ` (${p.modelsListedAt.slice(0, 16).replace("T", " ")} UTC)` : ""}`}
                        </dd>
                      </dl>
                    </div>
                    <div className="flex flex-wrap gap-2">
                      <Button
                        variant="secondary"
                        size="sm"
                        loading={t?.pending}
                        aria-label={`Test connection to ${p.name}`}
                        onClick={() => test(p.name)}
                      >
                        Test connection
                      </Button>
                      <Button
                        variant="ghost"
                        size="sm"
                        aria-label={`Replace the key of ${p.name}`}
                        onClick={() => setReplacingKey(p)}
                      >
                        Replace key
                      </Button>
                      <Button
                        variant="ghost"
                        size="sm"
                        aria-label={`Remove ${p.name}`}
                        onClick={() => removing.setTarget(p)}
                      >
                        Remove
                      </Button>
                    </div>
                  </div>
                  <p
                    role="status"
                    aria-label={`Connection test of ${p.name}`}
                    className={
                      t?.text ? (t.ok ? "mt-2 text-sm text-green-800" : "mt-2 text-sm text-red-700") : "sr-only"
                    }
                  >
                    {t?.text ?? ""}
                  </p>
                  <div className="mt-4">
                    <div className="mb-2 flex items-center justify-between">
                      <h4 className="text-sm font-medium text-slate-900">Prices (USD per million tokens)</h4>
                      <Button variant="ghost" size="sm" onClick={() => setPricing({ provider: p.name })}>
                        Price a model
                      </Button>
                    </div>
                    {p.prices.length === 0 ? (
                      <p className="text-sm text-slate-600">
                        No prices: calls cost $0 until you price a model (local servers have no defaults).
                      </p>
                    ) : (
                      <Table label={`Prices of ${p.name}`}>
                        <THead>
                          <TR>
                            <TH>Model</TH>
                            <TH>Input</TH>
                            <TH>Output</TH>
                            <TH>Source</TH>
                            <TH>
                              <span className="sr-only">Actions</span>
                            </TH>
                          </TR>
                        </THead>
                        <TBody>
                          {p.prices.map((m) => (
                            <TR key={m.id}>
                              <TD className="font-mono text-xs">{m.id}</TD>
                              <TD>{m.price ? usd(m.price.inputPerMTok) : "—"}</TD>
                              <TD>{m.price ? usd(m.price.outputPerMTok) : "—"}</TD>
                              <TD>
                                {m.source === "override" ? (
                                  <Badge tone="info">yours</Badge>
                                ) : m.source === "default" ? (
                                  <Badge>default</Badge>
                                ) : (
                                  <Badge tone="warning">unpriced</Badge>
                                )}
                              </TD>
                              <TD className="space-x-1 text-right whitespace-nowrap">
                                <Button
                                  variant="ghost"
                                  size="sm"
                                  aria-label={`Edit price of ${m.id}`}
                                  onClick={() => setPricing({ provider: p.name, model: m })}
                                >
                                  Edit
                                </Button>
                                {m.source === "override" ? (
                                  <Button
                                    variant="ghost"
                                    size="sm"
                                    aria-label={`Reset price of ${m.id}`}
                                    onClick={() => resetPrice(m.id)}
                                  >
                                    Reset
                                  </Button>
                                ) : null}
                              </TD>
                            </TR>
                          ))}
                        </TBody>
                      </Table>
                    )}
                  </div>
                </article>
              );
            })}
          </div>
        )}
      </Card>

      <AddProviderDialog
        open={adding}
        defaultBaseUrls={defaultBaseUrls}
        credentials={credentials}
        onClose={() => setAdding(false)}
        onDone={() => router.refresh()}
      />
      <ReplaceKeyDialog
        provider={replacingKey}
        credentials={credentials}
        onClose={() => setReplacingKey(null)}
        onDone={() => router.refresh()}
      />
      <PriceDialog target={pricing} onClose={() => setPricing(null)} onDone={() => router.refresh()} />
      <ConfirmDialog
        open={removing.target !== null}
        onCancel={() => removing.setTarget(null)}
        onConfirm={removing.confirm}
        title="Remove model provider?"
        description={
          removing.target
            ? `Agents using ${removing.target.name}:… fail from now on. Its prices${removing.target.credential === `provider-${removing.target.name}` ? " and its API key" : ""} are removed too.`
            : null
        }
        confirmLabel="Remove"
        pending={removing.pending}
      />
    </div>
  );
}

/**
 * Where a provider's key comes from: a new key typed here (sealed into the vault as
 * `provider-<name>`) or an existing credential chosen by name.
 */
function KeySource({
  credentials,
  value,
  onChange,
  error,
}: {
  credentials: CredentialChoice[];
  value: string;
  onChange: (credential: string) => void;
  error?: string;
}) {
  if (credentials.length === 0) return null;
  return (
    <Field
      label="Key from"
      hint="Type a new key below, or use a credential already in the vault (Settings → Credentials)."
      error={error}
    >
      {(props) => (
        <Select {...props} name="credential" value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">A new key (typed below)</option>
          {credentials.map((c) => (
            <option key={c.name} value={c.name}>
              Credential {c.name} ({c.kind})
            </option>
          ))}
        </Select>
      )}
    </Field>
  );
}

function AddProviderDialog({
  open,
  defaultBaseUrls,
  credentials,
  onClose,
  onDone,
}: {
  open: boolean;
  credentials: CredentialChoice[];
  defaultBaseUrls: Record<string, string>;
  onClose: () => void;
  onDone: () => void;
}) {
  const toast = useToast();
  const f = useFormAction();
  const [kind, setKind] = useState<string>("openai");
  const [credential, setCredential] = useState("");

  function close() {
    f.setError(null);
    setKind("openai");
    setCredential("");
    onClose();
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    f.setPending(true);
    const result = await addProviderAction({
      name: data.get("name"),
      kind: data.get("kind"),
      baseUrl: data.get("baseUrl"),
      ...(credential ? { credential } : { apiKey: data.get("apiKey") }),
    });
    f.setPending(false);
    if (!result.ok) {
      f.setError(result.error);
      return;
    }
    toast.show(`Added “${result.data.name}”. Test its connection next.`, "success");
    close();
    onDone();
  }

  const local = kind === "openai-compatible";
  return (
    <FormDialog
      open={open}
      onClose={close}
      title="Add model provider"
      onSubmit={onSubmit}
      submitLabel="Add provider"
      pending={f.pending}
      general={f.general}
    >
      <Field label="Kind" error={fieldError(f.error?.fieldErrors, "kind")}>
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
      <Field
        label="Name"
        hint="The PROVIDER part of model ids: lower-case letters, digits and dashes (e.g. work, local)."
        error={fieldError(f.error?.fieldErrors, "name")}
      >
        <Input name="name" required autoComplete="off" spellCheck={false} />
      </Field>
      <Field
        label="Base URL"
        hint={
          local
            ? "Required, e.g. http://127.0.0.1:11434/v1 for Ollama. A private address must be allowed in Network egress."
            : `Optional. Default: ${defaultBaseUrls[kind] ?? ""}`
        }
        error={fieldError(f.error?.fieldErrors, "baseUrl")}
      >
        <Input name="baseUrl" type="url" autoComplete="off" spellCheck={false} />
      </Field>
      <KeySource
        credentials={credentials}
        value={credential}
        onChange={setCredential}
        error={fieldError(f.error?.fieldErrors, "credential")}
      />
      {credential ? null : (
        <Field
          label="API key"
          hint={
            local
              ? "Optional for a local server. Encrypted in the vault, never shown again."
              : "Encrypted in the vault, never shown again."
          }
          error={fieldError(f.error?.fieldErrors, "apiKey")}
        >
          <Input name="apiKey" type="password" autoComplete="new-password" spellCheck={false} />
        </Field>
      )}
    </FormDialog>
  );
}

function ReplaceKeyDialog({
  provider,
  credentials,
  onClose,
  onDone,
}: {
  provider: ProviderRow | null;
  credentials: CredentialChoice[];
  onClose: () => void;
  onDone: () => void;
}) {
  const toast = useToast();
  const f = useFormAction();
  const [credential, setCredential] = useState("");
  // the provider's own key is replaced below; another credential may be chosen instead
  const choices = credentials.filter((c) => !provider || c.name !== provider.credential);
  function close() {
    f.setError(null);
    setCredential("");
    onClose();
  }
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!provider) return;
    const data = new FormData(event.currentTarget);
    f.setPending(true);
    const result = await updateProviderAction(
      credential ? { name: provider.name, credential } : { name: provider.name, apiKey: data.get("apiKey") ?? "" },
    );
    f.setPending(false);
    if (!result.ok) {
      f.setError(result.error);
      return;
    }
    toast.show(
      credential
        ? `“${provider.name}” now uses the credential ${credential}.`
        : `Replaced the key of “${provider.name}”.`,
      "success",
    );
    close();
    onDone();
  }
  return (
    <FormDialog
      open={provider !== null}
      onClose={close}
      title={provider ? `Replace the key of ${provider.name}` : "Replace key"}
      description="The old key is no longer used once you save."
      onSubmit={onSubmit}
      submitLabel="Save key"
      pending={f.pending}
      general={f.general}
    >
      <KeySource
        credentials={choices}
        value={credential}
        onChange={setCredential}
        error={fieldError(f.error?.fieldErrors, "credential")}
      />
      {credential ? null : (
        <Field label="New API key" error={fieldError(f.error?.fieldErrors, "apiKey")}>
          <Input name="apiKey" type="password" required autoComplete="new-password" spellCheck={false} />
        </Field>
      )}
    </FormDialog>
  );
}

function PriceDialog({
  target,
  onClose,
  onDone,
}: {
  target: { provider: string; model?: PriceView } | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const toast = useToast();
  const f = useFormAction();
  function close() {
    f.setError(null);
    onClose();
  }
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!target) return;
    const data = new FormData(event.currentTarget);
    const model = target.model?.id ?? `${target.provider}:${String(data.get("model") ?? "").trim()}`;
    f.setPending(true);
    const result = await setPriceAction({
      model,
      inputPerMTok: String(data.get("inputPerMTok") ?? ""),
      outputPerMTok: String(data.get("outputPerMTok") ?? ""),
    });
    f.setPending(false);
    if (!result.ok) {
      f.setError(result.error);
      return;
    }
    toast.show(`Priced ${result.data.model}.`, "success");
    close();
    onDone();
  }
  const current = target?.model?.price;
  return (
    <FormDialog
      open={target !== null}
      onClose={close}
      title={target?.model ? `Price of ${target.model.id}` : `Price a model of ${target?.provider ?? ""}`}
      description="USD per million tokens. Your price wins over the default."
      formKey={target?.model?.id ?? target?.provider ?? ""}
      onSubmit={onSubmit}
      submitLabel="Save price"
      pending={f.pending}
      general={f.general}
    >
      {target?.model ? null : (
        <Field
          label="Model"
          hint="The provider's model id, e.g. llama3.1:8b"
          error={fieldError(f.error?.fieldErrors, "model")}
        >
          <Input name="model" required autoComplete="off" spellCheck={false} />
        </Field>
      )}
      <Field label="Input price (USD per 1M tokens)" error={fieldError(f.error?.fieldErrors, "inputPerMTok")}>
        <Input
          name="inputPerMTok"
          type="number"
          min={0}
          step="any"
          required
          defaultValue={current ? String(current.inputPerMTok) : ""}
        />
      </Field>
      <Field label="Output price (USD per 1M tokens)" error={fieldError(f.error?.fieldErrors, "outputPerMTok")}>
        <Input
          name="outputPerMTok"
          type="number"
          min={0}
          step="any"
          required
          defaultValue={current ? String(current.outputPerMTok) : ""}
        />
      </Field>
    </FormDialog>
  );
}
