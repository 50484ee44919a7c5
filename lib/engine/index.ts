/** The engine's public surface. Its contracts (errors, ports, records) are in lib/contracts. */
export { createIdGenerator, systemClock } from "./clock";
export { type CompiledWorkflow, compileWorkflow } from "./compiled";
export { createEngine } from "./engine";
export { checkUrl, createHttpFetcher, isForbiddenAddress } from "./http";
export { createModelGateway } from "./models/gateway";
export { createSimulatedModel } from "./models/simulated";
export { createRunEventHub, type RunEventHub } from "./notifier";
export { createPriceTable, DEFAULT_PRICES } from "./prices";
export {
  DEFAULT_TEST_STEP_TIMEOUT_MS,
  type TestStepInput,
  TestStepRefusedError,
  type TestStepResult,
} from "./test-step";
export type * from "./types";
