import { describe, expect, it } from "vitest";
import { runSingle } from "@/lib/testing/run-single";

describe("end", () => {
  it("sets the run output from a template object", async () => {
    const { result } = await runSingle(
      "end",
      { output: { id: "{{ input.id }}", ok: true, list: ["{{ input.id & '!' }}"] } },
      { id: "x1" },
    );
    expect(result.output).toEqual({ id: "x1", ok: true, list: ["x1!"] });
  });

  it("without output the run output is the previous step's (here the trigger's: the run input)", async () => {
    expect((await runSingle("end", {}, { a: 1 })).result.output).toEqual({ a: 1 });
  });
});
