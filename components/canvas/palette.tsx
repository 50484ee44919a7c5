"use client";
// The palette: every node type with its icon and one-line description. Drag one onto the
// canvas, or click (Enter) to add it — after the step the palette was opened from, connected
// from the chosen outcome, or in the middle of the view.
import { memo, useMemo, useState } from "react";
import { searchStepTypes } from "@/lib/canvas/palette-search";
import { isEntryType, nodeCatalog, visualFor } from "@/lib/nodes/canvas-registry";
import { useEditor } from "./editor-context";
import { Icon } from "./icons";
import { OutcomeSelect } from "./outcome-select";

export const DRAG_MIME = "application/x-switchboard-node";

export interface PaletteProps {
  from: { nodeId: string; handle?: string | null } | null;
  onAdd(type: string, from: { nodeId: string; handle?: string | null } | null): void;
  onClearFrom(): void;
  autoFocus?: boolean;
}

export const Palette = memo(function Palette({ from, onAdd, onClearFrom, autoFocus }: PaletteProps) {
  const [q, setQ] = useState("");
  const hasTrigger = useEditor((s) => s.nodes.some((n) => isEntryType(n.type)));
  const fromNode = useEditor((s) => (from ? s.nodes.find((n) => n.id === from.nodeId) : undefined));
  const outcomes = useMemo(
    () => (fromNode ? nodeCatalog.outcomes(fromNode.type ?? "", fromNode.data.config) : []),
    [fromNode],
  );
  const [handle, setHandle] = useState<string | null | undefined>(undefined);
  const chosenHandle =
    handle !== undefined && outcomes.some((o) => o.handle === handle) ? handle : (from?.handle ?? null);
  // "if" finds Condition, "code" Transform, "webhook" the Trigger… (lib/canvas/palette-search.ts)
  const types = searchStepTypes(
    nodeCatalog
      .types()
      .filter((t) => !(isEntryType(t) && hasTrigger))
      .map((t) => ({ type: t, label: nodeCatalog.label(t), description: nodeCatalog.description(t) })),
    q,
  ).map((x) => x.type);

  return (
    <section aria-label="Add a step" className="flex h-full flex-col gap-2">
      <h2 className="text-sm font-semibold text-slate-900">Add a step</h2>
      {fromNode ? (
        <div className="rounded border border-blue-200 bg-blue-50 p-2 text-xs text-blue-900">
          <p>
            Adds after <strong>{fromNode.data.name || fromNode.id}</strong>, connected.
          </p>
          <OutcomeSelect
            outcomes={outcomes}
            value={chosenHandle}
            onChange={setHandle}
            labelClassName="mt-1 flex items-center gap-1"
            selectClassName="rounded border border-blue-300 bg-white px-1 py-0.5"
          />
          <button type="button" className="mt-1 underline" onClick={onClearFrom}>
            Add unconnected instead
          </button>
        </div>
      ) : (
        <p className="text-xs text-slate-600">
          Drag a step onto the canvas, or press Enter on one to add it. Select a step first to add after it.
        </p>
      )}
      <input
        type="search"
        aria-label="Filter step types"
        placeholder="Search (if, code, llm…)"
        className="rounded border border-slate-300 px-2 py-1 text-sm"
        value={q}
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={(e) => {
          // Enter adds the best match, like a command palette
          if (e.key === "Enter" && types[0]) {
            e.preventDefault();
            onAdd(types[0], fromNode ? { nodeId: fromNode.id, handle: chosenHandle } : null);
          }
        }}
        // biome-ignore lint/a11y/noAutofocus: the palette opens on purpose, for keyboard users
        autoFocus={autoFocus}
      />
      {types.length === 0 && <p className="text-xs text-slate-600">No step matches “{q}”.</p>}
      <ul className="-mx-1 flex-1 space-y-1 overflow-y-auto px-1">
        {types.map((t) => {
          const v = visualFor(t);
          return (
            <li key={t}>
              <button
                type="button"
                draggable
                onDragStart={(e) => {
                  e.dataTransfer.setData(DRAG_MIME, t);
                  e.dataTransfer.effectAllowed = "move";
                }}
                onClick={() => onAdd(t, fromNode ? { nodeId: fromNode.id, handle: chosenHandle } : null)}
                className="flex w-full items-start gap-2 rounded border border-slate-200 bg-white p-2 text-left hover:border-blue-400 hover:bg-blue-50"
                aria-label={`Add ${nodeCatalog.label(t)}: ${nodeCatalog.description(t)}`}
              >
                <span
                  className="mt-0.5 flex h-6 w-6 shrink-0 items-center justify-center rounded text-white"
                  style={{ background: v.colour }}
                >
                  <Icon path={v.icon} size={14} />
                </span>
                <span className="min-w-0">
                  <span className="block text-sm font-medium text-slate-900">{nodeCatalog.label(t)}</span>
                  <span className="block text-xs text-slate-600">{nodeCatalog.description(t)}</span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
});
