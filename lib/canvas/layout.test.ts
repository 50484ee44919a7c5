import { describe, expect, it } from "vitest";
import { docToCanvas } from "./convert";
import { autoLayout } from "./layout";

describe("autoLayout", () => {
  it("places a chain left to right and leaves notes alone", async () => {
    const { nodes, edges } = docToCanvas({
      format: "switchboard.workflow/v1",
      name: "x",
      nodes: [
        { id: "a", type: "trigger", position: { x: 500, y: 500 }, config: {} },
        { id: "b", type: "agent", position: { x: 0, y: 0 }, config: {} },
        { id: "c", type: "end", position: { x: 0, y: 900 }, config: {} },
        { id: "n", type: "note", position: { x: 7, y: 7 }, config: { text: "hi" } },
      ],
      edges: [
        { source: "a", target: "b" },
        { source: "b", target: "c" },
      ],
    });
    const pos = await autoLayout(nodes, edges);
    expect(Object.keys(pos).sort()).toEqual(["a", "b", "c"]);
    expect(pos.a.x).toBeLessThan(pos.b.x);
    expect(pos.b.x).toBeLessThan(pos.c.x);
  });
});
