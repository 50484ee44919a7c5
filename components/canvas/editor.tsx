"use client";
// The workflow editor's layout: toolbar, palette, canvas, side panel (step settings, checklist,
// versions, run). The session — autosave with a revision check, publish, restore, export,
// clipboard, find, delete-and-refocus, connect-to — lives in lib/canvas/editor-session.ts and the
// shortcuts in lib/canvas/keymap.ts; this file wires them to the page.
import { Panel, ReactFlowProvider, useReactFlow } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useRouter } from "next/navigation";
import { lazy, Suspense, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useStore } from "zustand";
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
import { createEditorSession, type EditorSession, type SaveState } from "@/lib/canvas/editor-session";
import { commandFor, isTypingTarget, KEYMAP, keyLabel } from "@/lib/canvas/keymap";
import { freeSpot, STEP_H, STEP_W } from "@/lib/canvas/placement";
import { createLiveRunStore } from "@/lib/canvas/run-state";
import { createEditorStore } from "@/lib/canvas/store";
import type { Problem, WorkflowDoc } from "@/lib/canvas/types";
import { nodeCatalog } from "@/lib/nodes/canvas-registry";
import { Checklist } from "./checklist";
import { ConnectDialog } from "./connect-dialog";
import { type EditorActions, EditorActionsContext } from "./editor-actions";
import { EditorStoreContext, RunStoreContext, useEditor, useEditorApi, useLiveRun, useRunApi } from "./editor-context";
import { FlowCanvas } from "./flow-canvas";
import { ICONS, Icon } from "./icons";
import { McpChoicesContext, type McpServerChoice } from "./mcp-pickers";
import { ModelChoicesContext, type ModelChoiceView } from "./model-choices";
import { Palette } from "./palette";
import { RunDialog, RunPanel, useRunStream } from "./run-panel";

// Panels a person opens later load when opened: the editor's first paint does not wait for them.
const Inspector = lazy(() => import("./inspector").then((m) => ({ default: m.Inspector })));
const VersionsPanel = lazy(() => import("./versions-panel").then((m) => ({ default: m.VersionsPanel })));
const InteropPanel = lazy(() => import("./interop-panel").then((m) => ({ default: m.InteropPanel })));

export { isTypingTarget } from "@/lib/canvas/keymap";

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

/** Below this window width the palette starts collapsed (the canvas needs the room). */
const WIDE = 1100;

/** The whole-document check; loaded after the first paint (it brings the node schemas and the expression parser). */
let validator: ((doc: WorkflowDoc) => Problem[]) | null = null;
const loadValidator = () =>
  import("@/lib/workflow/validate").then((m) => {
    validator = (doc) => {
      const r = m.validateWorkflow(doc);
      return r.valid ? [] : r.issues;
    };
    return validator;
  });

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

/** The session for this editor, created once, started while mounted. */
function useEditorSession({ workflow, run, runMissing, canEdit }: EditorProps): EditorSession {
  const api = useEditorApi();
  const [session] = useState(() =>
    createEditorSession({
      store: api,
      workflowId: workflow.id,
      draftRevision: workflow.draftRevision,
      canEdit,
      catalog: nodeCatalog,
      // until the validator has loaded, the checklist says nothing (it loads right after the first paint)
      validate: (doc) => (validator ? validator(doc) : []),
      download: downloadJson,
      initialNotice: runMissing
        ? { tone: "error", text: "That run was not found in this workflow." }
        : run && run.version !== workflow.latestVersion
          ? {
              tone: "info",
              text:
                run.version < 0
                  ? "This was a draft run; the canvas shows the current draft."
                  : `This run used version ${run.version}; the canvas shows the current draft.`,
            }
          : null,
      server: {
        saveDraft: saveDraftAction,
        getDraft: getDraftAction,
        publish: publishWorkflowAction,
        restoreVersion: restoreVersionAction,
        saveAsCopy: saveAsCopyAction,
        exportWorkflow: exportWorkflowAction,
      },
    }),
  );
  useEffect(() => {
    const stop = session.start();
    let live = true;
    // the first check waits until the canvas has painted and the browser is idle: on a large
    // workflow it is the heaviest work of opening, and nobody reads the checklist in the first second
    const idle =
      window.requestIdleCallback?.bind(window) ??
      ((cb: () => void, _opts?: IdleRequestOptions) => window.setTimeout(cb, 300) as unknown as number);
    const handle = idle(
      () => {
        void (validator ? Promise.resolve(validator) : loadValidator()).then((v) => {
          if (live) api.getState().setProblems(v(api.getState().toDocument()));
        });
      },
      { timeout: 2000 },
    );
    const warn = (e: BeforeUnloadEvent) => {
      if (session.hasUnsavedChanges()) e.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => {
      live = false;
      window.cancelIdleCallback?.(handle);
      stop();
      window.removeEventListener("beforeunload", warn);
    };
  }, [session, api]);
  return session;
}

/** Collapsed or open side panels, remembered in this browser. */
function usePanels() {
  const [panels, setPanels] = useState(() => {
    const wide = typeof window === "undefined" || window.innerWidth >= WIDE;
    try {
      const saved = JSON.parse(localStorage.getItem("sb.editor.panels") ?? "null") as {
        palette?: boolean;
        side?: boolean;
      } | null;
      // the palette's remembered state counts on wide screens only: on a narrow one it starts closed
      return { palette: wide ? (saved?.palette ?? true) : false, side: saved?.side ?? true };
    } catch {
      return { palette: wide, side: true };
    }
  });
  const set = useCallback((patch: Partial<typeof panels>) => {
    setPanels((p) => {
      const next = { ...p, ...patch };
      try {
        localStorage.setItem("sb.editor.panels", JSON.stringify(next));
      } catch {
        // private mode: not remembered
      }
      return next;
    });
  }, []);
  return [panels, set] as const;
}

/** The editor fills the window below the app's header, whatever the header's height (it wraps on narrow screens). */
function useFillHeight() {
  const ref = useRef<HTMLDivElement>(null);
  const [height, setHeight] = useState<number | null>(null);
  useLayoutEffect(() => {
    const measure = () => {
      const top = ref.current?.getBoundingClientRect().top ?? 0;
      setHeight(Math.max(320, Math.floor(window.innerHeight - top - window.scrollY)));
    };
    measure();
    window.addEventListener("resize", measure);
    return () => window.removeEventListener("resize", measure);
  }, []);
  return [ref, height] as const;
}

function EditorInner(props: EditorProps) {
  const { workflow, run, canEdit, canPublish, canRun } = props;
  const api = useEditorApi();
  const runApi = useRunApi();
  const router = useRouter();
  const flow = useReactFlow();
  const session = useEditorSession(props);
  const saveState = useStore(session.state, (s) => s.saveState);
  const conflict = useStore(session.state, (s) => s.conflict);
  const notice = useStore(session.state, (s) => s.notice);
  const publishing = useStore(session.state, (s) => s.publishing);
  const versionsKey = useStore(session.state, (s) => s.versionsKey);
  const [panels, setPanels] = usePanels();
  const [rootRef, height] = useFillHeight();
  const [tab, setTab] = useState<Tab>(run ? "run" : "step");
  const [paletteFrom, setPaletteFrom] = useState<{ nodeId: string; handle?: string | null } | null>(null);
  const [paletteFocus, setPaletteFocus] = useState(0);
  const [focusedNode, setFocusedNode] = useState<string | null>(null);
  const [connectFrom, setConnectFrom] = useState<string | null>(null);
  const [runOpen, setRunOpen] = useState(false);
  // the watched run (from ?run= or started here); its stream replays from seq 0, then follows live
  const [runId, setRunId] = useState<string | null>(run?.id ?? null);
  const [hintDismissed, setHintDismissed] = useState(false);
  const findRef = useRef<HTMLInputElement>(null);
  const canvasRef = useRef<HTMLElement>(null);

  useRunStream(runId);
  const problemCount = useEditor((s) => s.problems.length);

  /** Moves keyboard focus to a step on the canvas (React Flow shows a node once it is measured). */
  const focusStep = useCallback((id: string | null) => {
    let tries = 0;
    const attempt = () => {
      const el = id ? document.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(id)}"]`) : null;
      // a new node stays invisible (and unfocusable) until React Flow has measured it: try again
      el?.focus();
      if (el && document.activeElement === el) return;
      if (!id || tries++ >= 60) canvasRef.current?.focus();
      else requestAnimationFrame(attempt);
    };
    requestAnimationFrame(attempt);
  }, []);

  // ---- adding steps ----
  const addStep = useCallback(
    (type: string, from: { nodeId: string; handle?: string | null } | null, position?: { x: number; y: number }) => {
      if (!canEdit) return;
      let at = position;
      if (!at && !from) {
        // the middle of the view, or the nearest free spot around it: never on top of another step
        const rect = canvasRef.current?.getBoundingClientRect();
        const c = rect
          ? flow.screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 })
          : { x: 0, y: 0 };
        at = freeSpot(api.getState().nodes, { x: c.x - STEP_W / 2, y: c.y - STEP_H / 2 });
      }
      const id = api.getState().addNode(type, { position: at, from: from ?? undefined });
      setPaletteFrom(null);
      setFocusedNode(id);
      setTab("step");
      // keep the new step in view: small graphs fit entirely, large ones centre on the new step
      requestAnimationFrame(() => {
        const n = api.getState().nodes.find((x) => x.id === id);
        if (!n) return;
        if (api.getState().nodes.length <= 40)
          void flow.fitView({ padding: 0.2, duration: 200, maxZoom: 1, minZoom: Math.min(flow.getZoom(), 0.6) });
        else void flow.setCenter(n.position.x + 120, n.position.y + 40, { duration: 200, zoom: flow.getZoom() });
      });
      // keyboard flow: focus the new step's "add next step" button; a step that leads nowhere
      // (an end) has none: the step itself takes the keyboard
      const added = api.getState().nodes.find((n) => n.id === id);
      if (added && nodeCatalog.outcomes(added.type ?? "", added.data.config).length === 0) {
        focusStep(id);
        return;
      }
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
    [api, canEdit, flow, focusStep],
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
        setPanels({ palette: true });
        setPaletteFrom(from ?? null);
        setPaletteFocus((n) => n + 1);
      },
      focusNode(id) {
        setFocusedNode(id);
        api.getState().select([id]);
      },
    }),
    [api, setPanels],
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
      setPanels({ side: true });
      if (runApi.getState().runId) setTab("run");
      else setTab("step");
    },
    [runApi, setPanels],
  );

  const fitView = useCallback(() => void flow.fitView({ padding: 0.2, duration: 200, maxZoom: 1 }), [flow]);

  const openConnect = useCallback(() => {
    const sel = api.getState().nodes.filter((n) => n.selected);
    const id = sel.length === 1 ? sel[0].id : sel.length === 0 ? shownNode : null;
    if (!id) {
      session.setNotice({ tone: "info", text: "Select one step first, then connect it to another." });
      return;
    }
    setConnectFrom(id);
  }, [api, session, shownNode]);

  // ---- keyboard shortcuts (lib/canvas/keymap.ts) and clipboard; never while typing in a field ----
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTypingTarget(e.target) || e.defaultPrevented) return;
      // a dialog is open: it handles its own keys
      if (document.querySelector("dialog[open]")) return;
      const command = commandFor(e, { canEdit });
      if (!command) return;
      const s = api.getState();
      e.preventDefault();
      switch (command) {
        case "undo":
          s.undo();
          break;
        case "redo":
          s.redo();
          break;
        case "duplicate":
          s.duplicateSelection();
          break;
        case "selectAll":
          s.selectAll();
          break;
        case "save":
          void session.saveNow();
          break;
        case "find":
          findRef.current?.focus();
          break;
        case "delete": {
          const next = session.deleteSelection();
          if (next) setFocusedNode(next);
          focusStep(next);
          break;
        }
        case "addStep": {
          const sel = s.nodes.filter((n) => n.selected);
          actions.openPalette(sel.length === 1 ? { nodeId: sel[0].id, handle: null } : undefined);
          break;
        }
        case "connectTo":
          openConnect();
          break;
        case "fitView":
          fitView();
          break;
        case "escape":
          s.select([]);
          setPaletteFrom(null);
          break;
      }
    };
    const onCopy = (e: ClipboardEvent) => {
      if (isTypingTarget(e.target)) return;
      const text = session.copyText();
      if (text && e.clipboardData) {
        e.clipboardData.setData("text/plain", text);
        e.preventDefault();
      }
    };
    const onCut = (e: ClipboardEvent) => {
      if (isTypingTarget(e.target) || !canEdit) return;
      const text = session.cut();
      if (text && e.clipboardData) {
        e.clipboardData.setData("text/plain", text);
        e.preventDefault();
      }
    };
    const onPaste = (e: ClipboardEvent) => {
      if (isTypingTarget(e.target) || !canEdit) return;
      if (session.pasteText(e.clipboardData?.getData("text/plain"))) e.preventDefault();
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
  }, [api, canEdit, session, actions, openConnect, fitView, focusStep]);

  // ---- toolbar actions ----
  const canUndo = useEditor((s) => s.past.length > 0);
  const canRedo = useEditor((s) => s.future.length > 0);
  const name = useEditor((s) => s.meta.name);
  const nodeCount = useEditor((s) => s.nodes.length);
  const runStatus = useLiveRun((s) => s.status);

  const layout = async () => {
    const s = api.getState();
    // elkjs is large: loaded on first use
    const { autoLayout } = await import("@/lib/canvas/layout");
    const positions = await autoLayout(s.nodes, s.edges);
    s.setPositions(positions, "layout");
    requestAnimationFrame(() => flow.fitView({ padding: 0.2, duration: 300 }));
  };

  const [findText, setFindText] = useState("");
  const [findMiss, setFindMiss] = useState(false);
  const find = () => {
    const id = session.find(findText);
    setFindMiss(!id && !!findText.trim());
    if (!id) return;
    setFocusedNode(id);
    flow.fitView({ nodes: [{ id }], duration: 300, maxZoom: 1.2 });
    // the found step takes the keyboard: C connects it, Delete removes it, N adds after it
    focusStep(id);
  };

  const publish = async () => {
    if (!validator) await loadValidator();
    if (!(await session.publish()) && api.getState().problems.length > 0) {
      setPanels({ side: true });
      setTab("checklist");
    }
  };

  const startRun = async () => {
    if (!validator) await loadValidator();
    if (!(await session.prepareRun())) {
      setPanels({ side: true });
      setTab("checklist");
      return;
    }
    setRunOpen(true);
  };

  const keepBoth = async () => {
    const id = await session.keepBoth();
    if (id) router.push(`/workflows/${id}`);
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
  const mac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);
  const shortcuts = KEYMAP.filter((b) => canEdit || !b.edits);
  const panelLoading = <p className="text-sm text-slate-500">Loading…</p>;

  return (
    <EditorActionsContext.Provider value={actions}>
      <style>{"@keyframes sb-dash { to { stroke-dashoffset: -20; } }"}</style>
      <div
        ref={rootRef}
        style={height ? { height } : undefined}
        className="flex h-[calc(100vh-4rem)] min-h-[20rem] flex-col overflow-hidden bg-slate-50"
      >
        <div
          role="toolbar"
          aria-label="Editor toolbar"
          className="flex flex-wrap items-center gap-x-2 gap-y-1 border-b border-slate-200 bg-white px-3 py-2"
        >
          {canEdit && (
            <Button
              size="sm"
              variant="ghost"
              aria-expanded={panels.palette}
              aria-controls="editor-palette"
              onClick={() => setPanels({ palette: !panels.palette })}
              title={panels.palette ? "Hide the list of steps" : "Show the list of steps"}
            >
              <Icon path={ICONS.plus} /> Steps
            </Button>
          )}
          <label className="sr-only" htmlFor="wf-name">
            Workflow name
          </label>
          <input
            id="wf-name"
            className="w-40 min-w-0 rounded border border-transparent px-2 py-1 text-base font-semibold hover:border-slate-300 focus:border-slate-400 xl:w-64"
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
          <div className="mx-1 h-6 w-px bg-slate-200" />
          <Button
            size="sm"
            variant="ghost"
            disabled={!canUndo || !canEdit}
            onClick={() => api.getState().undo()}
            aria-label="Undo"
            title={`Undo (${keyLabel("Mod+Z", mac)})`}
          >
            <Icon path={ICONS.undo} />
          </Button>
          <Button
            size="sm"
            variant="ghost"
            disabled={!canRedo || !canEdit}
            onClick={() => api.getState().redo()}
            aria-label="Redo"
            title={`Redo (${keyLabel("Shift+Mod+Z", mac)})`}
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
          <Button size="sm" variant="ghost" onClick={fitView} title="Fit the workflow in view (F)">
            Fit view
          </Button>
          {canEdit && (
            <Button
              size="sm"
              variant="ghost"
              disabled={!single}
              onClick={openConnect}
              title="Connect the selected step to another step (C)"
            >
              Connect to…
            </Button>
          )}
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
              placeholder={`Find a step (${keyLabel("Mod+F", mac)})`}
              className="w-36 rounded border border-slate-300 px-2 py-1 text-sm xl:w-44"
              value={findText}
              onChange={(e) => {
                setFindText(e.target.value);
                setFindMiss(false);
              }}
            />
            {findMiss && <span className="text-xs text-red-700">No step matches</span>}
          </form>
          <div className="ml-auto flex items-center gap-2">
            <Button size="sm" variant="secondary" onClick={() => void session.exportJson()}>
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
            <Button
              size="sm"
              variant="ghost"
              aria-expanded={panels.side}
              aria-controls="editor-side-panel"
              onClick={() => setPanels({ side: !panels.side })}
              title={panels.side ? "Hide the side panel" : "Show the side panel"}
            >
              {panels.side ? "Hide panel" : "Show panel"}
            </Button>
          </div>
        </div>
        {notice && (
          <div
            role={notice.tone === "error" ? "alert" : "status"}
            className={`flex items-center gap-2 px-3 py-1.5 text-sm ${notice.tone === "error" ? "bg-red-50 text-red-900" : "bg-blue-50 text-blue-900"}`}
          >
            {notice.text}
            <button type="button" className="ml-auto text-xs underline" onClick={() => session.setNotice(null)}>
              Dismiss
            </button>
          </div>
        )}
        <div className="flex min-h-0 flex-1">
          {canEdit && panels.palette && (
            <aside
              id="editor-palette"
              className="w-56 shrink-0 overflow-hidden border-r border-slate-200 bg-white p-3 xl:w-64"
            >
              <Palette
                key={paletteFocus}
                from={paletteFrom}
                autoFocus={paletteFocus > 0}
                onClearFrom={clearPaletteFrom}
                onAdd={onPaletteAdd}
              />
            </aside>
          )}
          <section ref={canvasRef} tabIndex={-1} className="relative min-w-0 flex-1 outline-none" aria-label="Canvas">
            <FlowCanvas readOnly={!canEdit} onNodeClick={onNodeClick} onAddAt={onAddAt} />
            {canEdit && nodeCount <= 1 && !hintDismissed && <FirstRunHint onDismiss={() => setHintDismissed(true)} />}
            {runStatus && <RunBadge />}
          </section>
          {panels.side && (
            <aside
              id="editor-side-panel"
              aria-label="Side panel"
              className="flex w-72 shrink-0 flex-col border-l border-slate-200 bg-white xl:w-80"
            >
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
                <Suspense fallback={panelLoading}>
                  {tab === "step" &&
                    (shownNode ? (
                      <Inspector nodeId={shownNode} workflowId={canRun ? workflow.id : undefined} readOnly={!canEdit} />
                    ) : (
                      <div className="space-y-2 text-sm text-slate-600">
                        <p>Select a step to change its settings.</p>
                        <ul className="space-y-0.5 text-xs" aria-label="Keyboard shortcuts">
                          {shortcuts.map((b) => (
                            <li key={b.command}>
                              {b.keys.map((k, i) => (
                                <span key={k}>
                                  {i > 0 && " / "}
                                  <kbd>{keyLabel(k, mac)}</kbd>
                                </span>
                              ))}{" "}
                              {b.label}
                            </li>
                          ))}
                          <li>
                            <kbd>{keyLabel("Mod+C", mac)}</kbd> / <kbd>{keyLabel("Mod+V", mac)}</kbd> copy and paste ·{" "}
                            <kbd>Shift</kbd>-drag to select several
                          </li>
                        </ul>
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
                      onRestore={(v) => void session.restore(v)}
                    />
                  )}
                  {tab === "run" && <RunPanel selectedNodeId={shownNode} />}
                </Suspense>
              </div>
            </aside>
          )}
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
            setPanels({ side: true });
            setTab("run");
            session.bumpVersions();
          }}
        />
      )}
      {connectFrom && (
        <ConnectDialog
          session={session}
          sourceId={connectFrom}
          onClose={() => {
            const from = connectFrom;
            setConnectFrom(null);
            focusStep(from);
          }}
          onConnected={(target) => {
            const from = connectFrom;
            setConnectFrom(null);
            const names = api.getState().nodes;
            const a = names.find((n) => n.id === from)?.data.name ?? from;
            const b = names.find((n) => n.id === target)?.data.name ?? target;
            session.setNotice({ tone: "info", text: `Connected “${a}” to “${b}”.` });
            focusStep(from);
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
            <Button onClick={() => void session.reloadTheirs()}>Reload their version</Button>
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
