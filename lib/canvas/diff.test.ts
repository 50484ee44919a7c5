import { describe, expect, it } from "vitest";
import { diffWorkflows } from "./diff";

const base = {
  format: "switchboard.workflow/v1",
  name: "A",
  nodes: [
    { id: "start", type: "trigger", position: { x: 0, y: 0 }, config: { kind: "manual" } },
    { id: "a", type: "agent", name: "Writer", position: { x: 1, y: 1 }, config: { prompt: "hi", model: "simulated" } },
  ],
  edges: [{ source: "start", target: "a" }],
};

describe("diffWorkflows", () => {
  it("reports nothing for identical documents", () => {
    expect(diffWorkflows(base, structuredClone(base)).empty).toBe(true);
  });

  it("lists added and removed nodes and edges, config changes by path, and moves apart", () => {
    const next = structuredClone(base);
    next.name = "B";
    next.nodes[1].config.prompt = "hello";
    next.nodes[1].position = { x: 50, y: 50 };
    next.nodes.push({ id: "done", type: "end", position: { x: 2, y: 2 }, config: {} } as never);
    next.edges.push({ source: "a", target: "done" });
    const d = diffWorkflows(base, next);
    expect(d.empty).toBe(false);
    expect(d.meta).toEqual([{ path: "name", before: "A", after: "B" }]);
    expect(d.added).toEqual([{ id: "done", name: "done", type: "end" }]);
    expect(d.changed).toEqual([
      { id: "a", name: "Writer", type: "agent", changes: [{ path: "config.prompt", before: "hi", after: "hello" }] },
    ]);
    expect(d.moved).toEqual(["Writer"]);
    expect(d.edgesAdded).toEqual(["Writer → done"]);
    const back = diffWorkflows(next, base);
    expect(back.removed.map((n) => n.id)).toEqual(["done"]);
    expect(back.edgesRemoved).toEqual(["Writer → done"]);
  });

  it("treats a position-only change as empty", () => {
    const next = structuredClone(base);
    next.nodes[0].position = { x: 9, y: 9 };
    const d = diffWorkflows(base, next);
    expect(d.empty).toBe(true);
    expect(d.moved).toEqual(["start"]);
  });
});
