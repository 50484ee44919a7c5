// The editor's session, without React: autosave with a revision check (and what to do on a
// conflict), validation, publish, restore, export, the clipboard, find, delete-and-refocus and
// "connect to…". The editor component subscribes to `state` and calls these; the server actions
// arrive as a port (`SessionServer`), so tests drive the session against a fake of that port
// shape, a plain in-memory server, with no browser.
import type { StoreApi } from "zustand/vanilla";
import { createStore } from "zustand/vanilla";
import type { ActionResult } from "@/lib/contracts/app-errors";
import type { ClipboardPayload, EditorState } from "./store";
import type { CanvasNode, NodeCatalog, Problem, WorkflowDoc } from "./types";

export type SaveState = "saved" | "dirty" | "saving" | "conflict" | "error";

export interface Notice {
  tone: "info" | "error";
  text: string;
  /** the notice goes away by itself when its problem is gone: the checklist is clean, or a save succeeded */
  clearsWhen?: "problems-fixed" | "saved";
}

export interface Conflict {
  revision: number;
  updatedBy: string | null;
}

export interface SessionState {
  saveState: SaveState;
  conflict: Conflict | null;
  notice: Notice | null;
  publishing: boolean;
  /** bumps when the list of versions changed (publish, restore, a run that published) */
  versionsKey: number;
}

type SaveReply =
  | { status: "saved"; revision: number }
  | { status: "conflict"; revision: number; updatedBy: string | null };

/** The server actions the session calls (app/(app)/workflows/actions.ts in the app). */
export interface SessionServer {
  saveDraft(input: { id: string; baseRevision: number; document: WorkflowDoc }): Promise<ActionResult<SaveReply>>;
  getDraft(input: {
    id: string;
  }): Promise<ActionResult<{ draft: unknown; revision: number; updatedBy: string | null }>>;
  publish(input: { id: string; baseRevision?: number }): Promise<ActionResult<{ version: number; created: boolean }>>;
  restoreVersion(input: { id: string; version: number; baseRevision: number }): Promise<ActionResult<SaveReply>>;
  saveAsCopy(input: { id: string; document: WorkflowDoc }): Promise<ActionResult<{ id: string }>>;
  exportWorkflow(input: { id: string }): Promise<ActionResult<{ filename: string; json: string }>>;
}

export interface SessionOptions {
  store: StoreApi<EditorState>;
  server: SessionServer;
  workflowId: string;
  draftRevision: number;
  canEdit: boolean;
  /** the whole-document check (lib/workflow/validate in the app); [] when valid */
  validate(doc: WorkflowDoc): Problem[];
  /** hands an exported file to the person (a download in the browser) */
  download?(filename: string, json: string): void;
  /** leaves steps that take no input (triggers) out of "connect to…" */
  catalog?: Pick<NodeCatalog, "hasInput">;
  initialNotice?: Notice | null;
  autosaveMs?: number;
  validateMs?: number;
}

export interface EditorSession {
  state: StoreApi<SessionState>;
  /** starts validation and autosave; returns the stop function */
  start(): () => void;
  /** saves now unless nothing changed, a save is running, or there is a conflict */
  saveNow(): Promise<void>;
  /** unsaved edits exist (for the "leave the page?" prompt) */
  hasUnsavedChanges(): boolean;
  reloadTheirs(): Promise<void>;
  /** saves this draft as a new workflow; returns its id (the caller navigates to it) */
  keepBoth(): Promise<string | null>;
  /** false: not published (the checklist has problems, or the server said no) */
  publish(): Promise<boolean>;
  restore(version: number): Promise<void>;
  exportJson(): Promise<void>;
  /** false: there are problems, and a notice says so */
  prepareRun(): Promise<boolean>;
  setNotice(notice: Notice | null): void;
  bumpVersions(): void;
  /** the clipboard text of the selection, or null when nothing is selected */
  copyText(): string | null;
  cut(): string | null;
  /** pastes our clipboard text (or the in-app clipboard); false: nothing of ours to paste */
  pasteText(text: string | null | undefined): boolean;
  /** selects the first step whose name or id contains `query`; its id, or null */
  find(query: string): string | null;
  /** deletes the selection and selects the step focus should move to (a predecessor, else a neighbour); its id */
  deleteSelection(): string | null;
  /** the steps `sourceId` may connect to, best matches of `query` first */
  connectCandidates(sourceId: string, query?: string): CanvasNode[];
  /** connects `sourceId` (from outcome `handle`) to `targetId`; false when that edge exists or is not allowed */
  connect(sourceId: string, targetId: string, handle?: string | null): boolean;
}

export const CLIPBOARD_KIND = "switchboard.clipboard/v1";

/** Our clipboard payload from text copied in this or another tab; null for anything else. */
export function parseClipboard(text: string | null | undefined): ClipboardPayload | null {
  if (!text) return null;
  try {
    const parsed = JSON.parse(text) as Partial<ClipboardPayload> | null;
    if (parsed?.kind === CLIPBOARD_KIND && Array.isArray(parsed.nodes) && Array.isArray(parsed.edges)) {
      return parsed as ClipboardPayload;
    }
  } catch {
    // not ours
  }
  return null;
}

export function createEditorSession(opts: SessionOptions): EditorSession {
  const { store, server, workflowId, canEdit } = opts;
  const autosaveMs = opts.autosaveMs ?? 800;
  const validateMs = opts.validateMs ?? 250;
  const state = createStore<SessionState>()(() => ({
    saveState: "saved",
    conflict: null,
    notice: opts.initialNotice ?? null,
    publishing: false,
    versionsKey: 0,
  }));
  let revision = opts.draftRevision;
  /** the store's changeCount the server has */
  let savedAt = store.getState().changeCount;
  let saving: Promise<void> | null = null;
  let saveTimer: ReturnType<typeof setTimeout> | null = null;
  let validateTimer: ReturnType<typeof setTimeout> | null = null;

  const set = (patch: Partial<SessionState>) => state.setState(patch);
  const setNotice = (notice: Notice | null) => set({ notice });
  const errorNotice = (text: string, clearsWhen?: Notice["clearsWhen"]) =>
    setNotice({ tone: "error", text, ...(clearsWhen ? { clearsWhen } : {}) });

  const runValidation = () => {
    const problems = opts.validate(store.getState().toDocument());
    store.getState().setProblems(problems);
    const notice = state.getState().notice;
    if (problems.length === 0 && notice?.clearsWhen === "problems-fixed") setNotice(null);
  };

  const doSave = async () => {
    const count = store.getState().changeCount;
    set({ saveState: "saving" });
    const r = await server.saveDraft({
      id: workflowId,
      baseRevision: revision,
      document: store.getState().toDocument(),
    });
    if (!r.ok) {
      set({ saveState: "error" });
      errorNotice(`Not saved: ${r.error.message}`, "saved");
      return;
    }
    if (r.data.status === "conflict") {
      set({ saveState: "conflict", conflict: { revision: r.data.revision, updatedBy: r.data.updatedBy } });
      return;
    }
    revision = r.data.revision;
    savedAt = count;
    const dirty = store.getState().changeCount !== count;
    set({ saveState: dirty ? "dirty" : "saved" });
    if (state.getState().notice?.clearsWhen === "saved") setNotice(null);
    // edits arrived while saving: save them too
    if (dirty) schedule();
  };

  const saveNow = async (): Promise<void> => {
    if (!canEdit || state.getState().conflict) return;
    if (saving) {
      await saving;
      if (store.getState().changeCount === savedAt || state.getState().conflict) return;
    }
    if (store.getState().changeCount === savedAt) return;
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = null;
    saving = doSave().finally(() => {
      saving = null;
    });
    await saving;
  };

  function schedule() {
    if (!canEdit || state.getState().conflict) return;
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = setTimeout(() => {
      saveTimer = null;
      void saveNow();
    }, autosaveMs);
  }

  const onDocumentChange = () => {
    if (validateTimer) clearTimeout(validateTimer);
    validateTimer = setTimeout(runValidation, validateMs);
    if (!canEdit || state.getState().conflict) return;
    if (store.getState().changeCount !== savedAt && state.getState().saveState !== "saving")
      set({ saveState: "dirty" });
    schedule();
  };

  const loadDraft = (draft: unknown, rev: number, keepHistory: boolean) => {
    store.getState().replaceDocument(draft as WorkflowDoc, keepHistory ? { keepHistory: true } : undefined);
    revision = rev;
    savedAt = store.getState().changeCount;
    set({ saveState: "saved", conflict: null });
  };

  const selected = () => store.getState().nodes.filter((n) => n.selected);

  const session: EditorSession = {
    state,

    start() {
      runValidation();
      const unsubscribe = store.subscribe((s, prev) => {
        if (s.changeCount !== prev.changeCount) onDocumentChange();
      });
      return () => {
        unsubscribe();
        if (saveTimer) clearTimeout(saveTimer);
        if (validateTimer) clearTimeout(validateTimer);
        saveTimer = validateTimer = null;
      };
    },

    saveNow,

    hasUnsavedChanges: () => canEdit && store.getState().changeCount !== savedAt,

    async reloadTheirs() {
      const r = await server.getDraft({ id: workflowId });
      if (!r.ok) return errorNotice(r.error.message);
      loadDraft(r.data.draft, r.data.revision, false);
      setNotice({
        tone: "info",
        text: `Loaded the newest draft${r.data.updatedBy ? ` (saved by ${r.data.updatedBy})` : ""}.`,
      });
    },

    async keepBoth() {
      const r = await server.saveAsCopy({ id: workflowId, document: store.getState().toDocument() });
      if (!r.ok) {
        errorNotice(r.error.message);
        return null;
      }
      savedAt = store.getState().changeCount;
      set({ conflict: null });
      return r.data.id;
    },

    async publish() {
      runValidation();
      if (store.getState().problems.length > 0) {
        errorNotice("Fix the problems in the checklist to publish.", "problems-fixed");
        return false;
      }
      set({ publishing: true });
      try {
        await saveNow();
        if (state.getState().conflict) return false;
        const r = await server.publish({ id: workflowId, baseRevision: revision });
        if (!r.ok) {
          const fieldErrors = r.error.fieldErrors;
          errorNotice(r.error.message, fieldErrors?.length ? "problems-fixed" : undefined);
          if (fieldErrors?.length) store.getState().setProblems(fieldErrors);
          return false;
        }
        set({ versionsKey: state.getState().versionsKey + 1 });
        setNotice({
          tone: "info",
          text: r.data.created
            ? `Published version ${r.data.version}.`
            : `Nothing changed since version ${r.data.version}.`,
        });
        return true;
      } finally {
        set({ publishing: false });
      }
    },

    async restore(version) {
      await saveNow();
      const r = await server.restoreVersion({ id: workflowId, version, baseRevision: revision });
      if (!r.ok) return errorNotice(r.error.message);
      if (r.data.status === "conflict") {
        set({ saveState: "conflict", conflict: { revision: r.data.revision, updatedBy: r.data.updatedBy } });
        return;
      }
      const d = await server.getDraft({ id: workflowId });
      if (d.ok) loadDraft(d.data.draft, d.data.revision, true);
      setNotice({
        tone: "info",
        text: `Version ${version} restored as the draft. Undo brings your previous draft back.`,
      });
    },

    async exportJson() {
      await saveNow();
      const r = await server.exportWorkflow({ id: workflowId });
      if (r.ok) opts.download?.(r.data.filename, r.data.json);
      else errorNotice(r.error.message);
    },

    async prepareRun() {
      runValidation();
      if (store.getState().problems.length > 0) {
        errorNotice("Fix the problems in the checklist before running.", "problems-fixed");
        return false;
      }
      await saveNow();
      return true;
    },

    setNotice,
    bumpVersions: () => set({ versionsKey: state.getState().versionsKey + 1 }),

    copyText() {
      const payload = store.getState().copySelection();
      return payload ? JSON.stringify(payload) : null;
    },

    cut() {
      if (!canEdit) return null;
      const text = session.copyText();
      if (text) store.getState().deleteSelection();
      return text;
    },

    pasteText(text) {
      if (!canEdit) return false;
      const payload = parseClipboard(text);
      if (!payload && !store.getState().clipboard) return false;
      store.getState().paste(payload);
      return true;
    },

    find(query) {
      const q = query.trim().toLowerCase();
      if (!q) return null;
      const nodes = store.getState().nodes;
      const n =
        nodes.find((x) => (x.data.name ?? "").toLowerCase() === q) ??
        nodes.find((x) => (x.data.name ?? "").toLowerCase().includes(q) || x.id.toLowerCase().includes(q));
      if (!n) return null;
      store.getState().select([n.id]);
      return n.id;
    },

    deleteSelection() {
      if (!canEdit) return null;
      const s = store.getState();
      const gone = new Set(selected().map((n) => n.id));
      const goneEdges = s.edges.filter((e) => e.selected);
      if (gone.size === 0 && goneEdges.length === 0) return null;
      // where focus goes next: the step before the first deleted one, else the step after it,
      // else (an edge was deleted) its source, else the nearest remaining step
      const first = s.nodes.find((n) => gone.has(n.id));
      const alive = (id: string | undefined) => (id && !gone.has(id) && s.nodes.some((n) => n.id === id) ? id : null);
      let next: string | null = null;
      if (first) {
        next =
          s.edges.map((e) => (e.target === first.id ? alive(e.source) : null)).find(Boolean) ??
          s.edges.map((e) => (e.source === first.id ? alive(e.target) : null)).find(Boolean) ??
          null;
        if (!next) {
          const rest = s.nodes.filter((n) => !gone.has(n.id));
          const d = (n: CanvasNode) => (n.position.x - first.position.x) ** 2 + (n.position.y - first.position.y) ** 2;
          next = rest.sort((a, b) => d(a) - d(b))[0]?.id ?? null;
        }
      } else {
        next = alive(goneEdges[0]?.source);
      }
      s.deleteSelection();
      if (next) store.getState().select([next]);
      return next;
    },

    connectCandidates(sourceId, query = "") {
      const s = store.getState();
      const src = s.nodes.find((n) => n.id === sourceId);
      if (!src) return [];
      const q = query.trim().toLowerCase();
      const linked = new Set(s.edges.filter((e) => e.source === sourceId).map((e) => e.target));
      const list = s.nodes.filter(
        (n) =>
          n.id !== sourceId &&
          n.type !== "note" &&
          (!opts.catalog || opts.catalog.hasInput(n.type ?? "")) &&
          (!q || (n.data.name ?? "").toLowerCase().includes(q) || n.id.toLowerCase().includes(q)),
      );
      const rank = (n: CanvasNode) =>
        (linked.has(n.id) ? 2 : 0) + (q && !(n.data.name ?? "").toLowerCase().startsWith(q) ? 1 : 0);
      // steps already connected go last; otherwise left to right, as the canvas reads
      return list.sort((a, b) => rank(a) - rank(b) || a.position.x - b.position.x || a.position.y - b.position.y);
    },

    connect(sourceId, targetId, handle = null) {
      if (!canEdit) return false;
      const before = store.getState().edges.length;
      store.getState().onConnect({ source: sourceId, target: targetId, sourceHandle: handle, targetHandle: null });
      return store.getState().edges.length > before;
    },
  };
  return session;
}
