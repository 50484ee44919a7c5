/**
 * Warnings about a workflow's wiring that do not block publishing, for the editor's checklist:
 * an outcome its type says should lead somewhere (`editor.outcomesToConnect`, e.g. an approval's
 * `rejected`) with no edge. Works on drafts: nodes of unknown types or unparsed configs are fine.
 */
import { getNodeDefinition } from "@/lib/nodes/registry";

export interface FlowWarning {
  nodeId: string;
  /** `<nodeId>.outcomes.<outcome>` */
  path: string;
  message: string;
}

export function findFlowWarnings(doc: {
  nodes: readonly { id: string; type?: string; disabled?: boolean }[];
  edges: readonly { source: string; sourceHandle?: string | null }[];
}): FlowWarning[] {
  const out: FlowWarning[] = [];
  for (const n of doc.nodes) {
    const wanted = n.type ? getNodeDefinition(n.type)?.editor?.outcomesToConnect : undefined;
    if (!wanted || n.disabled) continue;
    for (const [outcome, message] of Object.entries(wanted)) {
      if (doc.edges.some((e) => e.source === n.id && e.sourceHandle === outcome)) continue;
      out.push({ nodeId: n.id, path: `${n.id}.outcomes.${outcome}`, message });
    }
  }
  return out;
}
