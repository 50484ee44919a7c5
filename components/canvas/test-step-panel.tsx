"use client";
// "Test this step" in the side panel: runs the selected step alone with the data of an earlier
// run or a sample input (no run is created), shows what it answered, and pins that answer as
// the step's sample output so later steps can be tested without running this one again.
import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { testStepAction, testStepRunsAction } from "@/app/(app)/workflows/test-step-actions";
import type { ActionError } from "@/lib/contracts/app-errors";
import type { TestStepResult } from "@/lib/engine";
import { Button } from "../ui/button";
import { relativeText } from "../ui/relative-time";
import { useEditor, useEditorApi } from "./editor-context";
import { InputForm, type InputSchema, initialInput } from "./input-form";

type Result = TestStepResult & { usedRunId: string | null };

export function TestStepPanel({ nodeId, workflowId }: { nodeId: string; workflowId: string }) {
  const api = useEditorApi();
  const base = useId();
  const schema = useEditor((s) => s.meta.input) as InputSchema;
  const pinned = useEditor((s) => s.nodes.find((n) => n.id === nodeId)?.data.pinned) as { output: unknown } | undefined;
  const [open, setOpen] = useState(false);
  const [source, setSource] = useState<"run" | "sample">("run");
  const [runId, setRunId] = useState("");
  const [sample, setSample] = useState<Record<string, unknown>>(() => initialInput(schema));
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<ActionError | null>(null);
  const runs = useQuery({
    queryKey: ["test-step-runs", workflowId, nodeId],
    queryFn: async () => {
      const r = await testStepRunsAction({ id: workflowId, nodeId });
      return r.ok ? r.data : [];
    },
    enabled: open,
  });
  const earlier = runs.data ?? [];
  const chosenRun = source === "run" ? runId || earlier[0]?.runId || "" : "";

  async function test() {
    setBusy(true);
    setError(null);
    const request = chosenRun ? { nodeId, fromRunId: chosenRun } : { nodeId, input: sample };
    const r = await testStepAction({ id: workflowId, document: api.getState().toDocument(), request });
    setBusy(false);
    if (r.ok) setResult(r.data);
    else {
      setResult(null);
      setError(r.error);
    }
  }

  function pin(output: unknown) {
    api.getState().updateNodeData(nodeId, { pinned: { output, pinnedAt: new Date().toISOString() } }, "pinned");
  }

  return (
    <details
      className="rounded border border-slate-200 p-2 text-xs"
      open={open}
      onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}
    >
      <summary className="cursor-pointer font-medium text-slate-800">Test this step</summary>
      <div className="mt-2 space-y-2">
        <p className="text-slate-600">
          Runs only this step, now, without starting the workflow. It really calls its model, address or tool.
        </p>
        <fieldset className="space-y-1">
          <legend className="mb-0.5 font-medium text-slate-800">Data to test with</legend>
          <label className="flex items-center gap-2">
            <input type="radio" name={`${base}-src`} checked={source === "run"} onChange={() => setSource("run")} />
            What it received in an earlier run
          </label>
          <label className="flex items-center gap-2">
            <input
              type="radio"
              name={`${base}-src`}
              checked={source === "sample"}
              onChange={() => setSource("sample")}
            />
            A sample input
          </label>
        </fieldset>
        {source === "run" &&
          (earlier.length === 0 ? (
            <p className="text-slate-600">
              {runs.isLoading ? "Looking for earlier runs…" : "No earlier run reached this step. Use a sample input."}
            </p>
          ) : (
            <label className="block">
              <span className="mb-0.5 block text-slate-800">Earlier run</span>
              <select
                className="w-full rounded border border-slate-300 px-2 py-1"
                value={chosenRun}
                onChange={(e) => setRunId(e.target.value)}
              >
                {earlier.map((r) => (
                  <option key={r.runId} value={r.runId}>
                    {relativeText(r.createdAt)} · {r.status}
                  </option>
                ))}
              </select>
            </label>
          ))}
        {source === "sample" && <InputForm schema={schema} value={sample} onChange={setSample} errors={{}} />}
        <Button size="sm" loading={busy} disabled={source === "run" && !chosenRun} onClick={test}>
          Test step
        </Button>
        {error && (
          <p role="alert" className="rounded border border-red-300 bg-red-50 p-2 text-red-900">
            {error.message}
          </p>
        )}
        {result && <TestOutcome result={result} onPin={pin} />}
        {pinned !== undefined && (
          <div className="rounded border border-sky-200 bg-sky-50 p-2">
            <p className="font-medium text-sky-900">Pinned sample output</p>
            <p className="text-sky-900">Testing later steps reads this instead of running this step. Runs ignore it.</p>
            <pre className="mt-1 max-h-32 overflow-auto whitespace-pre-wrap break-words">{show(pinned.output)}</pre>
            <Button
              size="sm"
              variant="secondary"
              onClick={() => api.getState().updateNodeData(nodeId, { pinned: undefined }, "pinned")}
            >
              Unpin
            </Button>
          </div>
        )}
      </div>
    </details>
  );
}

function TestOutcome({ result, onPin }: { result: Result; onPin(output: unknown): void }) {
  if (result.status === "failed") {
    return (
      <div role="status" className="rounded border border-red-300 bg-red-50 p-2 text-red-900">
        <p className="font-medium">The step failed ({result.durationMs} ms)</p>
        <p>{result.error.message}</p>
      </div>
    );
  }
  if (result.status === "wouldWait") {
    return (
      <div role="status" className="rounded border border-amber-300 bg-amber-50 p-2 text-amber-900">
        <p className="font-medium">
          {result.waitingFor === "approval"
            ? "A run would wait here for a person"
            : "A run would start a child run here"}
        </p>
        {result.title && <p>“{result.title}”</p>}
        <p>Nothing was sent to the inbox: this was a test.</p>
      </div>
    );
  }
  return (
    <div role="status" className="rounded border border-emerald-300 bg-emerald-50 p-2 text-emerald-950">
      <p className="font-medium">
        Succeeded in {result.durationMs} ms
        {result.usage ? ` · ${result.usage.inputTokens + result.usage.outputTokens} tokens` : ""}
        {result.usage?.costUsd ? ` · $${result.usage.costUsd.toFixed(4)}` : ""}
      </p>
      <p className="mt-1 text-emerald-900">Output</p>
      <pre className="max-h-48 overflow-auto whitespace-pre-wrap break-words">{show(result.output)}</pre>
      <Button size="sm" variant="secondary" onClick={() => onPin(result.output)}>
        Pin this output
      </Button>
    </div>
  );
}

function show(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}
