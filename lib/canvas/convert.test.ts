import { describe, expect, it } from "vitest";
import { blankDocument, canvasToDoc, docToCanvas, nodeIdForPath } from "./convert";
import type { WorkflowDoc } from "./types";

const doc: WorkflowDoc = {
  format: "switchboard.workflow/v1",
  name: "Refund",
  description: "d",
  input: { type: "object" },
  limits: { maxCostUsd: 0.5 },
  meta: { colour: "blue" },
  nodes: [
    { id: "start", type: "trigger", position: { x: 0, y: 0 }, config: { kind: "manual" } },
    {
      id: "triage",
      type: "agent",
      name: "Triage",
      position: { x: 300, y: 10 },
      config: { model: "simulated", prompt: "{{ input.message }}" },
      retry: { maxAttempts: 2 },
      timeoutMs: 5000,
    },
    { id: "ok", type: "approval", name: "OK?", position: { x: 600, y: 0 }, config: { title: "t" } },
    { id: "done", type: "end", position: { x: 900, y: 0 }, config: {} },
  ],
  edges: [
    { source: "start", target: "triage" },
    { id: "e1", source: "triage", target: "ok", label: "to a person" },
    { source: "ok", target: "done", sourceHandle: "approved" },
  ],
};

describe("document <-> canvas conversions", () => {
  it("round-trips a document unchanged", () => {
    const { meta, nodes, edges } = docToCanvas(doc);
    expect(canvasToDoc(meta, nodes, edges)).toEqual(doc);
  });

  it("puts node fields in data, and handles and display labels on edges", () => {
    const { nodes, edges } = docToCanvas(doc);
    expect(nodes[1]).toMatchObject({
      id: "triage",
      type: "agent",
      position: { x: 300, y: 10 },
      data: { name: "Triage", retry: { maxAttempts: 2 }, timeoutMs: 5000 },
    });
    expect(edges[2]).toMatchObject({ source: "ok", target: "done", sourceHandle: "approved", label: "approved" });
    expect(new Set(edges.map((e) => e.id)).size).toBe(3);
  });

  it("never writes selection, measurements or fractional positions into the document", () => {
    const { meta, nodes, edges } = docToCanvas(doc);
    const moved = nodes.map((n) => ({
      ...n,
      selected: true,
      dragging: false,
      measured: { width: 10, height: 10 },
      position: { x: n.position.x + 0.4, y: n.position.y + 0.6 },
    }));
    const out = canvasToDoc(
      meta,
      moved,
      edges.map((e) => ({ ...e, selected: true })),
    );
    expect(JSON.stringify(out)).not.toMatch(/selected|measured|dragging/);
    expect(out.nodes[1].position).toEqual({ x: 300, y: 11 });
  });

  it("places nodes without a position on a grid", () => {
    const { nodes } = docToCanvas({ ...blankDocument(), nodes: [{ id: "a", type: "agent", config: {} }] });
    expect(nodes[0].position).toEqual({ x: 0, y: 0 });
  });

  it("maps validation paths to node ids", () => {
    const nodes = [{ id: "start" }, { id: "triage" }];
    expect(nodeIdForPath("nodes.1.config.prompt", nodes)).toBe("triage");
    expect(nodeIdForPath(["nodes", 0, "config"], nodes)).toBe("start");
    expect(nodeIdForPath("edges.0.target", nodes)).toBeNull();
    expect(nodeIdForPath("nodes.triage.config", nodes)).toBe("triage");
  });
});
