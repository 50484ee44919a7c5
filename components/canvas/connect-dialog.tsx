"use client";
// "Connect to…": joins the selected step to another existing step without a mouse. A searchable
// list (type to filter, ↑/↓ to move, Enter to connect) and, for a step with several outcomes,
// which outcome the connection leaves from.
import { useMemo, useState } from "react";
import { Button, Dialog } from "@/components/ui";
import type { EditorSession } from "@/lib/canvas/editor-session";
import { nodeCatalog } from "@/lib/nodes/canvas-registry";
import { useEditor } from "./editor-context";
import { OutcomeSelect } from "./outcome-select";

export function ConnectDialog({
  session,
  sourceId,
  onClose,
  onConnected,
}: {
  session: EditorSession;
  sourceId: string | null;
  onClose(): void;
  onConnected(targetId: string): void;
}) {
  const source = useEditor((s) => (sourceId ? s.nodes.find((n) => n.id === sourceId) : undefined));
  // the candidates change when steps are added, renamed or connected
  const edges = useEditor((s) => s.edges);
  const nodes = useEditor((s) => s.nodes);
  const [q, setQ] = useState("");
  const [active, setActive] = useState(0);
  const outcomes = useMemo(() => (source ? nodeCatalog.outcomes(source.type ?? "", source.data.config) : []), [source]);
  const [handle, setHandle] = useState<string | null>(null);
  const chosen = outcomes.some((o) => o.handle === handle) ? handle : (outcomes[0]?.handle ?? null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: nodes and edges change the candidates
  const list = useMemo(
    () => (sourceId ? session.connectCandidates(sourceId, q) : []),
    [session, sourceId, q, nodes, edges],
  );
  const linked = new Set(
    edges.filter((e) => e.source === sourceId && (e.sourceHandle ?? null) === chosen).map((e) => e.target),
  );
  const current = Math.min(active, Math.max(0, list.length - 1));

  const connect = (targetId: string) => {
    if (!sourceId) return;
    if (session.connect(sourceId, targetId, chosen)) onConnected(targetId);
    else onClose();
  };

  const name = source?.data.name || sourceId || "";
  return (
    <Dialog
      open={!!sourceId && !!source}
      onClose={onClose}
      title={`Connect “${name}” to…`}
      description="Pick the step that runs next. Type to filter, use the arrow keys and press Enter."
      footer={
        <Button variant="secondary" onClick={onClose}>
          Cancel
        </Button>
      }
    >
      <div className="space-y-2">
        <OutcomeSelect
          outcomes={outcomes}
          value={chosen}
          onChange={setHandle}
          labelClassName="flex items-center gap-2 text-sm text-slate-700"
          selectClassName="rounded border border-slate-300 bg-white px-2 py-1 text-sm"
        />
        <input
          type="search"
          aria-label="Find the step to connect to"
          placeholder="Step name…"
          className="w-full rounded border border-slate-300 px-2 py-1 text-sm"
          value={q}
          role="combobox"
          aria-expanded="true"
          aria-controls="connect-targets"
          aria-activedescendant={list[current] ? `connect-${list[current].id}` : undefined}
          autoFocus
          onChange={(e) => {
            setQ(e.target.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === "ArrowDown") {
              e.preventDefault();
              setActive((i) => Math.min(i + 1, list.length - 1));
            } else if (e.key === "ArrowUp") {
              e.preventDefault();
              setActive((i) => Math.max(i - 1, 0));
            } else if (e.key === "Enter") {
              e.preventDefault();
              if (list[current]) connect(list[current].id);
            }
          }}
        />
        {list.length === 0 ? (
          <p className="text-sm text-slate-600">
            {q ? `No step matches “${q}”.` : "There is no other step to connect to."}
          </p>
        ) : (
          <div id="connect-targets" role="listbox" aria-label="Steps" className="max-h-64 overflow-y-auto">
            {list.map((n, i) => (
              <div
                key={n.id}
                tabIndex={-1}
                id={`connect-${n.id}`}
                role="option"
                aria-selected={i === current}
                className={`flex cursor-pointer items-center justify-between rounded px-2 py-1.5 text-sm ${i === current ? "bg-blue-50 text-blue-900" : "text-slate-800"}`}
                onMouseEnter={() => setActive(i)}
                onClick={() => connect(n.id)}
                onKeyDown={(e) => {
                  if (e.key === "Enter") connect(n.id);
                }}
              >
                <span>
                  {n.data.name || n.id}{" "}
                  <span className="text-xs text-slate-500">{nodeCatalog.label(n.type ?? "")}</span>
                </span>
                {linked.has(n.id) && <span className="text-xs text-slate-500">already connected</span>}
              </div>
            ))}
          </div>
        )}
      </div>
    </Dialog>
  );
}
