"use client";
// Every validation problem of the draft, each linked to the node it is about. Publishing is
// blocked until this list is empty. Below it, warnings that do not block publishing (a secret
// typed into a header or URL: "move this into a credential"; an agent on a model without a price;
// an approval whose "rejected" outcome leads nowhere).
import { useContext, useMemo } from "react";
import { nodeIdForPath } from "@/lib/canvas/convert";
import { findFlowWarnings } from "@/lib/workflow/flow-warnings";
import { findSecretLiterals } from "@/lib/workflow/secret-literals";
import { useEditor } from "./editor-context";
import { Icon } from "./icons";
import { ModelChoicesContext, modelWarnings } from "./model-choices";

export function Checklist({ onFocusNode }: { onFocusNode(id: string): void }) {
  const problems = useEditor((s) => s.problems);
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  const choices = useContext(ModelChoicesContext);
  const warnings = useMemo(
    () => [
      ...findSecretLiterals({ nodes: nodes.map((n) => ({ id: n.id, type: n.type, config: n.data.config })) }),
      // agents on a model without a price, or on a provider this workspace does not have
      ...modelWarnings(nodes, choices).map((w) => ({ ...w, path: `${w.nodeId}.config.model` })),
      // outcomes that should lead somewhere (an approval's "rejected")
      ...findFlowWarnings({
        nodes: nodes.map((n) => ({ id: n.id, type: n.type, disabled: n.data.disabled === true })),
        edges: edges.map((e) => ({ source: e.source, sourceHandle: e.sourceHandle })),
      }),
    ],
    [nodes, edges, choices],
  );
  const nodeLink = (id: string | null | undefined, fallback: string) => {
    const node = id ? nodes.find((n) => n.id === id) : undefined;
    return node ? (
      <button type="button" className="text-left underline" onClick={() => onFocusNode(node.id)}>
        {node.data.name || node.id}
      </button>
    ) : (
      <span className="font-medium">{fallback || "Workflow"}</span>
    );
  };
  const warningList =
    warnings.length > 0 ? (
      <section aria-label="Warnings" className="space-y-2">
        <p className="text-sm font-medium text-amber-900">
          {warnings.length === 1 ? "1 warning" : `${warnings.length} warnings`}
        </p>
        <ul className="space-y-1">
          {warnings.map((w) => (
            <li
              key={`${w.path}|${w.message}`}
              className="rounded border border-amber-200 bg-white p-2 text-xs text-amber-950"
            >
              {nodeLink(w.nodeId, w.path)}: {w.message}
            </li>
          ))}
        </ul>
      </section>
    ) : null;
  if (problems.length === 0) {
    return (
      <div className="space-y-3">
        <section aria-label="Checklist" className="text-sm text-green-800">
          <p className="flex items-center gap-1 font-medium">
            <Icon path="M20 6 9 17l-5-5" /> No problems: ready to publish.
          </p>
        </section>
        {warningList}
      </div>
    );
  }
  return (
    <div className="space-y-3">
      <section aria-label="Checklist" className="space-y-2">
        <p className="text-sm font-medium text-amber-900">
          {problems.length === 1 ? "1 problem" : `${problems.length} problems`} to fix before publishing
        </p>
        <ul className="space-y-1">
          {problems.map((p) => (
            <li
              key={`${p.path}|${p.message}`}
              className="rounded border border-amber-200 bg-amber-50 p-2 text-xs text-amber-950"
            >
              {nodeLink(nodeIdForPath(p.path, nodes), p.path)}: {p.message}
            </li>
          ))}
        </ul>
      </section>
      {warningList}
    </div>
  );
}
