// The editor's first view of a workflow: fitted, but never smaller than a readable zoom.
import type { CanvasNode } from "./types";

/** Above this many nodes the canvas opens on the start of the workflow instead of fitting everything. */
export const LARGE = 150;

/** Below this zoom step names are hard to read: a first view never opens smaller. */
export const READABLE_ZOOM = 0.6;

type Edge = { source: string; target: string };
type IsEntry = (type: string | undefined) => boolean;

/** The trigger and up to `limit` steps after it, breadth first. */
export function startNeighbourhood(
  nodes: readonly CanvasNode[],
  edges: readonly Edge[],
  isEntry: IsEntry,
  limit: number,
): string[] {
  const start = nodes.find((n) => isEntry(n.type)) ?? nodes[0];
  if (!start) return [];
  const seen = new Set([start.id]);
  const queue = [start.id];
  while (queue.length && seen.size < limit) {
    const id = queue.shift()!;
    for (const e of edges) {
      if (e.source === id && !seen.has(e.target) && seen.size < limit) {
        seen.add(e.target);
        queue.push(e.target);
      }
    }
  }
  return [...seen];
}

export interface FitOptions {
  padding: number;
  maxZoom: number;
  minZoom?: number;
  nodes?: { id: string }[];
}

/**
 * React Flow's `fitViewOptions` for the first view: the whole workflow when it fits at a readable
 * zoom (templates, small workflows); otherwise the trigger and as many steps after it as fit at
 * that zoom (at least the trigger and its next steps), never below it. A large workflow (more
 * than LARGE nodes) opens on the trigger and the ~25 steps after it. `view` is the canvas's size.
 */
export function initialFit(
  nodes: readonly CanvasNode[],
  edges: readonly Edge[],
  isEntry: IsEntry,
  view: { width: number; height: number },
): FitOptions {
  if (nodes.length > LARGE) {
    return { padding: 0.1, maxZoom: 1, nodes: startNeighbourhood(nodes, edges, isEntry, 25).map((id) => ({ id })) };
  }
  const fits = (ids: Set<string>) => {
    const ns = nodes.filter((n) => ids.has(n.id));
    if (ns.length === 0) return true;
    const x0 = Math.min(...ns.map((n) => n.position.x));
    const y0 = Math.min(...ns.map((n) => n.position.y));
    const x1 = Math.max(...ns.map((n) => n.position.x + (n.measured?.width ?? 240)));
    const y1 = Math.max(...ns.map((n) => n.position.y + (n.measured?.height ?? 96)));
    // fitView's padding 0.2 leaves 1/1.2 of the view for the graph
    return (x1 - x0) * READABLE_ZOOM * 1.2 <= view.width && (y1 - y0) * READABLE_ZOOM * 1.2 <= view.height;
  };
  if (fits(new Set(nodes.map((n) => n.id)))) return { padding: 0.2, maxZoom: 1, minZoom: READABLE_ZOOM };
  let limit = Math.min(nodes.length, 25);
  while (limit > 3 && !fits(new Set(startNeighbourhood(nodes, edges, isEntry, limit)))) limit--;
  return {
    padding: 0.2,
    maxZoom: 1,
    minZoom: READABLE_ZOOM,
    nodes: startNeighbourhood(nodes, edges, isEntry, limit).map((id) => ({ id })),
  };
}
