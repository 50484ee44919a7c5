"use client";
// One node on the canvas: name, type, the key facts of its config, a warning badge when it is
// invalid, and during a run its status as icon + text (never colour alone). Handles: one input
// on the left, one output per outcome on the right (labelled when there is more than one).
import { Handle, type NodeProps, Position } from "@xyflow/react";
import { memo, useMemo } from "react";
import type { CanvasNode } from "@/lib/canvas/types";
import { nodeCatalog, runsInEngine, visualFor } from "@/lib/nodes/canvas-registry";
import { NODE_TYPE_IDS, type NodeTypeId } from "@/lib/nodes/registry";
import { useEditorActions } from "./editor-actions";
import { countRender, useEditor, useLiveRun } from "./editor-context";
import { Icon, STATUS_META } from "./icons";

export const StepNode = memo(function StepNode({ id, type, data, selected }: NodeProps<CanvasNode>) {
  countRender("node");
  const visual = visualFor(type);
  const label = nodeCatalog.label(type);
  const problems = useEditor((s) => s.problemsByNode[id]);
  const live = useLiveRun((s) => s.steps[id]);
  // a streaming model's text, growing while the step runs (the tail: the node shows its last lines)
  const streamed = useLiveRun((s) => s.live[id]?.text);
  const { openPalette, focusNode } = useEditorActions();
  const outcomes = useMemo(() => nodeCatalog.outcomes(type, data.config), [type, data.config]);
  const facts = useMemo(() => {
    try {
      return visual.facts(data.config ?? {});
    } catch {
      return [];
    }
  }, [visual, data.config]);
  const name = data.name || id;
  const status = live ? STATUS_META[live.status] : null;
  const many = outcomes.length > 1;

  return (
    <article
      aria-label={`${name}, ${label} step`}
      className={`relative w-60 rounded-lg border bg-white text-left ${
        selected ? "border-blue-600 ring-2 ring-blue-300" : problems ? "border-amber-500" : "border-slate-300"
      } ${data.disabled ? "opacity-60" : ""}`}
      style={{ borderLeft: `4px solid ${visual.colour}` }}
      onDoubleClick={() => focusNode(id)}
    >
      {nodeCatalog.hasInput(type) && (
        <Handle
          type="target"
          position={Position.Left}
          className="!h-3 !w-3 !bg-slate-500"
          aria-label={`Into ${name}`}
        />
      )}
      <header className="flex items-center gap-2 px-3 pt-2">
        <span
          className="flex h-6 w-6 shrink-0 items-center justify-center rounded text-white"
          style={{ background: visual.colour }}
        >
          <Icon path={visual.icon} size={14} />
        </span>
        <div className="min-w-0 flex-1">
          <div className="truncate text-sm font-semibold text-slate-900">{name}</div>
          <div className="text-[11px] uppercase tracking-wide text-slate-500">{label}</div>
        </div>
        {data.pinned !== undefined && (
          <span
            className="rounded bg-sky-100 px-1.5 py-0.5 text-[11px] font-medium text-sky-900"
            title="Sample output pinned for testing later steps; runs ignore it"
          >
            Pinned
          </span>
        )}
        {problems && (
          <span
            className="flex items-center gap-1 rounded bg-amber-100 px-1.5 py-0.5 text-[11px] font-medium text-amber-900"
            title={problems.map((p) => p.message).join("\n")}
          >
            <Icon
              path="M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z M12 9v4 M12 17h.01"
              size={12}
            />
            {problems.length === 1 ? "1 problem" : `${problems.length} problems`}
          </span>
        )}
      </header>
      <ul className="space-y-0.5 px-3 pt-1 pb-2 text-xs text-slate-600">
        {facts.map((f) => (
          <li key={f} className="truncate">
            {f}
          </li>
        ))}
      </ul>
      {status && live && (
        <div
          role="status"
          aria-label={`${name}: ${status.label}`}
          className={`flex items-center gap-1.5 border-t border-slate-100 px-3 py-1 text-xs font-medium ${status.className}`}
        >
          <Icon path={status.icon} size={13} className={live.status === "running" ? "animate-spin" : ""} />
          <span>{status.label}</span>
          {live.attempt > 1 && <span className="text-slate-500">· attempt {live.attempt}</span>}
          {live.status === "waiting" && live.approvalId && (
            <a
              className="nodrag ml-auto text-blue-700 underline"
              href={`/inbox/${live.approvalId}`}
              onClick={(e) => e.stopPropagation()}
            >
              Open in inbox
            </a>
          )}
          {live.status === "failed" && live.error?.message && (
            <span className="ml-1 truncate text-red-700" title={live.error.message}>
              {live.error.message}
            </span>
          )}
        </div>
      )}
      {streamed && (!live || live.status === "running" || live.status === "succeeded") && (
        <output
          aria-label={`${name}: streamed output`}
          className={`block max-h-20 overflow-hidden border-t border-slate-100 px-3 py-1 text-[11px] leading-snug whitespace-pre-wrap break-words ${
            live?.status === "succeeded" ? "text-slate-500" : "text-slate-800"
          }`}
        >
          {streamed.length > 240 ? `…${streamed.slice(-240)}` : streamed}
          {live?.status !== "succeeded" && <span className="ml-0.5 animate-pulse text-violet-600">▍</span>}
        </output>
      )}
      {outcomes.map((o, i) => (
        <Handle
          key={o.handle ?? "default"}
          type="source"
          id={o.handle ?? "default"}
          position={Position.Right}
          style={{ top: many ? `${((i + 1) / (outcomes.length + 1)) * 100}%` : "50%" }}
          className="!h-3 !w-3 !bg-slate-700"
          aria-label={`${name}: ${o.label}`}
        >
          {many && (
            <span className="pointer-events-none absolute right-3 -top-2 whitespace-nowrap rounded bg-white px-1 text-[10px] text-slate-500">
              {o.label}
            </span>
          )}
        </Handle>
      ))}
      {outcomes.length > 0 && (
        <button
          type="button"
          className="nodrag nopan absolute -right-3 -bottom-3 flex h-6 w-6 items-center justify-center rounded-full border border-slate-300 bg-white text-slate-700 shadow hover:bg-blue-50 hover:text-blue-700"
          aria-label={`Add step after ${name}`}
          title="Add the next step"
          onClick={(e) => {
            e.stopPropagation();
            openPalette({ nodeId: id, handle: outcomes[0].handle });
          }}
        >
          <Icon path="M12 5v14 M5 12h14" size={14} />
        </button>
      )}
    </article>
  );
});

export const NoteNode = memo(function NoteNode({ id, data, selected }: NodeProps<CanvasNode>) {
  countRender("node");
  const text = String(data.config?.text ?? "");
  return (
    <aside
      aria-label={`Note: ${data.name || text.slice(0, 40) || id}`}
      className={`w-56 rounded-md border bg-yellow-100 p-3 text-sm whitespace-pre-wrap text-yellow-950 shadow ${
        selected ? "border-blue-600 ring-2 ring-blue-300" : "border-yellow-300"
      }`}
    >
      {data.name && <div className="mb-1 font-semibold">{data.name}</div>}
      {text || <span className="text-yellow-800/70">Empty note — select it to write.</span>}
    </aside>
  );
});

/**
 * nodeTypes for React Flow, defined once at module scope (a new object per render remounts every
 * node). A type that never runs (`inert`, the note) is drawn as a sticky note.
 */
export const nodeTypes = Object.fromEntries(
  NODE_TYPE_IDS.map((t) => [t, runsInEngine(t) ? StepNode : NoteNode]),
) as Record<NodeTypeId, typeof StepNode>;
