import type { Executor } from "@/lib/contracts/node";
import type { EndConfig } from "./definition";

export const endExecutor: Executor<EndConfig> = {
  async run(ctx) {
    const value = ctx.config.output === undefined ? null : await ctx.render(ctx.config.output);
    return { kind: "done", output: value, runOutput: { value } };
  },
};
