/**
 * Routes a model id to a provider: `simulated` → the simulated model, `provider:model` → the
 * provider registered under `provider`. Real AI SDK providers plug in here later.
 */
import { NonRetryableError } from "@/lib/contracts/errors";
import type { Clock, ModelGateway } from "@/lib/contracts/ports";
import { createSimulatedModel } from "./simulated";

export function createModelGateway(options: { clock: Clock; providers?: Record<string, ModelGateway> }): ModelGateway {
  const simulated = createSimulatedModel(options.clock);
  const providers = options.providers ?? {};
  return {
    generate(req) {
      if (req.model === "simulated") return simulated.generate(req);
      const provider = req.model.split(":")[0] ?? "";
      const gateway = providers[provider];
      if (!gateway)
        return Promise.reject(
          new NonRetryableError(
            `No model provider "${provider}" is configured on this installation. Use model "simulated", or ask an administrator to add the provider.`,
          ),
        );
      return gateway.generate(req);
    },
  };
}
