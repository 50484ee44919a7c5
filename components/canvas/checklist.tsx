"use client";
// Every validation problem of the draft, each linked to the node it is about. Publishing is
// blocked until this list is empty.
import { nodeIdForPath } from "@/lib/canvas/convert";
import { useEditor } from "./editor-context";
import { Icon } from "./icons";

export function Checklist({ onFocusNode }: { onFocusNode(id: string): void }) {
  const problems = useEditor((s) => s.problems);
  const nodes = useEditor((s) => s.nodes);
  if (problems.length === 0) {
    return (
      <section aria-label="Checklist" className="text-sm text-green-800">
        <p className="flex items-center gap-1 font-medium">
          <Icon path="M20 6 9 17l-5-5" /> No problems: ready to publish.
        </p>
      </section>
    );
  }
  return (
    <section aria-label="Checklist" className="space-y-2">
      <p className="text-sm font-medium text-amber-900">
        {problems.length === 1 ? "1 problem" : `${problems.length} problems`} to fix before publishing
      </p>
      <ul className="space-y-1">
        {problems.map((p) => {
          const id = nodeIdForPath(p.path, nodes);
          const node = id ? nodes.find((n) => n.id === id) : undefined;
          return (
            <li
              key={`${p.path}|${p.message}`}
              className="rounded border border-amber-200 bg-amber-50 p-2 text-xs text-amber-950"
            >
              {node ? (
                <button type="button" className="text-left underline" onClick={() => onFocusNode(node.id)}>
                  {node.data.name || node.id}
                </button>
              ) : (
                <span className="font-medium">{p.path || "Workflow"}</span>
              )}
              : {p.message}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
