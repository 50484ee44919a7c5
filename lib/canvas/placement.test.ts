import { describe, expect, it } from "vitest";
import { freeSpot, STEP_H, STEP_W } from "./placement";
import type { CanvasNode } from "./types";

const node = (id: string, x: number, y: number, w = STEP_W, h = STEP_H): CanvasNode => ({
  id,
  type: "agent",
  position: { x, y },
  measured: { width: w, height: h },
  data: { name: id, config: {} },
});

const overlapping = (p: { x: number; y: number }, nodes: CanvasNode[]) =>
  nodes.some(
    (n) =>
      p.x < n.position.x + (n.measured?.width ?? STEP_W) &&
      n.position.x < p.x + STEP_W &&
      p.y < n.position.y + (n.measured?.height ?? STEP_H) &&
      n.position.y < p.y + STEP_H,
  );

describe("a new step lands in free space", () => {
  it("takes the preferred spot when it is free", () => {
    expect(freeSpot([node("a", 1000, 1000)], { x: 0, y: 0 })).toEqual({ x: 0, y: 0 });
    expect(freeSpot([], { x: 10.4, y: 20.6 })).toEqual({ x: 10, y: 21 });
  });

  it("moves next to a step that sits in the middle of the view, not on top of it", () => {
    const nodes = [node("a", 0, 0)];
    const p = freeSpot(nodes, { x: 0, y: 0 });
    expect(overlapping(p, nodes)).toBe(false);
    // near: within two step heights / one and a half widths
    expect(Math.hypot(p.x, p.y)).toBeLessThan(STEP_W * 1.5);
  });

  it("finds a gap in a crowded area and never overlaps", () => {
    const nodes: CanvasNode[] = [];
    for (let i = -2; i <= 2; i++) for (let j = -2; j <= 2; j++) nodes.push(node(`n${i}_${j}`, i * 300, j * 150));
    const p = freeSpot(nodes, { x: 0, y: 0 });
    expect(overlapping(p, nodes)).toBe(false);
    // a second step added the same way does not land on the first
    const q = freeSpot([...nodes, node("new", p.x, p.y)], { x: 0, y: 0 });
    expect(overlapping(q, [...nodes, node("new", p.x, p.y)])).toBe(false);
  });

  it("respects the size of big steps (notes)", () => {
    const nodes = [node("big", -100, -100, 600, 400)];
    const p = freeSpot(nodes, { x: 0, y: 0 });
    expect(overlapping(p, nodes)).toBe(false);
  });
});
