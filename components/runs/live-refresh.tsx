"use client";
// Follows a run that is still going: listens to its event stream (SSE, /api/runs/<id>/events)
// and re-renders the server page at most twice a second, until the run ends.
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

const TERMINAL = new Set(["run.succeeded", "run.failed", "run.cancelled"]);

export function LiveRefresh({ runId, afterSeq }: { runId: string; afterSeq: number }) {
  const router = useRouter();
  const [state, setState] = useState<"live" | "ended" | "offline">("live");
  useEffect(() => {
    const source = new EventSource(`/api/runs/${encodeURIComponent(runId)}/events?after=${afterSeq}`);
    let timer: ReturnType<typeof setTimeout> | null = null;
    const refresh = () => {
      timer ??= setTimeout(() => {
        timer = null;
        router.refresh();
      }, 500);
    };
    const onEvent = (e: MessageEvent) => {
      refresh();
      let type = e.type;
      try {
        type = (JSON.parse(e.data) as { type?: string }).type ?? type;
      } catch {
        // keep the SSE event name
      }
      if (TERMINAL.has(type)) {
        setState("ended");
        source.close();
      }
    };
    source.onmessage = onEvent;
    source.addEventListener("end", () => {
      refresh();
      setState("ended");
      source.close();
    });
    source.onerror = () => setState((s) => (s === "ended" ? s : "offline"));
    return () => {
      if (timer) clearTimeout(timer);
      source.close();
    };
  }, [runId, afterSeq, router]);
  return (
    <p role="status" className="text-xs text-slate-500">
      {state === "live"
        ? "Live: this page updates as the run goes on."
        : state === "ended"
          ? "The run has ended."
          : "Live updates paused; reload to refresh."}
    </p>
  );
}
