import { describe, expect, it } from "vitest";
import { runSingle } from "@/lib/testing/run-single";
import { setConfigSchema } from "./definition";

describe("set", () => {
  it("writes vars that later nodes read", async () => {
    const { result, step } = await runSingle(
      "set",
      { vars: { total: "{{ input.a + input.b }}", label: "sum={{ input.a + input.b }}" } },
      { a: 1, b: 2 },
      {
        extraNodes: [{ id: "e", type: "end", config: { output: "{{ vars }}" } }],
        extraEdges: [{ source: "subject", target: "e" }],
      },
    );
    expect(step!.output).toEqual({ total: 3, label: "sum=3" });
    expect(result.output).toEqual({ total: 3, label: "sum=3" });
  });

  it("names must be simple", () => {
    expect(setConfigSchema.safeParse({ vars: { "a.b": "1" } }).success).toBe(false);
    expect(setConfigSchema.safeParse({ vars: {} }).success).toBe(false);
  });
});
