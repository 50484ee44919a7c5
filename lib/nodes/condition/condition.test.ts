import { describe, expect, it } from "vitest";
import { runSingle } from "@/lib/testing/run-single";
import { jsonataTruthy } from "./executor";

const config = {
  cases: [
    { handle: "vip", when: "input.tier = 'gold'" },
    { handle: "big", when: "input.amount > 100" },
  ],
  default: "normal",
};
const ends = {
  extraNodes: ["vip", "big", "normal"].map((h) => ({ id: h, type: "end", config: { output: h } })),
  extraEdges: ["vip", "big", "normal"].map((h) => ({ source: "subject", target: h, sourceHandle: h })),
};

describe("condition", () => {
  it("takes the first true case", async () => {
    const { result, step } = await runSingle("condition", config, { tier: "gold", amount: 500 }, ends);
    expect(result.output).toBe("vip");
    expect(step!.output).toEqual({ handle: "vip", case: 0 });
    expect(
      result.steps
        .filter((s) => s.status === "skipped")
        .map((s) => s.nodeId)
        .sort(),
    ).toEqual(["big", "normal"]);
  });

  it("falls through to the next case and to the default", async () => {
    expect((await runSingle("condition", config, { amount: 500 }, ends)).result.output).toBe("big");
    expect((await runSingle("condition", config, { amount: 5 }, ends)).result.output).toBe("normal");
  });

  it("uses JSONata truthiness", () => {
    expect([0, "", [], {}, null, undefined, false].map(jsonataTruthy)).toEqual(Array(7).fill(false));
    expect([1, "x", [0, 1], { a: 1 }, true].map(jsonataTruthy)).toEqual(Array(5).fill(true));
  });

  it("an expression that fails at run time fails the step clearly", async () => {
    const { result } = await runSingle("condition", { cases: [{ handle: "x", when: "$number('abc') > 1" }] }, {});
    expect(result.status).toBe("failed");
    expect(result.error).toMatchObject({ code: "expression" });
  });
});
