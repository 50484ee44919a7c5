import { NotAvailableError } from "@/lib/engine/errors";
import type { Executor } from "../types";
import type { A2aConfig } from "./definition";

/** Clean slot: A2A calls come in a later issue. */
export const a2aExecutor: Executor<A2aConfig> = {
  async run(ctx) {
    throw new NotAvailableError(
      `The A2A agent node "${ctx.nodeName}" is not available yet in this version of Switchboard.`,
    );
  },
};
