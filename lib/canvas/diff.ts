// A readable diff between two workflow documents (two versions, or a version and the draft).
// Moves are reported apart from real changes so "what does this version do differently" stays
// readable; field changes are listed by dotted path with before/after values.
import type { DocEdge, DocNode } from "./types";

export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
}

export interface NodeDiff {
  id: string;
  name: string;
  type: string;
  changes: FieldChange[];
}

export interface WorkflowDiff {
  meta: FieldChange[];
  added: { id: string; name: string; type: string }[];
  removed: { id: string; name: string; type: string }[];
  changed: NodeDiff[];
  moved: string[];
  edgesAdded: string[];
  edgesRemoved: string[];
  /** true when nothing but positions changed */
  empty: boolean;
}

interface DiffableDoc {
  nodes?: DocNode[];
  edges?: DocEdge[];
  [k: string]: unknown;
}

const describeEdge = (e: DocEdge, names: Map<string, string>) =>
  `${names.get(e.source) ?? e.source} → ${names.get(e.target) ?? e.target}${e.sourceHandle ? ` (${e.sourceHandle})` : ""}`;

const edgeKey = (e: DocEdge) => `${e.source}|${e.sourceHandle ?? ""}|${e.target}|${e.label ?? ""}`;

export function fieldChanges(before: unknown, after: unknown, path = ""): FieldChange[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
  if (isObj(before) && isObj(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => fieldChanges(before[k], after[k], path ? `${path}.${k}` : k));
  }
  return [{ path: path || "(value)", before, after }];
}

export function diffWorkflows(a: DiffableDoc, b: DiffableDoc): WorkflowDiff {
  const { nodes: na = [], edges: ea = [], ...metaA } = a;
  const { nodes: nb = [], edges: eb = [], ...metaB } = b;
  const mapA = new Map(na.map((n) => [n.id, n]));
  const mapB = new Map(nb.map((n) => [n.id, n]));
  const names = new Map<string, string>([...na, ...nb].map((n) => [n.id, n.name ?? n.id]));
  const label = (n: DocNode) => ({ id: n.id, name: n.name ?? n.id, type: n.type });
  const added = nb.filter((n) => !mapA.has(n.id)).map(label);
  const removed = na.filter((n) => !mapB.has(n.id)).map(label);
  const changed: NodeDiff[] = [];
  const moved: string[] = [];
  for (const n of nb) {
    const old = mapA.get(n.id);
    if (!old) continue;
    const { position: pa, ...restA } = old;
    const { position: pb, ...restB } = n;
    const changes = fieldChanges(restA, restB);
    if (changes.length) changed.push({ ...label(n), changes });
    if (JSON.stringify(pa) !== JSON.stringify(pb)) moved.push(n.name ?? n.id);
  }
  const keysA = new Set(ea.map(edgeKey));
  const keysB = new Set(eb.map(edgeKey));
  const edgesAdded = eb.filter((e) => !keysA.has(edgeKey(e))).map((e) => describeEdge(e, names));
  const edgesRemoved = ea.filter((e) => !keysB.has(edgeKey(e))).map((e) => describeEdge(e, names));
  const meta = fieldChanges(metaA, metaB);
  return {
    meta,
    added,
    removed,
    changed,
    moved,
    edgesAdded,
    edgesRemoved,
    empty:
      !meta.length && !added.length && !removed.length && !changed.length && !edgesAdded.length && !edgesRemoved.length,
  };
}
