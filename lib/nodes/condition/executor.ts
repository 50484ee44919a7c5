import type { Executor } from "@/lib/contracts/node";
import type { ConditionConfig } from "./definition";

/** JSONata truthiness ($boolean): empty strings, 0, empty lists and objects, null and nothing are false. */
export function jsonataTruthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false) return false;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") return v.length > 0;
  if (Array.isArray(v)) return v.some(jsonataTruthy);
  if (typeof v === "object") return Object.keys(v).length > 0;
  return Boolean(v);
}

export const conditionExecutor: Executor<ConditionConfig> = {
  async run(ctx) {
    for (let i = 0; i < ctx.config.cases.length; i++) {
      const c = ctx.config.cases[i]!;
      if (jsonataTruthy(await ctx.evaluate(c.when))) {
        return { kind: "done", outcome: c.handle, output: { handle: c.handle, case: i } };
      }
    }
    return { kind: "done", outcome: ctx.config.default, output: { handle: ctx.config.default, case: null } };
  },
};
