// What the agent panel's model picker offers: the simulated model, then each configured provider
// with its models (its last listing, the models an admin priced, and the kind's well-known
// defaults) and their prices. Reads only the database: no provider is called.
import type { ModelPrice } from "@/lib/contracts/ports";
import { DEFAULT_PRICES } from "@/lib/engine/prices";
import { DEFAULT_MODEL_PRICES, type ProviderKind } from "@/lib/providers";
import type { Platform } from "./platform";
import { pricedModels } from "./prices";

export interface ModelChoice {
  provider: string;
  kind: "simulated" | ProviderKind;
  models: {
    /** what an agent node's `model` says: `simulated` or `PROVIDER:MODEL` */
    id: string;
    model: string;
    price: ModelPrice | null;
    priceSource: "override" | "default" | null;
  }[];
  /** when the provider's model list was last fetched (Test connection, Refresh models, `providers test`) */
  listedAt: string | null;
}

export async function listModelChoices(platform: Platform, workspaceId: string): Promise<ModelChoice[]> {
  const snapshot = await platform.snapshot(workspaceId);
  const simulated = DEFAULT_PRICES.simulated ?? null;
  const out: ModelChoice[] = [
    {
      provider: "simulated",
      kind: "simulated",
      models: [{ id: "simulated", model: "simulated", price: simulated, priceSource: simulated ? "default" : null }],
      listedAt: null,
    },
  ];
  for (const p of snapshot.providers) {
    const models = pricedModels(p, snapshot.overrides, DEFAULT_MODEL_PRICES[p.kind as ProviderKind]).map((m) => ({
      id: m.id,
      model: m.model,
      price: m.price,
      priceSource: m.source,
    }));
    out.push({
      provider: p.name,
      kind: p.kind as ProviderKind,
      models,
      listedAt: p.modelsListedAt?.toISOString() ?? null,
    });
  }
  return out;
}
