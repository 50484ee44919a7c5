// Conversions between the workflow document and React Flow's nodes and edges.
// docToCanvas(canvasToDoc(x)) and canvasToDoc(docToCanvas(doc)) are identities on the document
// (positions are rounded to whole pixels); selection, measurements and run status never enter
// the document.
import type { CanvasEdge, CanvasNode, DocEdge, DocMeta, DocNode, StepData, WorkflowDoc } from "./types";

export const FORMAT = "switchboard.workflow/v1";

export function edgeIdFor(source: string, sourceHandle: string | null | undefined, target: string): string {
  return `e_${source}_${sourceHandle ?? "next"}_${target}`;
}

export function docNodeToCanvas(node: DocNode, index = 0): CanvasNode {
  const { id, type, position, ...data } = node;
  return {
    id,
    type,
    position: position ? { x: position.x, y: position.y } : { x: (index % 4) * 280, y: Math.floor(index / 4) * 160 },
    data: { ...(data as StepData), config: (data.config as Record<string, unknown>) ?? {} },
  };
}

export function docEdgeToCanvas(edge: DocEdge): CanvasEdge {
  const { id, source, target, sourceHandle, label, ...extra } = edge;
  const canvasEdge: CanvasEdge = {
    id: id ?? edgeIdFor(source, sourceHandle, target),
    type: "step",
    source,
    target,
    sourceHandle: sourceHandle ?? null,
    label: label ?? sourceHandle ?? undefined,
    data: {},
  };
  const data: NonNullable<CanvasEdge["data"]> = {};
  if (label !== undefined) data.docLabel = label;
  if (id === undefined) data.generatedId = true;
  if (Object.keys(extra).length > 0) data.extra = extra;
  canvasEdge.data = data;
  return canvasEdge;
}

export function docToCanvas(doc: WorkflowDoc): { meta: DocMeta; nodes: CanvasNode[]; edges: CanvasEdge[] } {
  const { nodes, edges, ...meta } = doc;
  return {
    meta,
    nodes: (nodes ?? []).map((n, i) => docNodeToCanvas(n, i)),
    edges: (edges ?? []).map(docEdgeToCanvas),
  };
}

export function canvasNodeToDoc(node: CanvasNode): DocNode {
  const { config, ...rest } = node.data;
  const position = { x: Math.round(node.position.x), y: Math.round(node.position.y) };
  const out = { id: node.id, type: node.type ?? "note", ...rest, position, config: config ?? {} } as DocNode;
  return reorder(out, ["id", "type", "name", "position", "config"]);
}

export function canvasEdgeToDoc(edge: CanvasEdge): DocEdge {
  const out: DocEdge = { source: edge.source, target: edge.target };
  if (!edge.data?.generatedId) out.id = edge.id;
  if (edge.sourceHandle) out.sourceHandle = edge.sourceHandle;
  if (edge.data?.docLabel !== undefined) out.label = edge.data.docLabel;
  if (edge.data?.extra) Object.assign(out, edge.data.extra);
  return reorder(out, ["id", "source", "target", "sourceHandle", "label"]);
}

export function canvasToDoc(meta: DocMeta, nodes: readonly CanvasNode[], edges: readonly CanvasEdge[]): WorkflowDoc {
  return {
    ...meta,
    format: meta.format ?? FORMAT,
    name: meta.name ?? "Untitled workflow",
    nodes: nodes.map(canvasNodeToDoc),
    edges: edges.map(canvasEdgeToDoc),
  };
}

function reorder<T extends Record<string, unknown>>(obj: T, first: string[]): T {
  const out: Record<string, unknown> = {};
  for (const k of first) if (obj[k] !== undefined) out[k] = obj[k];
  for (const [k, v] of Object.entries(obj)) if (!(k in out) && v !== undefined) out[k] = v;
  return out as T;
}

/** Maps a validation path such as "nodes.3.config.prompt" to the node it is about. */
export function nodeIdForPath(path: string | (string | number)[], nodes: readonly { id: string }[]): string | null {
  const parts = Array.isArray(path) ? path.map(String) : path.split(/[.[\]/]+/).filter(Boolean);
  if (parts[0] !== "nodes" || parts.length < 2) return null;
  const idx = Number(parts[1]);
  if (Number.isInteger(idx)) return nodes[idx]?.id ?? null;
  return nodes.some((n) => n.id === parts[1]) ? parts[1] : null;
}

/** A blank workflow: a manual trigger and nothing else. */
export function blankDocument(name = "Untitled workflow"): WorkflowDoc {
  return {
    format: FORMAT,
    name,
    description: "",
    input: { type: "object", properties: { message: { type: "string", title: "Message" } }, required: [] },
    nodes: [{ id: "start", type: "trigger", name: "Start", position: { x: 0, y: 0 }, config: { kind: "manual" } }],
    edges: [],
  };
}
