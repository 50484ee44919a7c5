// Auto-layout with elkjs (layered, left to right). Returns new positions only; the store
// applies them as one undo point. Notes keep their place.
import ELK from "elkjs/lib/elk.bundled.js";
import type { CanvasEdge, CanvasNode } from "./types";

const DEFAULT_W = 240;
const DEFAULT_H = 96;

let elk: InstanceType<typeof ELK> | null = null;

export async function autoLayout(
  nodes: readonly CanvasNode[],
  edges: readonly CanvasEdge[],
): Promise<Record<string, { x: number; y: number }>> {
  elk ??= new ELK();
  const laid = nodes.filter((n) => n.type !== "note");
  const ids = new Set(laid.map((n) => n.id));
  const graph = {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      "elk.spacing.nodeNode": "40",
      "elk.layered.spacing.nodeNodeBetweenLayers": "80",
      "elk.layered.cycleBreaking.strategy": "DEPTH_FIRST",
    },
    children: laid.map((n) => ({
      id: n.id,
      width: n.measured?.width ?? DEFAULT_W,
      height: n.measured?.height ?? DEFAULT_H,
    })),
    edges: edges
      .filter((e) => ids.has(e.source) && ids.has(e.target))
      .map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
  const result = await elk.layout(graph);
  const out: Record<string, { x: number; y: number }> = {};
  for (const c of result.children ?? []) out[c.id] = { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) };
  return out;
}
