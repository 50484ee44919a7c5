"use client";
// The workflow editor: palette, canvas, side panel (step settings, checklist, versions, run),
// toolbar. Owns the editor store (document + undo history), the live-run store, autosave with
// a revision check, validation, keyboard shortcuts and clipboard.
import { Panel, ReactFlowProvider, useReactFlow } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  exportWorkflowAction,
  getDraftAction,
  publishWorkflowAction,
  restoreVersionAction,
  saveAsCopyAction,
  saveDraftAction,
} from "@/app/(app)/workflows/actions";
import { Button, Dialog } from "@/components/ui";
import { downloadJson } from "@/components/workflows/workflow-list";
import { autoLayout } from "@/lib/canvas/layout";
import { createLiveRunStore } from "@/lib/canvas/run-state";
import { type ClipboardPayload, createEditorStore } from "@/lib/canvas/store";
import type { WorkflowDoc } from "@/lib/canvas/types";
import { nodeCatalog } from "@/lib/nodes/canvas-registry";
import { validateWorkflow } from "@/lib/workflow/validate";
import { Checklist } from "./checklist";
import { type EditorActions, EditorActionsContext } from "./editor-actions";
import { EditorStoreContext, RunStoreContext, useEditor, useEditorApi, useLiveRun, useRunApi } from "./editor-context";
import { FlowCanvas } from "./flow-canvas";
import { ICONS, Icon } from "./icons";
import { Inspector } from "./inspector";
import { InteropPanel } from "./interop-panel";
import { McpChoicesContext, type McpServerChoice } from "./mcp-pickers";
import { ModelChoicesContext, type ModelChoiceView } from "./model-choices";
import { Palette } from "./palette";
import { RunDialog, RunPanel, useRunStream } from "./run-panel";
import { VersionsPanel } from "./versions-panel";

export interface EditorProps {
  workflow: { id: string; name: string; draft: WorkflowDoc; draftRevision: number; latestVersion: number | null };
  /** `?run=<id>`: the run to watch, checked on the server to belong to this workflow and workspace */
  run?: { id: string; status: string; version: number } | null;
  /** `?run=` named a run that is not this workflow's (or does not exist) */
  runMissing?: boolean;
  canEdit: boolean;
  canPublish: boolean;
  canRun: boolean;
  /** The workspace's model choices for the agent panel (null: not loaded, the model is typed). */
  modelChoices?: ModelChoiceView[] | null;
  /** The workspace's MCP servers and their discovered tools (null: not loaded, names are typed). */
  mcpServers?: McpServerChoice[] | null;
}

type Tab = "step" | "checklist" | "versions" | "run";
type SaveState = "saved" | "dirty" | "saving" | "conflict" | "error";

export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") {
    const type = (target as HTMLInputElement).type;
    return !["checkbox", "radio", "button", "submit", "range", "color", "file"].includes(type);
  }
  return false;
}

export function Editor(props: EditorProps) {
  const [store] = useState(() => createEditorStore(props.workflow.draft, nodeCatalog));
  const [runStore] = useState(() => createLiveRunStore(props.run?.id ?? null));
  return (
    <EditorStoreContext.Provider value={store}>
      <RunStoreContext.Provider value={runStore}>
        <ModelChoicesContext.Provider value={props.modelChoices ?? null}>
          <McpChoicesContext.Provider value={props.mcpServers ?? null}>
            <ReactFlowProvider>
              <EditorInner {...props} />
            </ReactFlowProvider>
          </McpChoicesContext.Provider>
        </ModelChoicesContext.Provider>
      </RunStoreContext.Provider>
    </EditorStoreContext.Provider>
  );
}

function EditorInner({ workflow, run, runMissing, canEdit, canPublish, canRun }: EditorProps) {
  const api = useEditorApi();
  const runApi = useRunApi();
  const router = useRouter();
  const flow = useReactFlow();
  const [tab, setTab] = useState<Tab>(run ? "run" : "step");
  const [paletteFrom, setPaletteFrom] = useState<{ nodeId: string; handle?: string | null } | null>(null);
  const [paletteFocus, setPaletteFocus] = useState(0);
  const [focusedNode, setFocusedNode] = useState<string | null>(null);
  const [runOpen, setRunOpen] = useState(false);
  // the watched run (from ?run= or started here); its stream replays from seq 0, then follows live
  const [runId, setRunId] = useState<string | null>(run?.id ?? null);
  const [notice, setNotice] = useState<{ tone: "info" | "error"; text: string } | null>(() =>
    runMissing
      ? { tone: "error", text: "That run was not found in this workflow." }
      : run && run.version !== workflow.latestVersion
        ? { tone: "info", text: `This run used version ${run.version}; the canvas shows the current draft.` }
        : null,
  );
  const [versionsKey, setVersionsKey] = useState(0);
  const [hintDismissed, setHintDismissed] = useState(false);
  const findRef = useRef<HTMLInputElement>(null);

  useRunStream(runId);

  // ---- validation (debounced; never blocks typing) ----
  const changeCount = useEditor((s) => s.changeCount);
  const problemCount = useEditor((s) => s.problems.length);
  useEffect(() => {
    const t = setTimeout(
      () => {
        const result = validateWorkflow(api.getState().toDocument());
        api.getState().setProblems(result.valid ? [] : result.issues);
      },
      changeCount === 0 ? 0 : 250,
    );
    return () => clearTimeout(t);
  }, [changeCount, api]);

  // ---- autosave with a revision check ----
  const revision = useRef(workflow.draftRevision);
  const savedAt = useRef(0);
  const saving = useRef(false);
  const [saveState, setSaveState] = useState<SaveState>("saved");
  const [conflict, setConflict] = useState<{ revision: number; updatedBy: string | null } | null>(null);
  const saveNow = useCallback(async () => {
    if (!canEdit || saving.current || conflict) return;
    const count = api.getState().changeCount;
    if (count === savedAt.current) return;
    saving.current = true;
    setSaveState("saving");
    const r = await saveDraftAction({
      id: workflow.id,
      baseRevision: revision.current,
      document: api.getState().toDocument(),
    });
    saving.current = false;
    if (!r.ok) {
      setSaveState("error");
      setNotice({ tone: "error", text: `Not saved: ${r.error.message}` });
      return;
    }
    if (r.data.status === "conflict") {
      setSaveState("conflict");
      setConflict({ revision: r.data.revision, updatedBy: r.data.updatedBy });
      return;
    }
    revision.current = r.data.revision;
    savedAt.current = count;
    setSaveState(api.getState().changeCount === count ? "saved" : "dirty");
  }, [api, canEdit, conflict, workflow.id]);
  // saveState is a dependency on purpose: a save that ends "dirty" (edits arrived meanwhile) schedules the next one
  // biome-ignore lint/correctness/useExhaustiveDependencies: see above
  useEffect(() => {
    if (changeCount === 0 || !canEdit || conflict) return;
    if (changeCount !== savedAt.current) setSaveState((s) => (s === "saving" ? s : "dirty"));
    const t = setTimeout(() => void saveNow(), 800);
    return () => clearTimeout(t);
  }, [changeCount, canEdit, conflict, saveNow, saveState]);
  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (api.getState().changeCount !== savedAt.current && canEdit) e.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [api, canEdit]);

  const reloadTheirs = useCallback(async () => {
    const r = await getDraftAction({ id: workflow.id });
    if (!r.ok) return setNotice({ tone: "error", text: r.error.message });
    api.getState().replaceDocument(r.data.draft as unknown as WorkflowDoc);
    revision.current = r.data.revision;
    savedAt.current = api.getState().changeCount;
    setConflict(null);
    setSaveState("saved");
    setNotice({
      tone: "info",
      text: `Loaded the newest draft${r.data.updatedBy ? ` (saved by ${r.data.updatedBy})` : ""}.`,
    });
  }, [api, workflow.id]);

  const keepBoth = useCallback(async () => {
    const r = await saveAsCopyAction({ id: workflow.id, document: api.getState().toDocument() });
    if (!r.ok) return setNotice({ tone: "error", text: r.error.message });
    savedAt.current = api.getState().changeCount;
    setConflict(null);
    router.push(`/workflows/${r.data.id}`);
  }, [api, router, workflow.id]);

  // ---- adding steps ----
  const addStep = useCallback(
    (type: string, from: { nodeId: string; handle?: string | null } | null, position?: { x: number; y: number }) => {
      if (!canEdit) return;
      let at = position;
      if (!at && !from) {
        const el = document.querySelector(".react-flow");
        const rect = el?.getBoundingClientRect();
        const c = rect
          ? flow.screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 })
          : { x: 0, y: 0 };
        at = { x: Math.round(c.x - 120), y: Math.round(c.y - 40) };
      }
      const id = api.getState().addNode(type, { position: at, from: from ?? undefined });
      setPaletteFrom(null);
      setFocusedNode(id);
      setTab("step");
      // keyboard flow: focus the new step's "add next step" button
      // keep the new step in view: small graphs fit entirely, large ones centre on the new step
      requestAnimationFrame(() => {
        const n = api.getState().nodes.find((x) => x.id === id);
        if (!n) return;
        if (api.getState().nodes.length <= 40) void flow.fitView({ padding: 0.2, duration: 200, maxZoom: 1 });
        else void flow.setCenter(n.position.x + 120, n.position.y + 40, { duration: 200, zoom: flow.getZoom() });
      });
      let tries = 0;
      const focusNext = () => {
        const name = api.getState().nodes.find((n) => n.id === id)?.data.name ?? id;
        const btn = document.querySelector<HTMLButtonElement>(
          `button[aria-label="Add step after ${CSS.escape(name)}"]`,
        );
        // React Flow keeps a new node invisible until it is measured: focus fails until then
        btn?.focus();
        if (document.activeElement !== btn && tries++ < 60) requestAnimationFrame(focusNext);
      };
      requestAnimationFrame(focusNext);
    },
    [api, canEdit, flow],
  );

  const onAddAt = useCallback((type: string, p: { x: number; y: number }) => addStep(type, null, p), [addStep]);
  const onPaletteAdd = useCallback(
    (type: string, from: { nodeId: string; handle?: string | null } | null) => addStep(type, from),
    [addStep],
  );
  const clearPaletteFrom = useCallback(() => setPaletteFrom(null), []);

  const actions = useMemo<EditorActions>(
    () => ({
      openPalette(from) {
        setPaletteFrom(from ?? null);
        setPaletteFocus((n) => n + 1);
      },
      focusNode(id) {
        setFocusedNode(id);
        api.getState().select([id]);
      },
    }),
    [api],
  );

  // ---- selection → side panel ----
  const selectedIds = useEditor((s) => {
    const ids = s.nodes.filter((n) => n.selected).map((n) => n.id);
    return ids.join(",");
  });
  const single = selectedIds && !selectedIds.includes(",") ? selectedIds : null;
  const shownNode =
    single ?? (focusedNode && api.getState().nodes.some((n) => n.id === focusedNode) ? focusedNode : null);

  const onNodeClick = useCallback(
    (id: string) => {
      setFocusedNode(id);
      if (runApi.getState().runId) setTab("run");
      else setTab("step");
    },
    [runApi],
  );

  // ---- keyboard shortcuts and clipboard (never while typing in a field) ----
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTypingTarget(e.target)) return;
      const mod = e.metaKey || e.ctrlKey;
      const k = e.key.toLowerCase();
      const s = api.getState();
      if (mod && k === "z") {
        e.preventDefault();
        if (!canEdit) return;
        if (e.shiftKey) s.redo();
        else s.undo();
      } else if (mod && k === "y") {
        e.preventDefault();
        if (canEdit) s.redo();
      } else if (mod && k === "d") {
        e.preventDefault();
        if (canEdit) s.duplicateSelection();
      } else if (mod && k === "a") {
        e.preventDefault();
        s.selectAll();
      } else if (mod && k === "s") {
        e.preventDefault();
        void saveNow();
      } else if (mod && k === "f") {
        e.preventDefault();
        findRef.current?.focus();
      } else if (!mod && (k === "delete" || k === "backspace")) {
        if (!canEdit) return;
        e.preventDefault();
        s.deleteSelection();
      } else if (!mod && !e.altKey && k === "n" && canEdit) {
        e.preventDefault();
        const sel = s.nodes.filter((n) => n.selected);
        actions.openPalette(sel.length === 1 ? { nodeId: sel[0].id, handle: null } : undefined);
      }
    };
    const onCopy = (e: ClipboardEvent) => {
      if (isTypingTarget(e.target)) return;
      const payload = api.getState().copySelection();
      if (payload && e.clipboardData) {
        e.clipboardData.setData("text/plain", JSON.stringify(payload));
        e.preventDefault();
      }
    };
    const onCut = (e: ClipboardEvent) => {
      if (isTypingTarget(e.target) || !canEdit) return;
      onCopy(e);
      api.getState().deleteSelection();
    };
    const onPaste = (e: ClipboardEvent) => {
      if (isTypingTarget(e.target) || !canEdit) return;
      const text = e.clipboardData?.getData("text/plain");
      let payload: ClipboardPayload | null = null;
      try {
        const parsed = text ? JSON.parse(text) : null;
        if (parsed?.kind === "switchboard.clipboard/v1") payload = parsed;
      } catch {
        // not ours: fall back to the in-app clipboard
      }
      if (payload || api.getState().clipboard) {
        e.preventDefault();
        api.getState().paste(payload);
      }
    };
    window.addEventListener("keydown", onKey);
    document.addEventListener("copy", onCopy);
    document.addEventListener("cut", onCut);
    document.addEventListener("paste", onPaste);
    return () => {
      window.removeEventListener("keydown", onKey);
      document.removeEventListener("copy", onCopy);
      document.removeEventListener("cut", onCut);
      document.removeEventListener("paste", onPaste);
    };
  }, [api, canEdit, saveNow, actions]);

  // ---- toolbar actions ----
  const canUndo = useEditor((s) => s.past.length > 0);
  const canRedo = useEditor((s) => s.future.length > 0);
  const name = useEditor((s) => s.meta.name);
  const nodeCount = useEditor((s) => s.nodes.length);
  const runStatus = useLiveRun((s) => s.status);

  const layout = async () => {
    const s = api.getState();
    const positions = await autoLayout(s.nodes, s.edges);
    s.setPositions(positions, "layout");
    requestAnimationFrame(() => flow.fitView({ padding: 0.2, duration: 300 }));
  };

  const [findText, setFindText] = useState("");
  const [findMiss, setFindMiss] = useState(false);
  const find = () => {
    const q = findText.trim().toLowerCase();
    if (!q) return;
    const n = api
      .getState()
      .nodes.find((x) => (x.data.name ?? "").toLowerCase().includes(q) || x.id.toLowerCase().includes(q));
    setFindMiss(!n);
    if (!n) return;
    api.getState().select([n.id]);
    setFocusedNode(n.id);
    flow.fitView({ nodes: [{ id: n.id }], duration: 300, maxZoom: 1.2 });
  };

  const [publishing, setPublishing] = useState(false);
  const publish = async () => {
    if (problemCount > 0) {
      setTab("checklist");
      return;
    }
    setPublishing(true);
    await saveNow();
    const r = await publishWorkflowAction({ id: workflow.id, baseRevision: revision.current });
    setPublishing(false);
    if (!r.ok) {
      setNotice({ tone: "error", text: r.error.message });
      if (r.error.fieldErrors) api.getState().setProblems(r.error.fieldErrors);
      return;
    }
    setVersionsKey((k) => k + 1);
    setNotice({
      tone: "info",
      text: r.data.created
        ? `Published version ${r.data.version}.`
        : `Nothing changed since version ${r.data.version}.`,
    });
  };

  const restore = async (version: number) => {
    await saveNow();
    const r = await restoreVersionAction({ id: workflow.id, version, baseRevision: revision.current });
    if (!r.ok) return setNotice({ tone: "error", text: r.error.message });
    if (r.data.status === "conflict") {
      setConflict({ revision: r.data.revision, updatedBy: r.data.updatedBy });
      setSaveState("conflict");
      return;
    }
    const d = await getDraftAction({ id: workflow.id });
    if (d.ok) {
      api.getState().replaceDocument(d.data.draft as unknown as WorkflowDoc, { keepHistory: true });
      revision.current = d.data.revision;
      savedAt.current = api.getState().changeCount;
      setSaveState("saved");
    }
    setNotice({
      tone: "info",
      text: `Version ${version} restored as the draft. Undo brings your previous draft back.`,
    });
  };

  const exportJson = async () => {
    await saveNow();
    const r = await exportWorkflowAction({ id: workflow.id });
    if (r.ok) downloadJson(r.data.filename, r.data.json);
    else setNotice({ tone: "error", text: r.error.message });
  };

  const startRun = async () => {
    if (problemCount > 0) {
      setTab("checklist");
      setNotice({ tone: "error", text: "Fix the problems in the checklist before running." });
      return;
    }
    await saveNow();
    setRunOpen(true);
  };

  const saveLabel: Record<SaveState, string> = {
    saved: "All changes saved",
    dirty: "Unsaved changes…",
    saving: "Saving…",
    conflict: "Not saved: someone else saved a newer draft",
    error: "Not saved",
  };

  const tabs: { id: Tab; label: string }[] = [
    { id: "step", label: "Step" },
    { id: "checklist", label: problemCount ? `Checklist (${problemCount})` : "Checklist ✓" },
    { id: "versions", label: "Versions" },
    { id: "run", label: "Run" },
  ];

  return (
    <EditorActionsContext.Provider value={actions}>
      <style>{"@keyframes sb-dash { to { stroke-dashoffset: -20; } }"}</style>
      <div className="flex h-[calc(100vh-4rem)] min-h-[32rem] flex-col bg-slate-50">
        <div
          role="toolbar"
          aria-label="Editor toolbar"
          className="flex flex-wrap items-center gap-2 border-b border-slate-200 bg-white px-3 py-2"
        >
          <label className="sr-only" htmlFor="wf-name">
            Workflow name
          </label>
          <input
            id="wf-name"
            className="w-64 rounded border border-transparent px-2 py-1 text-base font-semibold hover:border-slate-300 focus:border-slate-400"
            value={name}
            readOnly={!canEdit}
            onChange={(e) => api.getState().setMeta({ name: e.target.value }, "name")}
          />
          <span
            role="status"
            aria-live="polite"
            className={`text-xs ${saveState === "conflict" || saveState === "error" ? "text-red-700" : "text-slate-500"}`}
          >
            {canEdit ? saveLabel[saveState] : "Read only"}
          </span>
          <div className="mx-2 h-6 w-px bg-slate-200" />
          <Button
            size="sm"
            variant="ghost"
            disabled={!canUndo || !canEdit}
            onClick={() => api.getState().undo()}
            aria-label="Undo"
            title="Undo (Ctrl+Z)"
          >
            <Icon path={ICONS.undo} />
          </Button>
          <Button
            size="sm"
            variant="ghost"
            disabled={!canRedo || !canEdit}
            onClick={() => api.getState().redo()}
            aria-label="Redo"
            title="Redo (Shift+Ctrl+Z)"
          >
            <Icon path={ICONS.redo} />
          </Button>
          <Button
            size="sm"
            variant="ghost"
            disabled={!canEdit}
            onClick={() => void layout()}
            title="Arrange the steps automatically"
          >
            <Icon path={ICONS.layout} /> Tidy up
          </Button>
          <Button
            size="sm"
            variant="ghost"
            disabled={!canEdit}
            onClick={() => addStep("note", null)}
            title="Add a sticky note"
          >
            Add note
          </Button>
          <form
            className="flex items-center gap-1"
            onSubmit={(e) => {
              e.preventDefault();
              find();
            }}
          >
            <label className="sr-only" htmlFor="find-node">
              Find a step
            </label>
            <input
              id="find-node"
              ref={findRef}
              type="search"
              placeholder="Find a step (Ctrl+F)"
              className="w-44 rounded border border-slate-300 px-2 py-1 text-sm"
              value={findText}
              onChange={(e) => {
                setFindText(e.target.value);
                setFindMiss(false);
              }}
            />
            {findMiss && <span className="text-xs text-red-700">No step matches</span>}
          </form>
          <div className="ml-auto flex items-center gap-2">
            <Button size="sm" variant="secondary" onClick={() => void exportJson()}>
              Export
            </Button>
            {canRun && (
              <Button
                size="sm"
                variant="secondary"
                onClick={() => void startRun()}
                title={problemCount ? "Fix the checklist first" : "Run this workflow"}
              >
                <Icon path={ICONS.play} /> Run
              </Button>
            )}
            {canPublish && (
              <Button
                size="sm"
                loading={publishing}
                onClick={() => void publish()}
                aria-disabled={problemCount > 0}
                title={
                  problemCount
                    ? `Fix ${problemCount} problem(s) in the checklist to publish`
                    : "Publish an immutable version"
                }
              >
                Publish
              </Button>
            )}
          </div>
        </div>
        {notice && (
          <div
            role={notice.tone === "error" ? "alert" : "status"}
            className={`flex items-center gap-2 px-3 py-1.5 text-sm ${notice.tone === "error" ? "bg-red-50 text-red-900" : "bg-blue-50 text-blue-900"}`}
          >
            {notice.text}
            <button type="button" className="ml-auto text-xs underline" onClick={() => setNotice(null)}>
              Dismiss
            </button>
          </div>
        )}
        <div className="flex min-h-0 flex-1">
          {canEdit && (
            <aside className="w-64 shrink-0 overflow-hidden border-r border-slate-200 bg-white p-3">
              <Palette
                key={paletteFocus}
                from={paletteFrom}
                autoFocus={paletteFocus > 0}
                onClearFrom={clearPaletteFrom}
                onAdd={onPaletteAdd}
              />
            </aside>
          )}
          <section className="relative min-w-0 flex-1" aria-label="Canvas">
            <FlowCanvas readOnly={!canEdit} onNodeClick={onNodeClick} onAddAt={onAddAt} />
            {canEdit && nodeCount <= 1 && !hintDismissed && <FirstRunHint onDismiss={() => setHintDismissed(true)} />}
            {runStatus && <RunBadge />}
          </section>
          <aside className="flex w-80 shrink-0 flex-col border-l border-slate-200 bg-white">
            <div role="tablist" aria-label="Side panel" className="flex border-b border-slate-200">
              {tabs.map((t) => (
                <button
                  key={t.id}
                  role="tab"
                  type="button"
                  aria-selected={tab === t.id}
                  className={`flex-1 px-2 py-2 text-xs font-medium ${tab === t.id ? "border-b-2 border-blue-600 text-blue-800" : "text-slate-600"}`}
                  onClick={() => setTab(t.id)}
                >
                  {t.label}
                </button>
              ))}
            </div>
            <div role="tabpanel" className="min-h-0 flex-1 overflow-y-auto p-3">
              {tab === "step" &&
                (shownNode ? (
                  canEdit ? (
                    <Inspector nodeId={shownNode} />
                  ) : (
                    <p className="text-sm text-slate-600">You can look but not change this workflow.</p>
                  )
                ) : (
                  <div className="space-y-2 text-sm text-slate-600">
                    <p>Select a step to change its settings.</p>
                    <p className="text-xs">
                      Shortcuts: <kbd>N</kbd> add a step · <kbd>Ctrl+Z</kbd> undo · <kbd>Shift+Ctrl+Z</kbd> redo ·{" "}
                      <kbd>Ctrl+C</kbd>/<kbd>Ctrl+V</kbd> copy and paste · <kbd>Ctrl+D</kbd> duplicate ·{" "}
                      <kbd>Delete</kbd> remove · <kbd>Shift</kbd>-drag to select several.
                    </p>
                  </div>
                ))}
              {tab === "checklist" && (
                <Checklist
                  onFocusNode={(id) => {
                    actions.focusNode(id);
                    setTab("step");
                    flow.fitView({ nodes: [{ id }], duration: 300, maxZoom: 1.2 });
                  }}
                />
              )}
              {tab === "versions" && <InteropPanel workflowId={workflow.id} canChange={canPublish} />}
              {tab === "versions" && (
                <VersionsPanel
                  workflowId={workflow.id}
                  refreshKey={versionsKey}
                  canRestore={canEdit}
                  onRestore={(v) => void restore(v)}
                />
              )}
              {tab === "run" && <RunPanel selectedNodeId={shownNode} />}
            </div>
          </aside>
        </div>
      </div>
      {canRun && (
        <RunDialog
          workflowId={workflow.id}
          open={runOpen}
          onClose={() => setRunOpen(false)}
          onStarted={(id) => {
            runApi.getState().reset(id);
            setRunId(id);
            // keep watching this run after a reload (Next syncs its router with history.replaceState)
            const url = new URL(window.location.href);
            url.searchParams.set("run", id);
            window.history.replaceState(null, "", url);
            void flow.fitView({ padding: 0.15, duration: 200, maxZoom: 1 });
            setTab("run");
            setVersionsKey((k) => k + 1);
          }}
        />
      )}
      <Dialog
        open={!!conflict}
        onClose={() => {}}
        title="Someone else changed this workflow"
        description={`${conflict?.updatedBy ?? "Another person or tab"} saved a newer draft (revision ${conflict?.revision ?? "?"}) while you were editing. Your changes are not saved yet and nothing was overwritten.`}
        footer={
          <>
            <Button variant="secondary" onClick={() => void keepBoth()}>
              Keep both (save mine as a copy)
            </Button>
            <Button onClick={() => void reloadTheirs()}>Reload their version</Button>
          </>
        }
      >
        <p className="text-sm text-slate-700">
          Reload shows their draft here (your unsaved edits are dropped). Keep both saves your version as a new workflow
          and opens it.
        </p>
      </Dialog>
    </EditorActionsContext.Provider>
  );
}

function FirstRunHint({ onDismiss }: { onDismiss(): void }) {
  return (
    <Panel position="top-center">
      <div
        role="note"
        aria-label="Getting started"
        className="max-w-md rounded-lg border border-blue-200 bg-white p-3 text-sm shadow"
      >
        <p className="font-medium text-slate-900">Build your first workflow</p>
        <ol className="mt-1 list-decimal space-y-0.5 pl-5 text-slate-700">
          <li>
            Press the <strong>+</strong> on the <em>Start</em> step (or drag a step from the left) to add an{" "}
            <strong>Agent</strong>.
          </li>
          <li>
            Add an <strong>Approval</strong> after it, so a person decides, then another <strong>Agent</strong> after
            “approved”.
          </li>
          <li>
            Fill in each step on the right; the <strong>Checklist</strong> tells you what is missing. Then press{" "}
            <strong>Run</strong>.
          </li>
        </ol>
        <button type="button" className="mt-2 text-xs text-blue-700 underline" onClick={onDismiss}>
          Got it
        </button>
      </div>
    </Panel>
  );
}

function RunBadge() {
  const status = useLiveRun((s) => s.status);
  const tokens = useLiveRun((s) => s.inputTokens + s.outputTokens);
  const cost = useLiveRun((s) => s.costUsd);
  return (
    <Panel position="top-left">
      <div className="rounded border border-slate-200 bg-white/95 px-2 py-1 text-xs shadow-sm">
        Run: <strong>{status}</strong> · {tokens.toLocaleString()} tokens · ${cost.toFixed(4)}
      </div>
    </Panel>
  );
}
