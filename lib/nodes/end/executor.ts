import type { Executor } from "@/lib/contracts/node";
import type { EndConfig } from "./definition";

export const endExecutor: Executor<EndConfig> = {
  async run(ctx) {
    // Without `output`: what the step before produced (an approval passes on its approved data).
    const value =
      ctx.config.output === undefined ? (ctx.previous()?.output ?? null) : await ctx.render(ctx.config.output);
    return { kind: "done", output: value, runOutput: { value } };
  },
};
