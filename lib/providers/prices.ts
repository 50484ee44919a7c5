/**
 * Model prices for real providers (USD per million tokens, standard tier, text). A model id is
 * `<admin's provider name>:<model>`, so defaults are looked up by the provider's KIND and the
 * model; an admin's override for the full id wins. Dated snapshots (`gpt-4o-2024-08-06`,
 * `claude-sonnet-4-5-20250929`) take their family's price (longest prefix ending at a `-`).
 * OpenAI-compatible servers (local models, proxies) have no default: cost 0 unless overridden.
 */
import type { ModelPrice, PriceTable } from "@/lib/contracts/ports";
import { createPriceTable } from "@/lib/engine/prices";
import { type ProviderKind, parseModelId } from "./config";

/**
 * Providers' published list prices (standard tier, text), re-checked on 2026-12-07 against the
 * providers' model pages where we could (docs/models.md says, per model, which source confirmed
 * it and which could not be confirmed). Gemini 2.5 Pro: prompts up to 200k tokens. A newer
 * model listed explicitly wins over its family's prefix (claude-opus-4-5 is not claude-opus-4's
 * price). Prices change: installations should review them and override what differs.
 */
export const DEFAULT_MODEL_PRICES: Partial<Record<ProviderKind, Record<string, ModelPrice>>> = {
  openai: {
    "gpt-5": { inputPerMTok: 1.25, outputPerMTok: 10 },
    "gpt-5-mini": { inputPerMTok: 0.25, outputPerMTok: 2 },
    "gpt-5-nano": { inputPerMTok: 0.05, outputPerMTok: 0.4 },
    "gpt-4.1": { inputPerMTok: 2, outputPerMTok: 8 },
    "gpt-4.1-mini": { inputPerMTok: 0.4, outputPerMTok: 1.6 },
    "gpt-4.1-nano": { inputPerMTok: 0.1, outputPerMTok: 0.4 },
    "gpt-4o": { inputPerMTok: 2.5, outputPerMTok: 10 },
    "gpt-4o-mini": { inputPerMTok: 0.15, outputPerMTok: 0.6 },
    o3: { inputPerMTok: 2, outputPerMTok: 8 },
    "o4-mini": { inputPerMTok: 1.1, outputPerMTok: 4.4 },
  },
  anthropic: {
    "claude-opus-5-5": { inputPerMTok: 4, outputPerMTok: 20 },
    "claude-opus-5": { inputPerMTok: 5, outputPerMTok: 25 },
    "claude-sonnet-5-5": { inputPerMTok: 2, outputPerMTok: 10 },
    "claude-sonnet-5": { inputPerMTok: 2, outputPerMTok: 10 },
    "claude-opus-4-8": { inputPerMTok: 5, outputPerMTok: 25 },
    "claude-opus-4-7": { inputPerMTok: 5, outputPerMTok: 25 },
    "claude-opus-4-6": { inputPerMTok: 5, outputPerMTok: 25 },
    "claude-opus-4-5": { inputPerMTok: 5, outputPerMTok: 25 },
    "claude-sonnet-4-6": { inputPerMTok: 3, outputPerMTok: 15 },
    "claude-opus-4-1": { inputPerMTok: 15, outputPerMTok: 75 },
    "claude-opus-4": { inputPerMTok: 15, outputPerMTok: 75 },
    "claude-sonnet-4-5": { inputPerMTok: 3, outputPerMTok: 15 },
    "claude-sonnet-4": { inputPerMTok: 3, outputPerMTok: 15 },
    "claude-haiku-4-5": { inputPerMTok: 1, outputPerMTok: 5 },
    "claude-3-7-sonnet": { inputPerMTok: 3, outputPerMTok: 15 },
    "claude-3-5-haiku": { inputPerMTok: 0.8, outputPerMTok: 4 },
  },
  google: {
    "gemini-2.5-pro": { inputPerMTok: 1.25, outputPerMTok: 10 },
    "gemini-2.5-flash": { inputPerMTok: 0.3, outputPerMTok: 2.5 },
    "gemini-2.5-flash-lite": { inputPerMTok: 0.1, outputPerMTok: 0.4 },
    "gemini-2.0-flash": { inputPerMTok: 0.1, outputPerMTok: 0.4 },
  },
};

/** The default price of a provider kind's model (exact, else the longest family prefix), or null. */
export function defaultPrice(kind: ProviderKind, model: string): ModelPrice | null {
  const table = DEFAULT_MODEL_PRICES[kind];
  if (!table) return null;
  const bare = model.replace(/^models\//, "");
  if (table[bare]) return table[bare];
  let best: string | null = null;
  for (const family of Object.keys(table))
    if (bare.startsWith(`${family}-`) && (best === null || family.length > best.length)) best = family;
  return best ? table[best]! : null;
}

export interface ProviderPriceOptions {
  /** Provider name → kind (from the configured providers). */
  providers: { name: string; kind: ProviderKind }[];
  /** Admin prices by full model id (`<provider>:<model>`); they win over everything. */
  overrides?: Record<string, ModelPrice>;
  /** Asked last (default: the engine's table, which prices the simulated model). */
  fallback?: PriceTable;
}

/** The PriceTable for the engine: overrides → defaults by provider kind → fallback. */
export function createProviderPriceTable(options: ProviderPriceOptions): PriceTable {
  const kinds = new Map(options.providers.map((p) => [p.name, p.kind]));
  const overrides = options.overrides ?? {};
  const fallback = options.fallback ?? createPriceTable();
  // the table is fixed once built (a new one per configuration revision): each id is looked up once
  const known = new Map<string, ModelPrice | null>();
  return {
    price(model) {
      const hit = known.get(model);
      if (hit !== undefined) return hit;
      const own = overrides[model];
      const id = own ? null : parseModelId(model);
      const kind = id ? kinds.get(id.provider) : undefined;
      const found = own ?? (id && kind ? defaultPrice(kind, id.model) : null) ?? fallback.price(model);
      if (known.size < 1000) known.set(model, found);
      return found;
    },
  };
}
