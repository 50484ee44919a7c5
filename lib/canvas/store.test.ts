import { describe, expect, it } from "vitest";
import { blankDocument } from "./convert";
import { createTestCanvas } from "./testing";

describe("editor store: adding and connecting", () => {
  it("adds a node connected to the one it was added from, as one undo point", () => {
    const c = createTestCanvas();
    const a = c.add("agent", { from: { nodeId: "start" } });
    expect(c.doc().nodes.map((n) => n.id)).toEqual(["start", a]);
    expect(c.doc().edges).toEqual([{ source: "start", target: a }]);
    expect(c.state.past).toHaveLength(1);
    c.undo();
    expect(c.doc().nodes.map((n) => n.id)).toEqual(["start"]);
    expect(c.doc().edges).toEqual([]);
    c.redo();
    expect(c.doc().edges).toEqual([{ source: "start", target: a }]);
  });

  it("builds agent -> approval -> agent with labelled outcome edges", () => {
    const c = createTestCanvas();
    const a1 = c.add("agent", { from: { nodeId: "start" } });
    const ap = c.add("approval", { from: { nodeId: a1 } });
    const a2 = c.add("agent", { from: { nodeId: ap, handle: "approved" } });
    expect(new Set([a1, ap, a2]).size).toBe(3);
    const edge = c.state.edges.find((e) => e.source === ap)!;
    expect(edge.sourceHandle).toBe("approved");
    expect(edge.label).toBe("Approved");
    expect(c.doc().edges.find((e) => e.source === ap)).toEqual({ source: ap, target: a2, sourceHandle: "approved" });
  });

  it("ignores self-connections and duplicate edges", () => {
    const c = createTestCanvas();
    const a = c.add("agent");
    c.connect("start", a);
    c.connect("start", a);
    c.connect(a, a);
    expect(c.state.edges).toHaveLength(1);
  });
});

describe("editor store: undo history", () => {
  it("makes a whole drag one undo point", () => {
    const c = createTestCanvas();
    const a = c.add("agent", { position: { x: 100, y: 100 } });
    const before = c.state.past.length;
    c.drag(a, { x: 400, y: 250 }, 10);
    expect(c.state.past.length).toBe(before + 1);
    expect(c.doc().nodes.find((n) => n.id === a)?.position).toEqual({ x: 400, y: 250 });
    c.undo();
    expect(c.doc().nodes.find((n) => n.id === a)?.position).toEqual({ x: 100, y: 100 });
    c.redo();
    expect(c.doc().nodes.find((n) => n.id === a)?.position).toEqual({ x: 400, y: 250 });
  });

  it("coalesces typing in one field into one undo point, separate fields into separate points", () => {
    const c = createTestCanvas();
    const a = c.add("agent");
    const base = c.state.past.length;
    c.type(a, "prompt", "Hello there");
    expect(c.state.past.length).toBe(base + 1);
    c.type(a, "instructions", "Be brief");
    expect(c.state.past.length).toBe(base + 2);
    c.undo();
    expect(c.doc().nodes.find((n) => n.id === a)?.config.instructions).toBeUndefined();
    expect(c.doc().nodes.find((n) => n.id === a)?.config.prompt).toBe("Hello there");
    c.undo();
    expect(c.doc().nodes.find((n) => n.id === a)?.config.prompt).toBe("");
  });

  it("keeps selection, sizes and problems out of the history", () => {
    const c = createTestCanvas();
    const a = c.add("agent", { select: false });
    const points = c.state.past.length;
    c.click(a);
    c.state.onNodesChange([{ type: "dimensions", id: a, dimensions: { width: 200, height: 80 } }]);
    c.state.setProblems([{ path: "nodes.1.config.prompt", message: "required" }]);
    expect(c.state.past.length).toBe(points);
    expect(c.state.problemsByNode[a]).toHaveLength(1);
    // undo of the add keeps the trigger's current selection state and removes the node
    c.click("start");
    c.undo();
    expect(c.state.nodes.map((n) => n.id)).toEqual(["start"]);
    expect(c.state.nodes[0].selected).toBe(true);
  });

  it("clears the redo stack on a new change", () => {
    const c = createTestCanvas();
    c.add("agent");
    c.undo();
    expect(c.state.future).toHaveLength(1);
    c.add("end");
    expect(c.state.future).toHaveLength(0);
  });

  it("undoes and redoes every kind of change: rename, meta, delete, paste, layout", () => {
    const c = createTestCanvas();
    const a = c.add("agent", { from: { nodeId: "start" } });
    const snapshots = [JSON.stringify(c.doc())];
    c.state.updateNodeData(a, { name: "Triage" });
    snapshots.push(JSON.stringify(c.doc()));
    c.state.setMeta({ name: "Renamed" });
    snapshots.push(JSON.stringify(c.doc()));
    c.state.select([a]);
    c.state.copySelection();
    c.state.paste();
    snapshots.push(JSON.stringify(c.doc()));
    c.state.setPositions({ start: { x: 10, y: 10 } });
    snapshots.push(JSON.stringify(c.doc()));
    c.state.select([a]);
    c.state.deleteSelection();
    snapshots.push(JSON.stringify(c.doc()));
    for (let i = snapshots.length - 2; i >= 0; i--) {
      c.undo();
      expect(JSON.stringify(c.doc())).toBe(snapshots[i]);
    }
    for (let i = 1; i < snapshots.length; i++) {
      c.redo();
      expect(JSON.stringify(c.doc())).toBe(snapshots[i]);
    }
  });

  it("bumps changeCount on every document change (autosave) but not on selection", () => {
    const c = createTestCanvas();
    const n0 = c.state.changeCount;
    c.click("start");
    expect(c.state.changeCount).toBe(n0);
    c.add("agent");
    expect(c.state.changeCount).toBe(n0 + 1);
    c.undo();
    expect(c.state.changeCount).toBe(n0 + 2);
  });
});

describe("editor store: clipboard and selection", () => {
  it("copies selected nodes with the edges between them and pastes with fresh ids", () => {
    const c = createTestCanvas();
    const a = c.add("agent", { from: { nodeId: "start" } });
    const b = c.add("end", { from: { nodeId: a } });
    c.state.select([a, b]);
    const payload = c.state.copySelection();
    expect(payload?.nodes).toHaveLength(2);
    expect(payload?.edges).toHaveLength(1);
    const ids = c.state.paste();
    expect(ids).toHaveLength(2);
    expect(ids).not.toContain(a);
    const doc = c.doc();
    expect(doc.nodes).toHaveLength(5);
    expect(doc.edges.filter((e) => ids.includes(e.source) && ids.includes(e.target))).toHaveLength(1);
    // pasted nodes are selected, originals are not
    expect(c.state.nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(ids);
    // pasting again offsets further and makes yet other ids
    const again = c.state.paste();
    expect(new Set([...ids, ...again]).size).toBe(4);
    const p1 = c.state.nodes.find((n) => n.id === ids[0])!.position;
    const p2 = c.state.nodes.find((n) => n.id === again[0])!.position;
    expect(p2.x - p1.x).toBe(40);
  });

  it("duplicates the selection without touching the clipboard", () => {
    const c = createTestCanvas();
    const a = c.add("agent");
    c.state.select([a]);
    c.state.duplicateSelection();
    expect(c.state.nodes).toHaveLength(3);
    expect(c.state.clipboard).toBeNull();
    expect(c.state.past.length).toBe(2);
  });

  it("deletes selected nodes with their edges and selected edges, in one undo point", () => {
    const c = createTestCanvas();
    const a = c.add("agent", { from: { nodeId: "start" } });
    const b = c.add("end", { from: { nodeId: a } });
    c.state.select([a]);
    c.state.deleteSelection();
    expect(c.doc().nodes.map((n) => n.id)).toEqual(["start", b]);
    expect(c.doc().edges).toEqual([]);
    c.undo();
    expect(c.doc().edges).toHaveLength(2);
    const edgeId = c.state.edges[0].id;
    c.state.select([], [edgeId]);
    c.state.deleteSelection();
    expect(c.doc().edges).toHaveLength(1);
    expect(c.doc().nodes).toHaveLength(3);
  });

  it("replaceDocument resets history unless asked to keep it", () => {
    const c = createTestCanvas();
    c.add("agent");
    c.state.replaceDocument(blankDocument("Other"));
    expect(c.state.past).toHaveLength(0);
    expect(c.doc().name).toBe("Other");
    c.add("agent");
    c.state.replaceDocument(blankDocument("Third"), { keepHistory: true });
    c.undo();
    expect(c.doc().name).toBe("Other");
  });

  it("limits history length", async () => {
    const c = createTestCanvas();
    const { HISTORY_LIMIT } = await import("./store");
    for (let i = 0; i < HISTORY_LIMIT + 20; i++) c.state.setPositions({ start: { x: i, y: 0 } });
    expect(c.state.past.length).toBe(HISTORY_LIMIT);
  });
});
