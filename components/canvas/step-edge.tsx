"use client";
// An edge with its outcome label. During a run, a taken edge animates (and is drawn solid and
// dark); the run state is read per edge so a status change re-renders only that edge.
import { BaseEdge, EdgeLabelRenderer, type EdgeProps, getBezierPath } from "@xyflow/react";
import { memo } from "react";
import { takenKey } from "@/lib/canvas/run-state";
import type { CanvasEdge } from "@/lib/canvas/types";
import { useLiveRun } from "./editor-context";

export const StepEdge = memo(function StepEdge(props: EdgeProps<CanvasEdge>) {
  const { id, source, target, sourceHandleId, label, selected, markerEnd } = props;
  const [path, labelX, labelY] = getBezierPath(props);
  const taken = useLiveRun(
    (s) =>
      !!(
        s.taken[id] ||
        s.taken[takenKey(source, sourceHandleId, target)] ||
        (!sourceHandleId && s.taken[`${source}|*|${target}`])
      ),
  );
  const active = useLiveRun((s) => s.status === "running" || s.status === "queued");
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        markerEnd={markerEnd}
        style={{
          stroke: selected ? "#2563eb" : taken ? "#15803d" : "#94a3b8",
          strokeWidth: selected || taken ? 2.5 : 1.5,
          strokeDasharray: taken && active ? "6 4" : undefined,
          animation: taken && active ? "sb-dash 0.6s linear infinite" : undefined,
        }}
      />
      {label && (
        <EdgeLabelRenderer>
          <div
            className="nodrag nopan pointer-events-none absolute rounded border border-slate-200 bg-white px-1.5 py-0.5 text-[11px] text-slate-700"
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          >
            {String(label)}
            {taken && <span className="sr-only"> (taken)</span>}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
});

export const edgeTypes = { step: StepEdge };
