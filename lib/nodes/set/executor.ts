import type { Executor } from "@/lib/contracts/node";
import type { SetConfig } from "./definition";

export const setExecutor: Executor<SetConfig> = {
  async run(ctx) {
    const values = (await ctx.render(ctx.config.vars)) as Record<string, unknown>;
    return { kind: "done", output: values, vars: values };
  },
};
