/** The engine's public surface. */
export { createIdGenerator, systemClock } from "./clock";
export { type CompiledWorkflow, compileWorkflow } from "./compiled";
export { createEngine } from "./engine";
export * from "./errors";
export { checkUrl, createHttpFetcher, isForbiddenAddress } from "./http";
export { createModelGateway } from "./models/gateway";
export { createSimulatedModel } from "./models/simulated";
export { createRunEventHub, type RunEventHub } from "./notifier";
export type * from "./ports";
export { isTerminalRunStatus, TERMINAL_RUN_STATUSES, ZERO_USAGE } from "./ports";
export { costOf, createPriceTable, DEFAULT_PRICES } from "./prices";
export type * from "./types";
