"use client";
// The workflows list with search, sort and every per-workflow action. Import shows every
// problem of a rejected document; nothing is saved then.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useRef, useState, useTransition } from "react";
import {
  createWorkflowAction,
  deleteWorkflowAction,
  duplicateWorkflowAction,
  exportWorkflowAction,
  importWorkflowAction,
  renameWorkflowAction,
} from "@/app/(app)/workflows/actions";
import { Alert, Button, ConfirmDialog, Dialog, EmptyState } from "@/components/ui";
import { RelativeTime } from "@/components/ui/relative-time";
import type { ActionError } from "@/lib/contracts/app-errors";

export interface WorkflowRow {
  id: string;
  name: string;
  description: string;
  updatedAt: string;
  createdAt: string;
  updatedBy: string | null;
  latestVersion: number | null;
  nodeCount: number;
}

export interface TemplateRow {
  id: string;
  name: string;
  description: string;
}

type Sort = "updated" | "name" | "created";

export function downloadJson(filename: string, json: string) {
  const url = URL.createObjectURL(new Blob([json], { type: "application/json" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function WorkflowList({
  workflows,
  templates,
  canEdit,
  canDelete,
}: {
  workflows: WorkflowRow[];
  templates: TemplateRow[];
  canEdit: boolean;
  canDelete: boolean;
}) {
  const router = useRouter();
  const [q, setQ] = useState("");
  const [sort, setSort] = useState<Sort>("updated");
  const [newOpen, setNewOpen] = useState(false);
  const [importOpen, setImportOpen] = useState(false);
  const [renaming, setRenaming] = useState<WorkflowRow | null>(null);
  const [deleting, setDeleting] = useState<WorkflowRow | null>(null);
  const [error, setError] = useState<ActionError | null>(null);
  const [pending, start] = useTransition();

  const shown = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const list = workflows.filter(
      (w) => !needle || w.name.toLowerCase().includes(needle) || w.description.toLowerCase().includes(needle),
    );
    return [...list].sort((a, b) =>
      sort === "name"
        ? a.name.localeCompare(b.name, undefined, { sensitivity: "base" })
        : sort === "created"
          ? b.createdAt.localeCompare(a.createdAt)
          : b.updatedAt.localeCompare(a.updatedAt),
    );
  }, [workflows, q, sort]);

  const run = <T,>(p: Promise<{ ok: true; data: T } | { ok: false; error: ActionError }>, then: (d: T) => void) =>
    start(async () => {
      const r = await p;
      if (r.ok) {
        setError(null);
        then(r.data);
      } else setError(r.error);
    });

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-3">
        <label className="flex flex-col text-sm text-slate-700">
          Search
          <input
            type="search"
            className="mt-1 w-64 rounded-md border border-slate-300 px-3 py-1.5"
            placeholder="Name or description"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
        </label>
        <label className="flex flex-col text-sm text-slate-700">
          Sort by
          <select
            className="mt-1 rounded-md border border-slate-300 px-2 py-1.5"
            value={sort}
            onChange={(e) => setSort(e.target.value as Sort)}
          >
            <option value="updated">Last changed</option>
            <option value="name">Name</option>
            <option value="created">Newest</option>
          </select>
        </label>
        <div className="ml-auto flex gap-2">
          {canEdit && (
            <>
              <Button variant="secondary" onClick={() => setImportOpen(true)}>
                Import JSON
              </Button>
              <Button onClick={() => setNewOpen(true)}>New workflow</Button>
            </>
          )}
        </div>
      </div>

      {error && !importOpen && <Alert>{error.message}</Alert>}

      {workflows.length === 0 ? (
        <EmptyState
          title="No workflows yet"
          description="A workflow connects AI agents, people and tools. Start from a template to see one that works, or build your own from a blank canvas."
          action={
            canEdit ? (
              <>
                <Button onClick={() => setNewOpen(true)}>Create your first workflow</Button>
                <Button variant="secondary" onClick={() => setImportOpen(true)}>
                  Import JSON
                </Button>
              </>
            ) : undefined
          }
        />
      ) : shown.length === 0 ? (
        <p className="text-sm text-slate-600">No workflow matches “{q}”.</p>
      ) : (
        <ul aria-label="Workflows" className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
          {shown.map((w) => (
            <li key={w.id} className="flex flex-wrap items-center gap-3 px-4 py-3">
              <div className="min-w-0 flex-1">
                <Link href={`/workflows/${w.id}`} className="font-medium text-blue-800 hover:underline">
                  {w.name}
                </Link>
                <p className="truncate text-sm text-slate-600">{w.description || "No description"}</p>
                <p className="text-xs text-slate-500">
                  {w.nodeCount} steps · {w.latestVersion ? `published v${w.latestVersion}` : "not published"} · changed{" "}
                  <RelativeTime iso={w.updatedAt} />
                  {w.updatedBy ? ` by ${w.updatedBy}` : ""}
                </p>
              </div>
              <div className="flex gap-1">
                <Button
                  size="sm"
                  variant="ghost"
                  aria-label={`Export ${w.name}`}
                  onClick={() => run(exportWorkflowAction({ id: w.id }), (d) => downloadJson(d.filename, d.json))}
                >
                  Export
                </Button>
                {canEdit && (
                  <>
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={`Duplicate ${w.name}`}
                      onClick={() => run(duplicateWorkflowAction({ id: w.id }), () => router.refresh())}
                    >
                      Duplicate
                    </Button>
                    <Button size="sm" variant="ghost" aria-label={`Rename ${w.name}`} onClick={() => setRenaming(w)}>
                      Rename
                    </Button>
                  </>
                )}
                {canDelete && (
                  <Button size="sm" variant="ghost" aria-label={`Delete ${w.name}`} onClick={() => setDeleting(w)}>
                    Delete
                  </Button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}

      <NewWorkflowDialog
        open={newOpen}
        onClose={() => setNewOpen(false)}
        templates={templates}
        pending={pending}
        onCreate={(input) => run(createWorkflowAction(input), (d) => router.push(`/workflows/${d.id}`))}
      />
      <ImportDialog
        open={importOpen}
        onClose={() => {
          setImportOpen(false);
          setError(null);
        }}
        pending={pending}
        error={error}
        onImport={(text) => run(importWorkflowAction({ text }), (d) => router.push(`/workflows/${d.id}`))}
      />
      {renaming && (
        <RenameDialog
          workflow={renaming}
          pending={pending}
          onClose={() => setRenaming(null)}
          onRename={(name) =>
            run(renameWorkflowAction({ id: renaming.id, name }), () => {
              setRenaming(null);
              router.refresh();
            })
          }
        />
      )}
      <ConfirmDialog
        open={!!deleting}
        onCancel={() => setDeleting(null)}
        onConfirm={() =>
          deleting &&
          run(deleteWorkflowAction({ id: deleting.id }), () => {
            setDeleting(null);
            router.refresh();
          })
        }
        title={`Delete “${deleting?.name ?? ""}”?`}
        description="The workflow disappears from this list. Its past runs stay in the run history."
        confirmLabel="Delete workflow"
        cancelLabel="Keep it"
        pending={pending}
      />
    </div>
  );
}

function NewWorkflowDialog({
  open,
  onClose,
  templates,
  pending,
  onCreate,
}: {
  open: boolean;
  onClose(): void;
  templates: TemplateRow[];
  pending: boolean;
  onCreate(input: { name?: string; templateId?: string }): void;
}) {
  const [name, setName] = useState("");
  return (
    <Dialog open={open} onClose={onClose} title="New workflow" className="w-[min(44rem,calc(100vw-2rem))]">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onCreate({ name: name.trim() || undefined });
        }}
        className="space-y-2"
      >
        <label className="block text-sm font-medium text-slate-800" htmlFor="new-wf-name">
          Name
        </label>
        <div className="flex gap-2">
          <input
            id="new-wf-name"
            className="flex-1 rounded-md border border-slate-300 px-3 py-1.5"
            placeholder="Untitled workflow"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <Button type="submit" loading={pending}>
            Create blank
          </Button>
        </div>
      </form>
      <h3 className="mt-5 mb-2 text-sm font-semibold text-slate-900">Or start from a template</h3>
      <ul className="grid max-h-80 gap-2 overflow-y-auto sm:grid-cols-2">
        {templates.map((t) => (
          <li key={t.id}>
            <button
              type="button"
              className="h-full w-full rounded-md border border-slate-200 p-3 text-left hover:border-blue-400 hover:bg-blue-50"
              onClick={() => onCreate({ templateId: t.id, name: name.trim() || undefined })}
              aria-label={`Use template ${t.name}`}
            >
              <span className="block text-sm font-medium text-slate-900">{t.name}</span>
              <span className="block text-xs text-slate-600">{t.description}</span>
            </button>
          </li>
        ))}
      </ul>
    </Dialog>
  );
}

function ImportDialog({
  open,
  onClose,
  pending,
  error,
  onImport,
}: {
  open: boolean;
  onClose(): void;
  pending: boolean;
  error: ActionError | null;
  onImport(text: string): void;
}) {
  const [text, setText] = useState("");
  const fileRef = useRef<HTMLInputElement>(null);
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Import a workflow"
      description="Choose a workflow JSON file (switchboard.workflow/v1) or paste its text. It is checked first; nothing is saved if it has problems."
      className="w-[min(44rem,calc(100vw-2rem))]"
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button loading={pending} disabled={!text.trim()} onClick={() => onImport(text)}>
            Import
          </Button>
        </>
      }
    >
      <div className="space-y-2">
        <label className="block text-sm font-medium text-slate-800" htmlFor="import-file">
          JSON file
        </label>
        <input
          id="import-file"
          ref={fileRef}
          type="file"
          accept="application/json,.json"
          onChange={async (e) => {
            const f = e.target.files?.[0];
            if (f) setText(await f.text());
          }}
        />
        <label className="block text-sm font-medium text-slate-800" htmlFor="import-text">
          Workflow JSON
        </label>
        <textarea
          id="import-text"
          rows={8}
          className="w-full rounded-md border border-slate-300 p-2 font-mono text-xs"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        {error && (
          <Alert>
            <p className="font-medium">{error.message}</p>
            {error.fieldErrors && error.fieldErrors.length > 0 && (
              <ul aria-label="Import problems" className="mt-1 list-disc space-y-0.5 pl-5 text-xs">
                {error.fieldErrors.map((f) => (
                  <li key={`${f.path}|${f.message}`}>
                    {f.path ? <code>{f.path}</code> : "document"}: {f.message}
                  </li>
                ))}
              </ul>
            )}
          </Alert>
        )}
      </div>
    </Dialog>
  );
}

function RenameDialog({
  workflow,
  pending,
  onClose,
  onRename,
}: {
  workflow: WorkflowRow;
  pending: boolean;
  onClose(): void;
  onRename(name: string): void;
}) {
  const [name, setName] = useState(workflow.name);
  return (
    <Dialog open onClose={onClose} title={`Rename “${workflow.name}”`}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) onRename(name.trim());
        }}
        className="space-y-2"
      >
        <label className="block text-sm font-medium text-slate-800" htmlFor="rename-wf">
          New name
        </label>
        <input
          id="rename-wf"
          className="w-full rounded-md border border-slate-300 px-3 py-1.5"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={pending} disabled={!name.trim()}>
            Rename
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
