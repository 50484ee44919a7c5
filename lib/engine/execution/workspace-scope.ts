/**
 * A step's model gateway and price table see the run's workspace: model ids name the workspace's
 * configured providers (`PROVIDER:MODEL`) and prices include its admins' overrides, so every
 * request and price lookup a node makes carries the run's workspace without the node passing it.
 */
import type { ModelGateway, PriceTable } from "@/lib/contracts/ports";

export function workspaceModels(models: ModelGateway, workspaceId: string): ModelGateway {
  return { generate: (req) => models.generate(req.workspaceId ? req : { ...req, workspaceId }) };
}

export function workspacePrices(prices: PriceTable, workspaceId: string): PriceTable {
  return { price: (model, ws) => prices.price(model, ws ?? workspaceId) };
}
