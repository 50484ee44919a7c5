// Headless canvas driver for unit tests: the real editor store, driven the way React Flow and
// the editor's keyboard/pointer handlers drive it, without a browser.
import type { StoreApi } from "zustand/vanilla";
import { blankDocument } from "./convert";
import { createEditorStore, type EditorState } from "./store";
import type { NodeCatalog, Outcome, WorkflowDoc } from "./types";

/** A small catalog following the workflow format's node-type table (tests only). */
export const testCatalog: NodeCatalog = {
  types: () => ["trigger", "agent", "approval", "condition", "transform", "end", "note", "http", "guardrail"],
  has: (t) => testCatalog.types().includes(t),
  label: (t) => t.charAt(0).toUpperCase() + t.slice(1),
  description: (t) => `${t} node`,
  defaultConfig: (t) =>
    t === "agent" ? { model: "simulated", prompt: "" } : t === "trigger" ? { kind: "manual" } : {},
  outcomes(type, config): Outcome[] {
    switch (type) {
      case "approval":
        return [
          { handle: "approved", label: "Approved" },
          { handle: "rejected", label: "Rejected" },
        ];
      case "guardrail":
        return [
          { handle: "pass", label: "Pass" },
          { handle: "fail", label: "Fail" },
        ];
      case "condition": {
        const cases = (config.cases as { handle: string }[] | undefined) ?? [];
        return [
          ...cases.map((c) => ({ handle: c.handle, label: c.handle })),
          { handle: String(config.default ?? "else"), label: "Otherwise" },
        ];
      }
      case "http":
        return [
          { handle: null, label: "Done" },
          { handle: "error", label: "Error" },
        ];
      case "end":
      case "note":
        return [];
      default:
        return [{ handle: null, label: "Next" }];
    }
  },
  hasInput: (t) => t !== "trigger" && t !== "note",
  configVersion: () => 1,
  migrateNode: (n) => n,
};

export interface TestCanvas {
  store: StoreApi<EditorState>;
  readonly state: EditorState;
  doc(): WorkflowDoc;
  add(type: string, opts?: Parameters<EditorState["addNode"]>[1]): string;
  /** drags nodes the way React Flow reports it: dragging position changes, then a final one */
  drag(id: string, to: { x: number; y: number }, steps?: number): void;
  /** types text into a config field one character at a time, like the inspector does */
  type(id: string, field: string, text: string): void;
  connect(source: string, target: string, sourceHandle?: string | null): void;
  click(id: string, opts?: { shift?: boolean }): void;
  undo(): void;
  redo(): void;
}

export function createTestCanvas(
  doc: WorkflowDoc = blankDocument("Test"),
  catalog: NodeCatalog = testCatalog,
): TestCanvas {
  const store = createEditorStore(doc, catalog);
  const s = () => store.getState();
  return {
    store,
    get state() {
      return s();
    },
    doc: () => s().toDocument(),
    add: (type, opts) => s().addNode(type, opts),
    drag(id, to, steps = 5) {
      const node = s().nodes.find((n) => n.id === id);
      if (!node) throw new Error(`no node ${id}`);
      const from = node.position;
      for (let i = 1; i <= steps; i++) {
        const position = { x: from.x + ((to.x - from.x) * i) / steps, y: from.y + ((to.y - from.y) * i) / steps };
        s().onNodesChange([{ type: "position", id, position, dragging: true }]);
      }
      s().onNodesChange([{ type: "position", id, position: to, dragging: false }]);
    },
    type(id, field, text) {
      for (const ch of text) {
        const node = s().nodes.find((n) => n.id === id)!;
        const current = String(node.data.config[field] ?? "");
        s().updateConfig(id, { ...node.data.config, [field]: current + ch }, field);
      }
    },
    connect(source, target, sourceHandle = null) {
      s().onConnect({ source, target, sourceHandle, targetHandle: null });
    },
    click(id, opts) {
      const selected = s()
        .nodes.filter((n) => n.selected)
        .map((n) => n.id);
      s().select(opts?.shift ? [...new Set([...selected, id])] : [id]);
    },
    undo: () => s().undo(),
    redo: () => s().redo(),
  };
}
