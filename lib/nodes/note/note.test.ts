import { describe, expect, it } from "vitest";
import { edge, node, trigger, workflow } from "@/lib/engine/testing/builders";
import { createTestEngine } from "@/lib/testing/test-engine";

describe("note", () => {
  it("is ignored by the engine", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute(
      {
        document: workflow(
          [trigger(), node("n", "note", { text: "remember" }), node("e", "end", { output: 1 })],
          [edge("start", "e")],
        ),
      },
      {},
    );
    expect(r.status).toBe("succeeded");
    expect(r.steps.map((s) => s.nodeId)).toEqual(["start", "e"]);
  });
});
