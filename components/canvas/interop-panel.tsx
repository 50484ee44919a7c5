"use client";
// "Offer to other agents": the workflow's published version as a tool on /api/mcp and as an A2A
// agent with its own card. Callers authenticate with an API key (Settings → API keys).
import { useEffect, useState } from "react";
import { getWorkflowExposureAction, setWorkflowExposureAction } from "@/app/(app)/workflows/interop-actions";

export function InteropPanel({ workflowId, canChange }: { workflowId: string; canChange: boolean }) {
  const [state, setState] = useState<{ exposeMcp: boolean; exposeA2a: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  useEffect(() => {
    void getWorkflowExposureAction({ workflowId }).then((r) => (r.ok ? setState(r.data) : setError(r.error.message)));
  }, [workflowId]);

  async function change(patch: { exposeMcp?: boolean; exposeA2a?: boolean }) {
    setPending(true);
    const r = await setWorkflowExposureAction({ workflowId, ...patch });
    setPending(false);
    if (r.ok) {
      setState(r.data);
      setError(null);
    } else setError(r.error.message);
  }

  const origin = typeof window === "undefined" ? "" : window.location.origin;
  return (
    <section aria-labelledby="interop-heading" className="mb-4 space-y-2 rounded border border-slate-200 p-3">
      <h3 id="interop-heading" className="text-sm font-semibold text-slate-900">
        Offer to other agents
      </h3>
      <p className="text-xs text-slate-600">
        The latest published version, for callers with an API key of this workspace.
      </p>
      {error ? (
        <p role="alert" className="text-xs text-red-700">
          {error}
        </p>
      ) : null}
      {state ? (
        <div className="space-y-2 text-sm">
          <label className="flex items-start gap-2">
            <input
              type="checkbox"
              checked={state.exposeMcp}
              disabled={!canChange || pending}
              onChange={(e) => void change({ exposeMcp: e.target.checked })}
            />
            <span>
              As an MCP tool
              <span className="block text-xs text-slate-600">
                On <code>{origin}/api/mcp</code> (Streamable HTTP)
              </span>
            </span>
          </label>
          <label className="flex items-start gap-2">
            <input
              type="checkbox"
              checked={state.exposeA2a}
              disabled={!canChange || pending}
              onChange={(e) => void change({ exposeA2a: e.target.checked })}
            />
            <span>
              As an A2A agent
              <span className="block text-xs break-all text-slate-600">
                Card: <code>{`${origin}/api/a2a/${workflowId}/.well-known/agent-card.json`}</code>
              </span>
            </span>
          </label>
        </div>
      ) : (
        <p className="text-xs text-slate-600">Loading…</p>
      )}
    </section>
  );
}
