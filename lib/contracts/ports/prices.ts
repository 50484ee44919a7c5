/** Model prices. The default table and `createPriceTable()` are in lib/engine/prices.ts. */

export interface ModelPrice {
  /** USD per million input tokens. */
  inputPerMTok: number;
  outputPerMTok: number;
}

export interface PriceTable {
  /**
   * The price of a model id; with `workspaceId`, that workspace's own prices (an admin's
   * overrides, its providers' defaults) count. The engine passes the run's workspace.
   */
  price(model: string, workspaceId?: string): ModelPrice | null;
  /**
   * Optional: resolves once `price(…, workspaceId)` answers with that workspace's current prices
   * (a table that loads a workspace's prices lazily). The engine awaits it before a budget
   * reservation, so a reservation never prices with defaults while the overrides are loading.
   */
  ready?(workspaceId: string): Promise<void>;
}

/** USD for a number of tokens at a price (0 when the model has no price). */
export function costOf(price: ModelPrice | null, inputTokens: number, outputTokens: number): number {
  if (!price) return 0;
  return (inputTokens * price.inputPerMTok + outputTokens * price.outputPerMTok) / 1_000_000;
}
