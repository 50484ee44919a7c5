/**
 * Default price table (USD per million tokens). Estimates for budgets and dashboards; an
 * installation can pass its own PriceTable. The simulated model has a nominal price so budgets
 * can be exercised offline.
 */
import type { ModelPrice, PriceTable } from "@/lib/contracts/ports";

export const DEFAULT_PRICES: Record<string, ModelPrice> = {
  simulated: { inputPerMTok: 1, outputPerMTok: 2 },
  "openai:gpt-4o": { inputPerMTok: 2.5, outputPerMTok: 10 },
  "openai:gpt-4o-mini": { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  "anthropic:claude-sonnet-4-5": { inputPerMTok: 3, outputPerMTok: 15 },
  "anthropic:claude-haiku-4-5": { inputPerMTok: 1, outputPerMTok: 5 },
};

export function createPriceTable(prices: Record<string, ModelPrice> = DEFAULT_PRICES): PriceTable {
  return { price: (model) => prices[model] ?? null };
}
