// The editor store: one zustand store of actions owns the document being edited.
// Undo history holds document snapshots only (meta, nodes, edges — structurally shared, so a
// snapshot is three references). Selection, measured sizes, viewport, validation problems and
// live run status are never part of a snapshot: undo/redo keeps the current selection and sizes.
// One undo point per gesture: a drag is one point (begun at the first moving change, ended when
// the drag stops); typing in one field is coalesced into one point while the same field keeps
// changing; a paste, delete, layout or connect is one point.
import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange } from "@xyflow/react";
import { createStore, type StoreApi } from "zustand/vanilla";
import { canvasToDoc, docToCanvas, edgeIdFor, nodeIdForPath } from "./convert";
import type { CanvasEdge, CanvasNode, DocMeta, DocNode, NodeCatalog, Problem, StepData, WorkflowDoc } from "./types";

export interface Snapshot {
  meta: DocMeta;
  nodes: CanvasNode[];
  edges: CanvasEdge[];
}

export interface ClipboardPayload {
  kind: "switchboard.clipboard/v1";
  nodes: CanvasNode[];
  edges: CanvasEdge[];
}

export interface CommitOptions {
  /** successive commits with the same key (e.g. "config:agent_1:prompt") merge into one undo point */
  coalesceKey?: string;
}

export interface EditorState extends Snapshot {
  past: Snapshot[];
  future: Snapshot[];
  /** bumps on every document change (for autosave); undo/redo bump it too */
  changeCount: number;
  problems: Problem[];
  problemsByNode: Record<string, Problem[]>;
  clipboard: ClipboardPayload | null;
  pasteCount: number;

  // document actions (each is one undo point unless coalesced)
  commit(label: string, fn: (s: Snapshot) => Snapshot, opts?: CommitOptions): void;
  onNodesChange(changes: NodeChange<CanvasNode>[]): void;
  onEdgesChange(changes: EdgeChange<CanvasEdge>[]): void;
  onConnect(connection: Connection): void;
  addNode(
    type: string,
    opts?: { position?: { x: number; y: number }; from?: { nodeId: string; handle?: string | null }; select?: boolean },
  ): string;
  updateConfig(id: string, config: Record<string, unknown>, field?: string): void;
  updateNodeData(id: string, patch: Partial<StepData>, field?: string): void;
  setMeta(patch: Partial<DocMeta>, field?: string): void;
  deleteSelection(): void;
  deleteNodes(ids: string[]): void;
  duplicateSelection(): void;
  copySelection(): ClipboardPayload | null;
  paste(payload?: ClipboardPayload | null): string[];
  setPositions(positions: Record<string, { x: number; y: number }>, label?: string): void;
  replaceDocument(doc: WorkflowDoc, opts?: { keepHistory?: boolean }): void;

  // history
  beginGesture(): void;
  endGesture(): void;
  undo(): void;
  redo(): void;

  // not in history
  select(ids: string[], edgeIds?: string[]): void;
  selectAll(): void;
  setProblems(problems: Problem[]): void;
  toDocument(): WorkflowDoc;
}

export const HISTORY_LIMIT = 200;

/** "Agent", then "Agent 2", "Agent 3"… so every step can be told apart by name. */
export function uniqueName(label: string, nodes: readonly CanvasNode[]): string {
  const names = new Set(nodes.map((n) => n.data.name));
  if (!names.has(label)) return label;
  for (let i = 2; ; i++) if (!names.has(`${label} ${i}`)) return `${label} ${i}`;
}
const COALESCE_MS = 1500;

export function createEditorStore(doc: WorkflowDoc, catalog: NodeCatalog): StoreApi<EditorState> {
  /** A loaded document with every node at its type's current config version (the same object when all are). */
  const upgraded = (d: WorkflowDoc): WorkflowDoc => {
    const nodes = (d.nodes ?? []).map((n) => catalog.migrateNode(n));
    return nodes.every((n, i) => n === d.nodes[i]) ? d : { ...d, nodes };
  };
  const initial = docToCanvas(upgraded(doc));
  // gesture and coalescing bookkeeping lives outside the state: it never renders
  let gestureBase: Snapshot | null = null;
  let lastCoalesce: { key: string; at: number } | null = null;

  return createStore<EditorState>()((set, get) => {
    const snapshotOf = (s: Snapshot): Snapshot => ({ meta: s.meta, nodes: s.nodes, edges: s.edges });
    const same = (a: Snapshot, b: Snapshot) => a.meta === b.meta && a.nodes === b.nodes && a.edges === b.edges;

    /** Pushes `before` as an undo point and installs `after`. */
    const record = (before: Snapshot, after: Snapshot, opts?: CommitOptions) => {
      if (same(before, after)) return;
      const now = Date.now();
      const state = get();
      const merge =
        opts?.coalesceKey !== undefined &&
        lastCoalesce !== null &&
        lastCoalesce.key === opts.coalesceKey &&
        now - lastCoalesce.at < COALESCE_MS &&
        state.past.length > 0;
      lastCoalesce = opts?.coalesceKey !== undefined ? { key: opts.coalesceKey, at: now } : null;
      const past = merge ? state.past : [...state.past, before].slice(-HISTORY_LIMIT);
      set({ ...after, past, future: [], changeCount: state.changeCount + 1 });
    };

    /** Applies a document change; inside a gesture it joins the gesture's single undo point. */
    const commit = (_label: string, fn: (s: Snapshot) => Snapshot, opts?: CommitOptions) => {
      const before = snapshotOf(get());
      const after = fn(before);
      if (same(before, after)) return;
      if (gestureBase) {
        // inside a drag: no changeCount bump per frame (autosave and validation wait for the gesture's end)
        set({ ...after });
        return;
      }
      record(before, after, opts);
    };

    /** Restores a snapshot but keeps today's selection and measured sizes. */
    const restore = (snap: Snapshot) => {
      const current = new Map(get().nodes.map((n) => [n.id, n]));
      const nodes = snap.nodes.map((n) => {
        const cur = current.get(n.id);
        if (!cur) return n.selected ? { ...n, selected: false } : n;
        if (cur.selected === n.selected && cur.measured === n.measured) return n;
        return { ...n, selected: cur.selected, measured: cur.measured ?? n.measured };
      });
      const currentEdges = new Map(get().edges.map((e) => [e.id, e]));
      const edges = snap.edges.map((e) => {
        const sel = currentEdges.get(e.id)?.selected ?? false;
        return (e.selected ?? false) === sel ? e : { ...e, selected: sel };
      });
      return { meta: snap.meta, nodes, edges };
    };

    const uniqueId = (type: string, taken: Set<string>) => {
      const base = type.replace(/[^A-Za-z0-9_-]/g, "") || "node";
      for (let i = 1; ; i++) {
        const id = `${/^[A-Za-z]/.test(base) ? base : `n${base}`}_${i}`;
        if (!taken.has(id)) return id;
      }
    };

    const labelFor = (sourceType: string | undefined, config: Record<string, unknown>, handle: string | null) => {
      if (handle === null) return undefined;
      const o = catalog.outcomes(sourceType ?? "", config).find((x) => x.handle === handle);
      return o?.label ?? handle;
    };

    /** Clipboard data may come from another tab or installation, with older configs: bring them up to date. */
    const upgradedData = (n: CanvasNode): StepData => {
      const node = { ...n.data, id: n.id, type: n.type ?? "" } as DocNode;
      const next = catalog.migrateNode(node);
      if (next === node) return n.data;
      const { id: _id, type: _type, position: _position, ...data } = next;
      return data as StepData;
    };

    const clone = (payload: ClipboardPayload, offset: number, taken: Set<string>) => {
      const map = new Map<string, string>();
      const nodes = payload.nodes.map((n) => {
        const id = uniqueId(n.type ?? "node", taken);
        taken.add(id);
        map.set(n.id, id);
        return {
          ...n,
          id,
          selected: true,
          measured: undefined,
          position: { x: n.position.x + offset, y: n.position.y + offset },
          data: structuredClone(upgradedData(n)),
        } satisfies CanvasNode;
      });
      const edges = payload.edges
        .filter((e) => map.has(e.source) && map.has(e.target))
        .map((e) => {
          const source = map.get(e.source)!;
          const target = map.get(e.target)!;
          return { ...e, id: edgeIdFor(source, e.sourceHandle, target), source, target, selected: false };
        });
      return { nodes, edges };
    };

    const deselectAll = (nodes: CanvasNode[]) => nodes.map((n) => (n.selected ? { ...n, selected: false } : n));
    const deselectEdges = (edges: CanvasEdge[]) => edges.map((e) => (e.selected ? { ...e, selected: false } : e));

    return {
      meta: initial.meta,
      nodes: initial.nodes,
      edges: initial.edges,
      past: [],
      future: [],
      changeCount: 0,
      problems: [],
      problemsByNode: {},
      clipboard: null,
      pasteCount: 0,

      commit,

      onNodesChange(changes) {
        const docChanges: NodeChange<CanvasNode>[] = [];
        const viewChanges: NodeChange<CanvasNode>[] = [];
        let dragEnded = false;
        for (const c of changes) {
          if (c.type === "select" || c.type === "dimensions") viewChanges.push(c);
          else {
            docChanges.push(c);
            if (c.type === "position" && c.dragging === true && !gestureBase) get().beginGesture();
            if (c.type === "position" && c.dragging === false) dragEnded = true;
          }
        }
        if (viewChanges.length > 0) set({ nodes: applyNodeChanges(viewChanges, get().nodes) });
        if (docChanges.length > 0) {
          const removed = new Set(docChanges.filter((c) => c.type === "remove").map((c) => c.id));
          commit("nodes", (s) => ({
            ...s,
            nodes: applyNodeChanges(docChanges, s.nodes),
            edges: removed.size ? s.edges.filter((e) => !removed.has(e.source) && !removed.has(e.target)) : s.edges,
          }));
        }
        if (dragEnded) get().endGesture();
      },

      onEdgesChange(changes) {
        const view = changes.filter((c) => c.type === "select");
        const doc = changes.filter((c) => c.type !== "select");
        if (view.length > 0) set({ edges: applyEdgeChanges(view, get().edges) });
        if (doc.length > 0) commit("edges", (s) => ({ ...s, edges: applyEdgeChanges(doc, s.edges) }));
      },

      onConnect(conn) {
        if (!conn.source || !conn.target || conn.source === conn.target) return;
        // the "default" outcome is an edge without sourceHandle (normal completion)
        const handle = conn.sourceHandle && conn.sourceHandle !== "default" ? conn.sourceHandle : null;
        const id = edgeIdFor(conn.source, handle, conn.target);
        if (get().edges.some((e) => e.id === id)) return;
        const src = get().nodes.find((n) => n.id === conn.source);
        const label = labelFor(src?.type, src?.data.config ?? {}, handle);
        commit("connect", (s) => ({
          ...s,
          edges: [
            ...s.edges,
            {
              id,
              type: "step",
              source: conn.source,
              target: conn.target,
              sourceHandle: handle,
              label,
              data: { generatedId: true },
            },
          ],
        }));
      },

      addNode(type, opts = {}) {
        const state = get();
        const taken = new Set(state.nodes.map((n) => n.id));
        const id = uniqueId(type, taken);
        let position = opts.position ?? { x: 0, y: 0 };
        const from = opts.from ? state.nodes.find((n) => n.id === opts.from!.nodeId) : undefined;
        if (from && !opts.position) {
          const siblings = state.edges.filter((e) => e.source === from.id).length;
          position = { x: from.position.x + 300, y: from.position.y + siblings * 150 };
        }
        const version = catalog.configVersion(type);
        const node: CanvasNode = {
          id,
          type,
          position,
          selected: opts.select ?? true,
          data: {
            name: uniqueName(catalog.label(type), state.nodes),
            config: structuredClone(catalog.defaultConfig(type)),
            // absent means 1, so documents of types that never changed stay as they were
            ...(version > 1 ? { version } : {}),
          },
        };
        commit("add", (s) => {
          const nodes = opts.select === false ? [...s.nodes, node] : [...deselectAll(s.nodes), node];
          let edges = opts.select === false ? s.edges : deselectEdges(s.edges);
          if (from && catalog.hasInput(type)) {
            const raw = opts.from?.handle;
            const handle = raw && raw !== "default" ? raw : null;
            edges = [
              ...edges,
              {
                id: edgeIdFor(from.id, handle, id),
                type: "step",
                source: from.id,
                target: id,
                sourceHandle: handle,
                label: labelFor(from.type, from.data.config, handle),
                data: { generatedId: true },
              },
            ];
          }
          return { ...s, nodes, edges };
        });
        return id;
      },

      updateConfig(id, config, field) {
        commit(
          "config",
          (s) => ({ ...s, nodes: s.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, config } } : n)) }),
          { coalesceKey: `config:${id}:${field ?? "*"}` },
        );
      },

      updateNodeData(id, patch, field) {
        commit(
          "node",
          (s) => ({ ...s, nodes: s.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, ...patch } } : n)) }),
          { coalesceKey: `data:${id}:${field ?? Object.keys(patch).join(",")}` },
        );
      },

      setMeta(patch, field) {
        commit("meta", (s) => ({ ...s, meta: { ...s.meta, ...patch } }), {
          coalesceKey: `meta:${field ?? Object.keys(patch).join(",")}`,
        });
      },

      deleteSelection() {
        const s = get();
        const ids = s.nodes.filter((n) => n.selected).map((n) => n.id);
        const edgeIds = new Set(s.edges.filter((e) => e.selected).map((e) => e.id));
        if (ids.length === 0 && edgeIds.size === 0) return;
        const gone = new Set(ids);
        commit("delete", (snap) => ({
          ...snap,
          nodes: snap.nodes.filter((n) => !gone.has(n.id)),
          edges: snap.edges.filter((e) => !edgeIds.has(e.id) && !gone.has(e.source) && !gone.has(e.target)),
        }));
      },

      deleteNodes(ids) {
        const gone = new Set(ids);
        commit("delete", (snap) => ({
          ...snap,
          nodes: snap.nodes.filter((n) => !gone.has(n.id)),
          edges: snap.edges.filter((e) => !gone.has(e.source) && !gone.has(e.target)),
        }));
      },

      copySelection() {
        const s = get();
        const nodes = s.nodes.filter((n) => n.selected);
        if (nodes.length === 0) return null;
        const ids = new Set(nodes.map((n) => n.id));
        const payload: ClipboardPayload = {
          kind: "switchboard.clipboard/v1",
          nodes: structuredClone(nodes.map((n) => ({ ...n, selected: false, measured: undefined }))),
          edges: structuredClone(s.edges.filter((e) => ids.has(e.source) && ids.has(e.target))),
        };
        set({ clipboard: payload, pasteCount: 0 });
        return payload;
      },

      paste(payload) {
        const data = payload ?? get().clipboard;
        if (data?.kind !== "switchboard.clipboard/v1" || data.nodes.length === 0) return [];
        const count = get().pasteCount + 1;
        const taken = new Set(get().nodes.map((n) => n.id));
        const copy = clone(data, 40 * count, taken);
        commit("paste", (s) => ({
          ...s,
          nodes: [...deselectAll(s.nodes), ...copy.nodes],
          edges: [...deselectEdges(s.edges), ...copy.edges],
        }));
        set({ pasteCount: count });
        return copy.nodes.map((n) => n.id);
      },

      duplicateSelection() {
        const saved = get().clipboard;
        const savedCount = get().pasteCount;
        const payload = get().copySelection();
        if (payload) get().paste(payload);
        set({ clipboard: saved, pasteCount: savedCount });
      },

      setPositions(positions, label = "layout") {
        commit(label, (s) => ({
          ...s,
          nodes: s.nodes.map((n) => (positions[n.id] ? { ...n, position: positions[n.id] } : n)),
        }));
      },

      replaceDocument(doc, opts) {
        const next = docToCanvas(upgraded(doc));
        gestureBase = null;
        lastCoalesce = null;
        if (opts?.keepHistory) {
          record(snapshotOf(get()), next);
          return;
        }
        set({ ...next, past: [], future: [], changeCount: get().changeCount + 1 });
      },

      beginGesture() {
        if (!gestureBase) gestureBase = snapshotOf(get());
      },

      endGesture() {
        const base = gestureBase;
        gestureBase = null;
        if (!base) return;
        lastCoalesce = null;
        const now = snapshotOf(get());
        if (same(base, now)) return;
        const state = get();
        set({ past: [...state.past, base].slice(-HISTORY_LIMIT), future: [], changeCount: state.changeCount + 1 });
      },

      undo() {
        get().endGesture();
        const s = get();
        const prev = s.past[s.past.length - 1];
        if (!prev) return;
        lastCoalesce = null;
        set({
          ...restore(prev),
          past: s.past.slice(0, -1),
          future: [snapshotOf(s), ...s.future],
          changeCount: s.changeCount + 1,
        });
      },

      redo() {
        get().endGesture();
        const s = get();
        const next = s.future[0];
        if (!next) return;
        lastCoalesce = null;
        set({
          ...restore(next),
          past: [...s.past, snapshotOf(s)],
          future: s.future.slice(1),
          changeCount: s.changeCount + 1,
        });
      },

      select(ids, edgeIds = []) {
        const want = new Set(ids);
        const wantEdges = new Set(edgeIds);
        set((s) => ({
          nodes: s.nodes.map((n) => (!!n.selected === want.has(n.id) ? n : { ...n, selected: want.has(n.id) })),
          edges: s.edges.map((e) =>
            !!e.selected === wantEdges.has(e.id) ? e : { ...e, selected: wantEdges.has(e.id) },
          ),
        }));
      },

      selectAll() {
        set((s) => ({ nodes: s.nodes.map((n) => (n.selected ? n : { ...n, selected: true })) }));
      },

      setProblems(problems) {
        const byNode: Record<string, Problem[]> = {};
        const nodes = get().nodes;
        for (const p of problems) {
          const id = p.nodeId ?? nodeIdForPath(p.path, nodes);
          if (!id) continue;
          byNode[id] ??= [];
          byNode[id].push(p);
        }
        set({ problems, problemsByNode: byNode });
      },

      toDocument() {
        const s = get();
        return canvasToDoc(s.meta, s.nodes, s.edges);
      },
    };
  });
}
