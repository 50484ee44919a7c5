/**
 * Graph analysis shared by validation and the engine. Pure and browser-safe.
 *
 * - Back edges are found by an iterative depth-first walk from the trigger: an edge whose target
 *   is on the current DFS stack closes a cycle. Every other edge is a forward edge; the forward
 *   edges form a DAG, which is what joins and skip propagation work on.
 * - Strongly connected components (Tarjan, iterative) find the cycles validation reports.
 */

export interface GraphNodeLike {
  id: string;
}
export interface GraphEdgeLike {
  source: string;
  target: string;
}

export interface GraphAnalysis {
  /** Edge indices leaving each node (document order). */
  outgoing: Map<string, number[]>;
  /** Edge indices entering each node. */
  incoming: Map<string, number[]>;
  /** Indices of back edges (close a cycle in the DFS from the entry). */
  backEdges: Set<number>;
  /** Nodes reachable from the entry (following all edges). */
  reachable: Set<string>;
}

export function analyzeGraph(
  nodes: readonly GraphNodeLike[],
  edges: readonly GraphEdgeLike[],
  entry: string | null,
): GraphAnalysis {
  const ids = new Set(nodes.map((n) => n.id));
  const outgoing = new Map<string, number[]>();
  const incoming = new Map<string, number[]>();
  for (const n of nodes) {
    outgoing.set(n.id, []);
    incoming.set(n.id, []);
  }
  edges.forEach((e, i) => {
    if (!ids.has(e.source) || !ids.has(e.target)) return;
    outgoing.get(e.source)!.push(i);
    incoming.get(e.target)!.push(i);
  });

  const backEdges = new Set<number>();
  const reachable = new Set<string>();
  if (entry && ids.has(entry)) {
    // Iterative DFS with colours: 1 = on stack, 2 = done.
    const colour = new Map<string, number>();
    const stack: { node: string; next: number }[] = [{ node: entry, next: 0 }];
    colour.set(entry, 1);
    reachable.add(entry);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const outs = outgoing.get(top.node)!;
      if (top.next >= outs.length) {
        colour.set(top.node, 2);
        stack.pop();
        continue;
      }
      const edgeIndex = outs[top.next++]!;
      const target = edges[edgeIndex]!.target;
      const c = colour.get(target);
      if (c === 1) backEdges.add(edgeIndex);
      else if (c === undefined) {
        colour.set(target, 1);
        reachable.add(target);
        stack.push({ node: target, next: 0 });
      }
    }
  }
  return { outgoing, incoming, backEdges, reachable };
}

/** Strongly connected components with more than one node, or a single node with a self edge. */
export function findCycles(nodes: readonly GraphNodeLike[], edges: readonly GraphEdgeLike[]): string[][] {
  const ids = nodes.map((n) => n.id);
  const idSet = new Set(ids);
  const adj = new Map<string, string[]>();
  const selfLoop = new Set<string>();
  for (const id of ids) adj.set(id, []);
  for (const e of edges) {
    if (!idSet.has(e.source) || !idSet.has(e.target)) continue;
    adj.get(e.source)!.push(e.target);
    if (e.source === e.target) selfLoop.add(e.source);
  }
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result: string[][] = [];

  for (const start of ids) {
    if (idx.has(start)) continue;
    const work: { node: string; next: number }[] = [{ node: start, next: 0 }];
    idx.set(start, index);
    low.set(start, index);
    index++;
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const succ = adj.get(frame.node)!;
      if (frame.next < succ.length) {
        const w = succ[frame.next++]!;
        if (!idx.has(w)) {
          idx.set(w, index);
          low.set(w, index);
          index++;
          stack.push(w);
          onStack.add(w);
          work.push({ node: w, next: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, idx.get(w)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!.node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === idx.get(frame.node)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== frame.node);
        if (comp.length > 1 || selfLoop.has(comp[0]!)) result.push(comp.reverse());
      }
    }
  }
  return result;
}

/** Nodes that can reach `target` (its ancestors), following every edge. */
export function ancestorsOf(
  target: string,
  incoming: Map<string, number[]>,
  edges: readonly GraphEdgeLike[],
): Set<string> {
  const seen = new Set<string>();
  const queue = [target];
  while (queue.length > 0) {
    const n = queue.pop()!;
    for (const ei of incoming.get(n) ?? []) {
      const src = edges[ei]!.source;
      if (!seen.has(src)) {
        seen.add(src);
        queue.push(src);
      }
    }
  }
  return seen;
}

/** Nodes reachable from `start` over forward edges only (start included). */
export function forwardReach(
  start: string,
  outgoing: Map<string, number[]>,
  edges: readonly GraphEdgeLike[],
  backEdges: Set<number>,
): Set<string> {
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length > 0) {
    const n = queue.pop()!;
    for (const ei of outgoing.get(n) ?? []) {
      if (backEdges.has(ei)) continue;
      const t = edges[ei]!.target;
      if (!seen.has(t)) {
        seen.add(t);
        queue.push(t);
      }
    }
  }
  return seen;
}
