import type { Executor } from "@/lib/contracts/node";
import type { TransformConfig } from "./definition";

export const transformExecutor: Executor<TransformConfig> = {
  async run(ctx) {
    const value = await ctx.evaluate(ctx.config.expression);
    return { kind: "done", output: value === undefined ? null : value };
  },
};
