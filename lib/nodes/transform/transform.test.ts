import { describe, expect, it } from "vitest";
import { runSingle } from "@/lib/testing/run-single";

describe("transform", () => {
  it("reshapes data with JSONata", async () => {
    const { step } = await runSingle(
      "transform",
      { expression: "{ 'total': $sum(input.items.price), 'names': input.items.name }" },
      {
        items: [
          { name: "a", price: 2 },
          { name: "b", price: 3 },
        ],
      },
    );
    expect(step!.output).toEqual({ total: 5, names: ["a", "b"] });
  });

  it("nothing matched gives null", async () => {
    expect((await runSingle("transform", { expression: "input.nothing" }, {})).step!.output).toBeNull();
  });

  it("an endless expression is stopped", async () => {
    const { result } = await runSingle(
      "transform",
      { expression: "($f := function($n){ $f($n + 1) }; $f(0))" },
      {},
      {
        settings: { expressionTimeoutMs: 100 },
      },
    );
    expect(result.status).toBe("failed");
    expect(result.error).toMatchObject({ code: "expression" });
  });
});
