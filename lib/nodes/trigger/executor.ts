import type { Executor } from "@/lib/contracts/node";
import type { TriggerConfig } from "./definition";

/** The trigger's output is the run input. */
export const triggerExecutor: Executor<TriggerConfig> = {
  async run(ctx) {
    return { kind: "done", output: ctx.data.input };
  },
};
