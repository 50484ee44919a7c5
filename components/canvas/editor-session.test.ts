// The editor session without a browser: the real editor store and the real workflow use cases
// on an embedded SQLite database (the same functions the server actions call), driven the way
// the editor component drives them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEditorSession, type EditorSession, type SessionServer } from "@/lib/canvas/editor-session";
import { createEditorStore } from "@/lib/canvas/store";
import type { WorkflowDoc } from "@/lib/canvas/types";
import { toActionResult } from "@/lib/contracts/app-errors";
import type { Db } from "@/lib/db/client";
import { seedUser, seedWorkspaceRow } from "@/lib/db/fixtures";
import { openTestSqlite } from "@/lib/db/testing";
import { nodeCatalog } from "@/lib/nodes/canvas-registry";
import type { Scope } from "@/lib/use-cases/scope";
import {
  createWorkflow,
  exportWorkflow,
  getDraft,
  publishWorkflow,
  restoreVersion,
  saveDraft,
  saveDraftAsCopy,
} from "@/lib/use-cases/workflows";
import { validateWorkflow } from "@/lib/workflow/validate";

async function result<T>(fn: () => Promise<T>) {
  try {
    return { ok: true as const, data: await fn() };
  } catch (error) {
    return toActionResult(error);
  }
}

/** The server actions' bodies, without the HTTP and session layers. */
function serverFor(db: Db, scope: Scope): SessionServer {
  return {
    saveDraft: (input) => result(() => saveDraft(db, scope, input)),
    getDraft: (input) => result(() => getDraft(db, scope.workspaceId, input.id)),
    publish: (input) => result(() => publishWorkflow(db, scope, input)),
    restoreVersion: (input) => result(() => restoreVersion(db, scope, input)),
    saveAsCopy: (input) => result(() => saveDraftAsCopy(db, scope, input)),
    exportWorkflow: (input) =>
      result(async () => {
        const doc = await exportWorkflow(db, scope.workspaceId, input.id);
        return { filename: "wf.json", json: JSON.stringify(doc) };
      }),
  };
}

const validate = (doc: WorkflowDoc) => {
  const r = validateWorkflow(doc);
  return r.valid ? [] : r.issues;
};

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await wait(10);
  }
}

describe("editor session (store + real use cases on SQLite)", () => {
  let db: Db & { dispose(): Promise<void> };
  let scope: Scope;

  beforeAll(async () => {
    db = await openTestSqlite();
    const ws = await seedWorkspaceRow(db, "W");
    const ada = await seedUser(db, "Ada");
    scope = { workspaceId: ws.id, userId: ada.id, actor: { label: "ada@x.test", userId: ada.id } };
  });
  afterAll(async () => {
    await db.dispose();
  });

  async function open(opts: { canEdit?: boolean } = {}) {
    const wf = await createWorkflow(db, scope, { name: "Session test" });
    const draft = await getDraft(db, scope.workspaceId, wf.id);
    const store = createEditorStore(draft.draft as unknown as WorkflowDoc, nodeCatalog);
    const downloads: string[] = [];
    const session = createEditorSession({
      store,
      server: serverFor(db, scope),
      workflowId: wf.id,
      draftRevision: draft.revision,
      canEdit: opts.canEdit ?? true,
      validate,
      catalog: nodeCatalog,
      download: (name) => downloads.push(name),
      autosaveMs: 20,
      validateMs: 5,
    });
    const stop = session.start();
    return { id: wf.id, store, session, stop, downloads };
  }

  const addEnd = (s: ReturnType<typeof createEditorStore>) => {
    const id = s.getState().addNode("end", { from: { nodeId: "start" } });
    return id;
  };

  it("autosaves an edit after a pause, then says saved; the server has the new draft", async () => {
    const { id, store, session, stop } = await open();
    store.getState().setMeta({ name: "Renamed" }, "name");
    expect(session.state.getState().saveState).toBe("dirty");
    expect(session.hasUnsavedChanges()).toBe(true);
    await until(() => session.state.getState().saveState === "saved");
    expect(session.hasUnsavedChanges()).toBe(false);
    expect((await getDraft(db, scope.workspaceId, id)).draft.name).toBe("Renamed");
    stop();
  });

  it("a save against a newer revision is a conflict: nothing is overwritten, reload loads theirs", async () => {
    const a = await open();
    const b = await open();
    // two tabs on the same workflow: the second opens the first's workflow
    const draft = await getDraft(db, scope.workspaceId, a.id);
    const other = createEditorStore(draft.draft as unknown as WorkflowDoc, nodeCatalog);
    const tab2 = createEditorSession({
      store: other,
      server: serverFor(db, scope),
      workflowId: a.id,
      draftRevision: draft.revision,
      canEdit: true,
      validate,
      autosaveMs: 20,
      validateMs: 5,
    });
    other.getState().setMeta({ name: "Theirs" }, "name");
    await tab2.saveNow();
    expect(tab2.state.getState().saveState).toBe("saved");

    a.store.getState().setMeta({ name: "Mine" }, "name");
    await a.session.saveNow();
    expect(a.session.state.getState().saveState).toBe("conflict");
    expect(a.session.state.getState().conflict).toMatchObject({ updatedBy: "Ada" });
    expect((await getDraft(db, scope.workspaceId, a.id)).draft.name).toBe("Theirs");
    // while in conflict, nothing more is saved
    a.store.getState().setMeta({ name: "Mine again" }, "name");
    await a.session.saveNow();
    expect((await getDraft(db, scope.workspaceId, a.id)).draft.name).toBe("Theirs");

    await a.session.reloadTheirs();
    expect(a.store.getState().meta.name).toBe("Theirs");
    expect(a.session.state.getState()).toMatchObject({ saveState: "saved", conflict: null });
    expect(a.session.state.getState().notice?.text).toMatch(/Loaded the newest draft \(saved by Ada\)/);
    a.stop();
    b.stop();
  });

  it("keep both saves mine as a new workflow and leaves theirs alone", async () => {
    const a = await open();
    const draft = await getDraft(db, scope.workspaceId, a.id);
    await saveDraft(db, scope, {
      id: a.id,
      baseRevision: draft.revision,
      document: { ...draft.draft, name: "Theirs" },
    });
    a.store.getState().setMeta({ name: "Mine" }, "name");
    await a.session.saveNow();
    expect(a.session.state.getState().saveState).toBe("conflict");
    const copy = await a.session.keepBoth();
    expect(copy).toBeTruthy();
    expect((await getDraft(db, scope.workspaceId, copy!)).draft.name).toMatch(/Mine/);
    expect((await getDraft(db, scope.workspaceId, a.id)).draft.name).toBe("Theirs");
    a.stop();
  });

  it("publish refuses with checklist problems; the error goes away by itself once they are fixed", async () => {
    const { store, session, stop } = await open();
    // a transform whose expression does not parse: not publishable
    const t = store.getState().addNode("transform", { from: { nodeId: "start" } });
    store.getState().updateConfig(t, { expression: "((( " }, "expression");
    expect(await session.publish()).toBe(false);
    expect(session.state.getState().notice).toMatchObject({ tone: "error", clearsWhen: "problems-fixed" });
    expect(store.getState().problems.length).toBeGreaterThan(0);
    // fixing the expression removes the banner without a click
    store.getState().updateConfig(t, { expression: "input" }, "expression");
    await until(() => store.getState().problems.length === 0);
    expect(session.state.getState().notice).toBeNull();
    expect(await session.publish()).toBe(true);
    expect(session.state.getState().notice?.text).toBe("Published version 1.");
    expect(session.state.getState().versionsKey).toBe(1);
    expect(await session.publish()).toBe(true);
    expect(session.state.getState().notice?.text).toBe("Nothing changed since version 1.");
    stop();
  });

  it("restore brings a version back as the draft, with undo to the previous draft", async () => {
    const { id, store, session, stop } = await open();
    addEnd(store);
    expect(await session.publish()).toBe(true);
    store.getState().setMeta({ name: "Changed after v1" }, "name");
    await session.restore(1);
    expect(store.getState().meta.name).toBe("Session test");
    expect((await getDraft(db, scope.workspaceId, id)).draft.name).toBe("Session test");
    expect(session.state.getState().saveState).toBe("saved");
    store.getState().undo();
    expect(store.getState().meta.name).toBe("Changed after v1");
    stop();
  });

  it("export saves first, then hands over the file", async () => {
    const { session, store, downloads, stop } = await open();
    store.getState().setMeta({ name: "Exported" }, "name");
    await session.exportJson();
    expect(downloads).toEqual(["wf.json"]);
    expect(session.hasUnsavedChanges()).toBe(false);
    stop();
  });

  it("a person who may only look saves nothing and cannot delete, paste or connect", async () => {
    const { store, session, stop } = await open({ canEdit: false });
    store.getState().select(["start"]);
    expect(session.deleteSelection()).toBeNull();
    expect(store.getState().nodes).toHaveLength(1);
    expect(session.pasteText(session.copyText())).toBe(false);
    expect(session.hasUnsavedChanges()).toBe(false);
    stop();
  });
});

describe("editor session: clipboard, find, delete focus, connect to", () => {
  // these need no server: the port is never called
  const never = new Proxy({} as SessionServer, {
    get: () => () => Promise.reject(new Error("the server should not be called")),
  });
  function local(doc?: WorkflowDoc): { session: EditorSession; store: ReturnType<typeof createEditorStore> } {
    const store = createEditorStore(
      doc ?? {
        format: "switchboard.workflow/v1",
        name: "Local",
        nodes: [
          { id: "start", type: "trigger", name: "Start", position: { x: 0, y: 0 }, config: { kind: "manual" } },
          { id: "draft", type: "agent", name: "Draft reply", position: { x: 300, y: 0 }, config: {} },
          { id: "review", type: "approval", name: "Review", position: { x: 600, y: 0 }, config: {} },
          { id: "send", type: "http", name: "Send", position: { x: 900, y: 0 }, config: {} },
          { id: "done", type: "end", name: "Done", position: { x: 1200, y: 0 }, config: {} },
        ],
        edges: [
          { source: "start", target: "draft" },
          { source: "draft", target: "review" },
        ],
      },
      nodeCatalog,
    );
    return {
      store,
      session: createEditorSession({
        store,
        server: never,
        workflowId: "w",
        draftRevision: 1,
        canEdit: true,
        validate: () => [],
        catalog: nodeCatalog,
      }),
    };
  }

  it("copy gives our clipboard text; paste of it adds copies; paste of other text does nothing", () => {
    const { store, session } = local();
    store.getState().select(["draft"]);
    const text = session.copyText();
    expect(JSON.parse(text!).kind).toBe("switchboard.clipboard/v1");
    expect(session.pasteText(text)).toBe(true);
    expect(store.getState().nodes).toHaveLength(6);
    const fresh = local();
    expect(fresh.session.pasteText("hello")).toBe(false);
    expect(fresh.session.pasteText("{not json")).toBe(false);
    expect(fresh.store.getState().nodes).toHaveLength(5);
  });

  it("cut removes what it copied", () => {
    const { store, session } = local();
    store.getState().select(["send"]);
    expect(session.cut()).toContain("switchboard.clipboard/v1");
    expect(store.getState().nodes.map((n) => n.id)).not.toContain("send");
  });

  it("find selects the step by name (exact name first), or says nothing matched", () => {
    const { store, session } = local();
    expect(session.find("review")).toBe("review");
    expect(
      store
        .getState()
        .nodes.filter((n) => n.selected)
        .map((n) => n.id),
    ).toEqual(["review"]);
    expect(session.find("reply")).toBe("draft");
    expect(session.find("nothing like it")).toBeNull();
    expect(session.find("  ")).toBeNull();
  });

  it("delete moves the selection to the step before, else after, else the nearest", () => {
    const { store, session } = local();
    store.getState().select(["review"]);
    expect(session.deleteSelection()).toBe("draft");
    expect(
      store
        .getState()
        .nodes.filter((n) => n.selected)
        .map((n) => n.id),
    ).toEqual(["draft"]);
    store.getState().select(["start"]);
    expect(session.deleteSelection()).toBe("draft");
    store.getState().select(["send"]);
    // no edges: the nearest step
    expect(session.deleteSelection()).toBe("done");
    store.getState().select([]);
    expect(session.deleteSelection()).toBeNull();
  });

  it("connect to: lists steps that take input, filters by name, connects once", () => {
    const { store, session } = local();
    const all = session.connectCandidates("draft").map((n) => n.id);
    // no trigger (takes no input), not itself; the step it already leads to goes last
    expect(all).toEqual(["send", "done", "review"]);
    expect(session.connectCandidates("draft", "se").map((n) => n.id)).toEqual(["send"]);
    expect(session.connect("review", "send", "approved")).toBe(true);
    expect(store.getState().edges.find((e) => e.source === "review")).toMatchObject({
      target: "send",
      sourceHandle: "approved",
    });
    expect(session.connect("review", "send", "approved")).toBe(false);
    expect(session.connect("send", "send")).toBe(false);
  });
});
