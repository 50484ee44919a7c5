"use client";
// The agent panel's model picker and the checklist's model warnings. The editor page loads the
// workspace's model choices on the server (lib/use-cases/models listModelChoices: the simulated
// model, then each configured provider with its listed and priced models) and provides them here.
import { createContext, useContext, useState } from "react";
import type { CanvasNode } from "@/lib/canvas/types";
import { getNodeDefinition } from "@/lib/nodes/registry";

/** One provider and its models, as the page hands them over (the shape of listModelChoices). */
export interface ModelChoiceView {
  provider: string;
  kind: string;
  models: { id: string; model: string; price: { inputPerMTok: number; outputPerMTok: number } | null }[];
}

/** null: the page did not load choices (a viewer), the picker falls back to a text field. */
export const ModelChoicesContext = createContext<ModelChoiceView[] | null>(null);

export const SIMULATED_LABEL = "Simulated (offline, for tests and demos)";

const providerOf = (id: string) => (id === "simulated" ? "simulated" : (id.split(":")[0] ?? ""));
const money = (v: number) => `$${v < 1 ? v.toFixed(3).replace(/0+$/, "").replace(/\.$/, "") : v.toFixed(2)}`;

export function ModelPicker({ id, value, onValue }: { id: string; value: unknown; onValue(v: unknown): void }) {
  const choices = useContext(ModelChoicesContext);
  const current = typeof value === "string" && value ? value : "simulated";
  const [other, setOther] = useState(false);
  if (!choices) {
    return (
      <input
        id={id}
        className="w-full rounded border border-slate-300 px-2 py-1 text-sm"
        value={current}
        onChange={(e) => onValue(e.target.value || undefined)}
      />
    );
  }
  const provider = providerOf(current);
  const choice = choices.find((c) => c.provider === provider);
  const listed = choice?.models.find((m) => m.id === current);
  const typing = other || (choice !== undefined && !listed && current !== "simulated");
  const modelId = `${id}-model`;
  return (
    <div className="space-y-1.5">
      <select
        id={id}
        aria-label="Provider"
        className="w-full rounded border border-slate-300 px-2 py-1 text-sm"
        value={choice ? provider : "__unknown"}
        onChange={(e) => {
          setOther(false);
          const next = choices.find((c) => c.provider === e.target.value);
          onValue(next?.provider === "simulated" ? "simulated" : (next?.models[0]?.id ?? `${e.target.value}:`));
        }}
      >
        {!choice && <option value="__unknown">{provider} (not configured in this workspace)</option>}
        {choices.map((c) => (
          <option key={c.provider} value={c.provider}>
            {c.provider === "simulated" ? SIMULATED_LABEL : `${c.provider} (${c.kind})`}
          </option>
        ))}
      </select>
      {choice && choice.provider !== "simulated" && (
        <>
          <label htmlFor={modelId} className="block text-[11px] font-medium text-slate-700">
            Provider's model
          </label>
          <select
            id={modelId}
            className="w-full rounded border border-slate-300 px-2 py-1 text-sm"
            value={typing ? "__other" : current}
            onChange={(e) => {
              if (e.target.value === "__other") {
                setOther(true);
                return;
              }
              setOther(false);
              onValue(e.target.value);
            }}
          >
            {choice.models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.model}
                {m.price ? "" : " (no price)"}
              </option>
            ))}
            <option value="__other">Another model id…</option>
          </select>
          {typing && (
            <input
              aria-label="Model id"
              className="w-full rounded border border-slate-300 px-2 py-1 font-mono text-xs"
              value={current.slice(provider.length + 1)}
              placeholder="model id as the provider names it"
              onChange={(e) => onValue(`${provider}:${e.target.value}`)}
            />
          )}
        </>
      )}
      <ModelPriceNote model={current} choices={choices} />
    </div>
  );
}

function ModelPriceNote({ model, choices }: { model: string; choices: ModelChoiceView[] }) {
  const price = priceOf(model, choices);
  if (model === "simulated")
    return (
      <p className="text-[11px] text-slate-500">Answers offline and instantly; its outputs are labelled simulated.</p>
    );
  if (price === undefined) return null;
  if (price === null)
    return (
      <p role="note" className="text-[11px] text-amber-800">
        No price for this model: its calls count as $0 in costs and budgets. An admin can set one in Settings.
      </p>
    );
  return (
    <p className="text-[11px] text-slate-500">
      {money(price.inputPerMTok)} in / {money(price.outputPerMTok)} out per million tokens
    </p>
  );
}

/** The model's price: null when it has none, undefined when the model is not among the choices. */
export function priceOf(model: string, choices: ModelChoiceView[]) {
  const c = choices.find((x) => x.provider === providerOf(model));
  if (!c) return undefined;
  const m = c.models.find((x) => x.id === model);
  return m ? m.price : c.provider === "simulated" ? undefined : null;
}

export interface ModelWarning {
  nodeId: string;
  message: string;
}

/**
 * What the checklist warns about agents (warnings do not block publishing): a model without a
 * price, a provider this workspace does not have.
 */
export function modelWarnings(nodes: readonly CanvasNode[], choices: ModelChoiceView[] | null): ModelWarning[] {
  const out: ModelWarning[] = [];
  for (const n of nodes) {
    const hooks = getNodeDefinition(n.type ?? "")?.editor?.choiceFields;
    if (!hooks) continue;
    const config = (n.data.config ?? {}) as Record<string, unknown>;
    for (const [field, source] of Object.entries(hooks)) {
      if (source !== "models") continue;
      const model = typeof config[field] === "string" ? (config[field] as string) : "simulated";
      if (model === "simulated") continue;
      if (!choices) continue;
      const price = priceOf(model, choices);
      if (price === undefined && !choices.some((c) => c.provider === providerOf(model)))
        out.push({
          nodeId: n.id,
          message: `uses provider “${providerOf(model)}”, which is not configured in this workspace: the step will fail.`,
        });
      else if (price === null)
        out.push({
          nodeId: n.id,
          message: `model “${model}” has no price: its calls count as $0 in costs and budgets. An admin can set its price in Settings.`,
        });
    }
  }
  return out;
}
