"use client";
// Running from the editor: the run dialog (input form from the input schema), the live
// connection to the run's event stream (SSE; the browser's EventSource resumes from the last
// event id after a drop), running totals, cancel, and the clicked node's step details.
import { useCallback, useEffect, useState } from "react";
import { cancelRunAction, runStepsAction, startRunAction } from "@/app/(app)/workflows/run-actions";
import { Alert, Button, Dialog } from "@/components/ui";
import type { LiveEventMessage, RunEventMessage } from "@/lib/canvas/run-state";
import type { ActionError } from "@/lib/contracts/app-errors";
import { useEditor, useLiveRun, useRunApi } from "./editor-context";
import { Icon, STATUS_META } from "./icons";
import { InputForm, type InputSchema, initialInput } from "./input-form";

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

/** Follows a run's event stream into the live run store. */
export function useRunStream(runId: string | null) {
  const api = useRunApi();
  useEffect(() => {
    if (!runId) return;
    const source = new EventSource(`/api/runs/${encodeURIComponent(runId)}/events`);
    let buffer: RunEventMessage[] = [];
    let frame = 0;
    const flush = () => {
      frame = 0;
      const batch = buffer;
      buffer = [];
      api.getState().apply(batch);
      if (api.getState().status && TERMINAL.has(api.getState().status!)) source.close();
    };
    const onEvent = (e: MessageEvent) => {
      try {
        const parsed = JSON.parse(e.data) as { seq?: number; type?: string; data?: Record<string, unknown> };
        const seq = Number(e.lastEventId || parsed.seq);
        buffer.push({ seq, type: parsed.type ?? e.type, data: parsed.data ?? {} });
        // batch events arriving together into one store update per frame
        if (!frame) frame = requestAnimationFrame(flush);
      } catch {
        // a malformed event is ignored; the next one carries on
      }
    };
    source.onmessage = onEvent;
    // streamed tokens: `event: live`, no id (not in the event log), batched per frame too
    let live: LiveEventMessage[] = [];
    let liveFrame = 0;
    source.addEventListener("live", (e: MessageEvent) => {
      try {
        live.push(JSON.parse(e.data) as LiveEventMessage);
      } catch {
        return;
      }
      liveFrame ||= requestAnimationFrame(() => {
        liveFrame = 0;
        const batch = live;
        live = [];
        api.getState().applyLive(batch);
      });
    });
    source.onopen = () => api.getState().setConnected(true);
    source.onerror = () => api.getState().setConnected(false);
    return () => {
      if (frame) cancelAnimationFrame(frame);
      if (liveFrame) cancelAnimationFrame(liveFrame);
      source.close();
    };
  }, [runId, api]);
}

export function RunDialog({
  workflowId,
  open,
  onClose,
  onStarted,
}: {
  workflowId: string;
  open: boolean;
  onClose(): void;
  onStarted(runId: string): void;
}) {
  const schema = useEditor((s) => s.meta.input) as InputSchema;
  const [value, setValue] = useState<Record<string, unknown>>(() => initialInput(schema));
  const [error, setError] = useState<ActionError | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (open) setValue((v) => (Object.keys(v).length ? v : initialInput(schema)));
  }, [open, schema]);
  const fieldErrors: Record<string, string> = {};
  for (const f of error?.fieldErrors ?? []) {
    const key = f.path.replace(/^input\.?/, "").split(/[.[/]/)[0] || "";
    if (key) fieldErrors[key] = f.message;
  }
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Run this workflow"
      description="Fill in the input and start. Steps light up on the canvas as they run. Agents on the simulated model answer instantly and offline."
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button
            loading={busy}
            onClick={async () => {
              setBusy(true);
              const r = await startRunAction({ id: workflowId, input: value });
              setBusy(false);
              if (r.ok) {
                setError(null);
                onStarted(r.data.runId);
                onClose();
              } else setError(r.error);
            }}
          >
            Start run
          </Button>
        </>
      }
    >
      <InputForm schema={schema} value={value} onChange={setValue} errors={fieldErrors} />
      {error && (
        <div role="alert" className="mt-3 rounded border border-red-300 bg-red-50 p-2 text-sm text-red-900">
          <p>{error.message}</p>
          {error.fieldErrors && Object.keys(fieldErrors).length === 0 && (
            <ul className="mt-1 list-disc pl-5 text-xs">
              {error.fieldErrors.map((f) => (
                <li key={`${f.path}|${f.message}`}>
                  {f.path}: {f.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </Dialog>
  );
}

type StepRow = {
  nodeId: string;
  visit: number;
  attempt: number;
  status: string;
  input: { value: unknown; preview: string | null };
  output: { value: unknown; preview: string | null };
  error: { value: unknown; preview: string | null };
  model: string | null;
  simulated: boolean;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  durationMs: number | null;
};

const show = (p: { value: unknown; preview: string | null }) =>
  p.preview ??
  (p.value === null || p.value === undefined
    ? "—"
    : typeof p.value === "string"
      ? p.value
      : JSON.stringify(p.value, null, 2));

export function RunPanel({ selectedNodeId }: { selectedNodeId: string | null }) {
  const runId = useLiveRun((s) => s.runId);
  const status = useLiveRun((s) => s.status);
  const inTok = useLiveRun((s) => s.inputTokens);
  const outTok = useLiveRun((s) => s.outputTokens);
  const cost = useLiveRun((s) => s.costUsd);
  const lastSeq = useLiveRun((s) => s.lastSeq);
  const runError = useLiveRun((s) => s.error);
  const stepTotals = useLiveRun((s) => {
    let i = 0;
    let o = 0;
    let c = 0;
    for (const st of Object.values(s.steps)) {
      i += st.inputTokens;
      o += st.outputTokens;
      c += st.costUsd;
    }
    return `${i}|${o}|${c}`;
  });
  const nodeName = useEditor((s) =>
    selectedNodeId ? (s.nodes.find((n) => n.id === selectedNodeId)?.data.name ?? selectedNodeId) : null,
  );
  const streamed = useLiveRun((s) => (selectedNodeId ? s.live[selectedNodeId]?.text : undefined));
  const liveStatus = useLiveRun((s) => (selectedNodeId ? s.steps[selectedNodeId]?.status : undefined));
  const [steps, setSteps] = useState<StepRow[]>([]);
  const [approvals, setApprovals] = useState<{ id: string; nodeId: string; status: string }[]>([]);
  const [cancelling, setCancelling] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    if (!runId) return;
    const r = await runStepsAction({ runId });
    if (r.ok) {
      setSteps(r.data.steps as unknown as StepRow[]);
      setApprovals(r.data.approvals);
    }
  }, [runId]);
  // refresh step details when the selected node changes or the run moves on (throttled by seq)
  // biome-ignore lint/correctness/useExhaustiveDependencies: lastSeq triggers the refresh
  useEffect(() => {
    void load();
  }, [load, selectedNodeId, lastSeq]);

  if (!runId) {
    return (
      <section aria-label="Run" className="text-sm text-slate-600">
        <p>
          No run yet. Press <strong>Run</strong> in the toolbar to try this workflow; each step shows its status here
          and on the canvas.
        </p>
      </section>
    );
  }
  // totals: prefer the run's usage events, else the sum over steps
  const [si, so, sc] = stepTotals.split("|").map(Number);
  const tokens = inTok + outTok || si + so;
  const usd = cost || sc;
  const meta = status ? STATUS_META[status === "queued" ? "pending" : status] : null;
  const mine = steps.filter((s) => s.nodeId === selectedNodeId);
  const approval = approvals.find((a) => a.nodeId === selectedNodeId && a.status === "pending");
  return (
    <section aria-label="Run" className="space-y-3 text-sm">
      <div className="flex items-center gap-2">
        {meta && (
          <span
            role="status"
            aria-label={`Run ${meta.label}`}
            className={`flex items-center gap-1 font-medium ${meta.className}`}
          >
            <Icon path={meta.icon} className={status === "running" ? "animate-spin" : ""} />
            Run {meta.label.toLowerCase()}
          </span>
        )}
        <a className="ml-auto text-xs text-blue-700 underline" href={`/runs/${runId}`}>
          Open run history
        </a>
      </div>
      <dl className="grid grid-cols-2 gap-1 text-xs">
        <dt className="text-slate-500">Tokens</dt>
        <dd>
          <output aria-label="Tokens used">{tokens.toLocaleString()}</output>
        </dd>
        <dt className="text-slate-500">Cost</dt>
        <dd>
          <output aria-label="Cost so far">${usd.toFixed(4)}</output>
        </dd>
      </dl>
      {runError?.message && <Alert className="text-xs">{runError.message}</Alert>}
      {status && !TERMINAL.has(status) && (
        <Button
          variant="danger"
          size="sm"
          loading={cancelling}
          onClick={async () => {
            setCancelling(true);
            const r = await cancelRunAction({ runId });
            setCancelling(false);
            if (!r.ok) setError(r.error.message);
          }}
        >
          <Icon path="M6 6h12v12H6z" /> Cancel run
        </Button>
      )}
      {error && <p className="text-xs text-red-700">{error}</p>}
      {selectedNodeId ? (
        <div className="space-y-2 border-t border-slate-200 pt-2">
          <h3 className="font-medium text-slate-900">Step: {nodeName}</h3>
          {approval && (
            <a className="block text-blue-700 underline" href={`/inbox/${approval.id}`}>
              Waiting for a person: open it in the inbox
            </a>
          )}
          {streamed && (
            <div className="space-y-1 rounded border border-violet-200 bg-violet-50 p-2 text-xs">
              <p className="font-medium text-violet-900">
                {liveStatus === "running" ? "Live output (streaming)" : "Streamed output"}
              </p>
              <output
                aria-label="Live output"
                className="block max-h-48 overflow-auto whitespace-pre-wrap text-slate-900"
              >
                {streamed}
              </output>
            </div>
          )}
          {mine.length === 0 && <p className="text-xs text-slate-600">This step has not run (yet).</p>}
          {mine.map((s) => (
            <article
              key={`${s.visit}-${s.attempt}`}
              aria-label={`Attempt ${s.attempt} of visit ${s.visit}`}
              className="space-y-1 rounded border border-slate-200 p-2 text-xs"
            >
              <p>
                <strong>{s.status}</strong> · visit {s.visit}, attempt {s.attempt}
                {s.durationMs !== null ? ` · ${s.durationMs} ms` : ""}
              </p>
              <p>
                Tokens {s.inputTokens} in / {s.outputTokens} out · ${s.costUsd.toFixed(4)}
                {s.model && s.model !== "simulated" ? ` · ${s.model}` : ""}
                {s.simulated && <span className="ml-1 rounded bg-violet-100 px-1 text-violet-900">simulated</span>}
              </p>
              <Block label="Input" text={show(s.input)} />
              <Block label={s.simulated ? "Output (simulated)" : "Output"} text={show(s.output)} />
              {(s.error.value !== null || s.error.preview) && <Block label="Error" text={show(s.error)} error />}
            </article>
          ))}
        </div>
      ) : (
        <p className="text-xs text-slate-600">
          Click a step on the canvas to see its input, output, error, attempts, tokens and cost.
        </p>
      )}
    </section>
  );
}

function Block({ label, text, error }: { label: string; text: string; error?: boolean }) {
  return (
    <details open={error || undefined}>
      <summary className={`cursor-pointer ${error ? "text-red-800" : "text-slate-700"}`}>{label}</summary>
      <pre
        className={`mt-1 max-h-48 overflow-auto rounded p-1.5 whitespace-pre-wrap ${error ? "bg-red-50 text-red-900" : "bg-slate-50"}`}
      >
        {text}
      </pre>
    </details>
  );
}
