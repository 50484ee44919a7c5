"use client";
// A running step's output as its model streams it: listens to the run's event stream for
// `event: live` messages (tokens, never stored) and shows each streaming step's text growing.
// When a step ends its text leaves this panel; the page (LiveRefresh) then shows the stored output.
import { useEffect, useState } from "react";
import { type LiveEventMessage, type LiveRunState, reduceLiveEvents } from "@/lib/canvas/run-state";

const ENDS = new Set(["step.succeeded", "step.failed", "step.cancelled", "step.retrying", "step.interrupted"]);
const TERMINAL = new Set(["run.succeeded", "run.failed", "run.cancelled"]);

export function LiveOutput({ runId, afterSeq }: { runId: string; afterSeq: number }) {
  const [live, setLive] = useState<LiveRunState["live"]>({});
  // the page re-renders as the run moves on (LiveRefresh): keep the one connection it opened with
  const [from] = useState(afterSeq);
  useEffect(() => {
    const source = new EventSource(`/api/runs/${encodeURIComponent(runId)}/events?after=${from}`);
    let pending: LiveEventMessage[] = [];
    let frame = 0;
    source.addEventListener("live", (e: MessageEvent) => {
      try {
        pending.push(JSON.parse(e.data) as LiveEventMessage);
      } catch {
        return;
      }
      frame ||= requestAnimationFrame(() => {
        frame = 0;
        const batch = pending;
        pending = [];
        setLive((cur) => reduceLiveEvents({ live: cur } as LiveRunState, batch).live);
      });
    });
    source.onmessage = (e: MessageEvent) => {
      try {
        const ev = JSON.parse(e.data) as { type?: string; data?: { nodeId?: string } };
        if (ev.type && TERMINAL.has(ev.type)) source.close();
        const nodeId = ev.data?.nodeId;
        if (ev.type && ENDS.has(ev.type) && nodeId)
          setLive((cur) => {
            if (!cur[nodeId]) return cur;
            const { [nodeId]: _ended, ...rest } = cur;
            return rest;
          });
      } catch {
        // a malformed event is ignored
      }
    };
    return () => {
      if (frame) cancelAnimationFrame(frame);
      source.close();
    };
  }, [runId, from]);
  const entries = Object.entries(live);
  if (entries.length === 0) return null;
  return (
    <section aria-label="Streaming now" className="mb-4 space-y-2 rounded-lg border border-violet-200 bg-violet-50 p-4">
      <h2 className="text-sm font-semibold text-violet-900">Streaming now</h2>
      {entries.map(([nodeId, t]) => (
        <figure key={nodeId} className="space-y-1">
          <figcaption className="text-xs text-violet-900">
            Step <code className="font-mono">{nodeId}</code> · visit {t.visit}, attempt {t.attempt}
          </figcaption>
          <output
            aria-label={`Live output of ${nodeId}`}
            className="block max-h-64 overflow-auto rounded bg-white p-2 font-mono text-sm whitespace-pre-wrap text-slate-900"
          >
            {t.text}
            <span className="ml-0.5 animate-pulse text-violet-600">▍</span>
          </output>
        </figure>
      ))}
    </section>
  );
}
