import { describe, expect, it } from "vitest";
import { initialFit, READABLE_ZOOM } from "./initial-view";
import type { CanvasNode } from "./types";

const isEntry = (t: string | undefined) => t === "trigger";
const chain = (n: number) => {
  const nodes: CanvasNode[] = Array.from({ length: n }, (_, i) => ({
    id: i === 0 ? "start" : `s${i}`,
    type: i === 0 ? "trigger" : "agent",
    position: { x: i * 300, y: 0 },
    data: { name: `S${i}`, config: {} },
  }));
  const edges = nodes.slice(1).map((node, i) => ({ source: nodes[i].id, target: node.id }));
  return { nodes, edges };
};

describe("the first view of a workflow", () => {
  it("fits a small workflow whole, never below a readable zoom", () => {
    const { nodes, edges } = chain(4);
    expect(initialFit(nodes, edges, isEntry, { width: 1000, height: 700 })).toEqual({
      padding: 0.2,
      maxZoom: 1,
      minZoom: READABLE_ZOOM,
    });
  });

  it("a workflow too wide for the view opens on the trigger and the steps after it that fit", () => {
    const { nodes, edges } = chain(12);
    // 12 steps × 300 px at 0.6 is far wider than a tablet's canvas
    const fit = initialFit(nodes, edges, isEntry, { width: 520, height: 900 });
    expect(fit.minZoom).toBe(READABLE_ZOOM);
    const ids = fit.nodes!.map((n) => n.id);
    expect(ids[0]).toBe("start");
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect(ids.length).toBeLessThan(12);
    // what it shows fits at the readable zoom (or is the minimum of three steps)
    const last = nodes.find((n) => n.id === ids[ids.length - 1])!;
    expect(ids.length === 3 || (last.position.x + 240) * READABLE_ZOOM * 1.2 <= 520).toBe(true);
  });

  it("a large workflow opens on the trigger and about 25 steps", () => {
    const { nodes, edges } = chain(200);
    const fit = initialFit(nodes, edges, isEntry, { width: 1000, height: 700 });
    expect(fit.nodes).toHaveLength(25);
    expect(fit.nodes![0].id).toBe("start");
  });
});
