"use client";
// Version history: who published which version when, a readable diff between any two
// (or a version and the current draft), and restore a version as the draft.
import { useCallback, useEffect, useState } from "react";
import { getVersionAction, listVersionsAction } from "@/app/(app)/workflows/actions";
import { Button } from "@/components/ui";
import { diffWorkflows, type WorkflowDiff } from "@/lib/canvas/diff";
import { useEditorApi } from "./editor-context";

type Version = { id: string; version: number; note: string; createdAt: string; publishedBy: string | null };

const fmt = (v: unknown) => {
  const s = typeof v === "string" ? v : JSON.stringify(v);
  if (s === undefined) return "(none)";
  return s.length > 120 ? `${s.slice(0, 119)}…` : s;
};

export function VersionsPanel({
  workflowId,
  refreshKey,
  canRestore,
  onRestore,
}: {
  workflowId: string;
  refreshKey: number;
  canRestore: boolean;
  onRestore(version: number): void;
}) {
  const api = useEditorApi();
  const [versions, setVersions] = useState<Version[] | null>(null);
  const [from, setFrom] = useState<string>("");
  const [to, setTo] = useState<string>("draft");
  const [diff, setDiff] = useState<WorkflowDiff | null>(null);
  const [error, setError] = useState<string | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshKey reloads after publish/restore
  useEffect(() => {
    void listVersionsAction({ id: workflowId }).then((r) => {
      if (r.ok) {
        setVersions(r.data);
        if (r.data[0]) setFrom((f) => f || String(r.data[0].version));
      } else setError(r.error.message);
    });
  }, [workflowId, refreshKey]);

  const load = useCallback(
    async (which: string): Promise<Record<string, unknown> | null> => {
      if (which === "draft") return api.getState().toDocument() as unknown as Record<string, unknown>;
      const r = await getVersionAction({ id: workflowId, version: Number(which) });
      if (!r.ok) {
        setError(r.error.message);
        return null;
      }
      return r.data;
    },
    [api, workflowId],
  );

  if (!versions) return <p className="text-sm text-slate-600">Loading versions…</p>;
  if (versions.length === 0) {
    return (
      <section aria-label="Versions" className="text-sm text-slate-600">
        <p>
          Nothing published yet. Publishing saves an immutable version that runs are pinned to; edits to the draft never
          change it.
        </p>
      </section>
    );
  }
  const options = [
    { value: "draft", label: "Current draft" },
    ...versions.map((v) => ({ value: String(v.version), label: `Version ${v.version}` })),
  ];
  return (
    <section aria-label="Versions" className="space-y-3 text-sm">
      <ol className="space-y-1">
        {versions.map((v) => (
          <li key={v.id} className="flex items-center gap-2 rounded border border-slate-200 p-2 text-xs">
            <div className="flex-1">
              <p className="font-medium text-slate-900">Version {v.version}</p>
              <p className="text-slate-600">
                {new Date(v.createdAt).toLocaleString()} · {v.publishedBy ?? "unknown"}
                {v.note ? ` · ${v.note}` : ""}
              </p>
            </div>
            {canRestore && (
              <Button
                size="sm"
                variant="secondary"
                aria-label={`Restore version ${v.version}`}
                onClick={() => onRestore(v.version)}
              >
                Restore
              </Button>
            )}
          </li>
        ))}
      </ol>
      <fieldset className="space-y-2 border-t border-slate-200 pt-2">
        <legend className="text-sm font-medium text-slate-900">Compare</legend>
        <div className="flex items-center gap-1 text-xs">
          <label className="sr-only" htmlFor="diff-from">
            Compare from
          </label>
          <select
            id="diff-from"
            className="rounded border border-slate-300 px-1 py-0.5"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
          >
            {options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
          <span>→</span>
          <label className="sr-only" htmlFor="diff-to">
            Compare to
          </label>
          <select
            id="diff-to"
            className="rounded border border-slate-300 px-1 py-0.5"
            value={to}
            onChange={(e) => setTo(e.target.value)}
          >
            {options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
          <Button
            size="sm"
            variant="secondary"
            onClick={async () => {
              const [a, b] = await Promise.all([load(from), load(to)]);
              if (a && b) setDiff(diffWorkflows(a as never, b as never));
            }}
          >
            Show changes
          </Button>
        </div>
        {error && <p className="text-xs text-red-700">{error}</p>}
        {diff && <DiffView diff={diff} />}
      </fieldset>
    </section>
  );
}

function DiffView({ diff }: { diff: WorkflowDiff }) {
  if (diff.empty) {
    return (
      <section aria-label="Changes" className="text-xs text-slate-600">
        No changes{diff.moved.length ? ` (only moved: ${diff.moved.join(", ")})` : ""}.
      </section>
    );
  }
  return (
    <section aria-label="Changes" className="space-y-1 text-xs">
      {diff.meta.map((c) => (
        <p key={c.path}>
          Workflow <code>{c.path}</code>: {fmt(c.before)} → {fmt(c.after)}
        </p>
      ))}
      {diff.added.map((n) => (
        <p key={`a-${n.id}`} className="text-green-800">
          + Added step “{n.name}” ({n.type})
        </p>
      ))}
      {diff.removed.map((n) => (
        <p key={`r-${n.id}`} className="text-red-800">
          − Removed step “{n.name}” ({n.type})
        </p>
      ))}
      {diff.changed.map((n) => (
        <div key={`c-${n.id}`}>
          <p className="font-medium">~ Changed “{n.name}”</p>
          <ul className="pl-4">
            {n.changes.map((c) => (
              <li key={c.path}>
                <code>{c.path}</code>: {fmt(c.before)} → {fmt(c.after)}
              </li>
            ))}
          </ul>
        </div>
      ))}
      {diff.edgesAdded.map((e) => (
        <p key={`ea-${e}`} className="text-green-800">
          + Connection {e}
        </p>
      ))}
      {diff.edgesRemoved.map((e) => (
        <p key={`er-${e}`} className="text-red-800">
          − Connection {e}
        </p>
      ))}
      {diff.moved.length > 0 && <p className="text-slate-500">Moved: {diff.moved.join(", ")}</p>}
    </section>
  );
}
