/** Real model providers behind the engine's ModelGateway (the AI SDK), their prices and admin checks. */
export { type AdminCallOptions, type ConnectionResult, type ListedModel, listModels, testConnection } from "./admin";
export {
  DEFAULT_BASE_URLS,
  PROVIDER_KINDS,
  type ProviderConfig,
  type ProviderKind,
  parseModelId,
  providerConfigSchema,
} from "./config";
export { createEgressFetch, type EgressPolicy, type FetchFunction } from "./egress-fetch";
export {
  InvalidModelOutputError,
  isInvalidModelOutputError,
  ToolLoopLimitError,
  toEngineError,
  UnknownProviderError,
} from "./errors";
export { createProviderGateway, type ProviderGateway, type ProviderGatewayOptions } from "./gateway";
export { createProviderPriceTable, DEFAULT_MODEL_PRICES, defaultPrice, type ProviderPriceOptions } from "./prices";
export { wireToolName } from "./tools";
