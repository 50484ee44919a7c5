// Pinning documents to immutable versions (CLI runs) and loading published versions
// (subworkflows), on SQLite and PostgreSQL, including a parent run that calls a child workflow.
import { afterEach, describe, expect, it } from "vitest";
import { agentChain, edge, node, trigger, workflow } from "../engine/testing/builders";
import { createRuntime } from "../runtime/engine";
import { TEST_DATABASES } from "./testing";
import {
  canonicalJson,
  cliWorkspace,
  contentHash,
  DEFAULT_WORKSPACE_SLUG,
  loadPublishedVersion,
  loadVersionById,
  pinDocumentVersion,
} from "./workflows-store";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

describe("canonical hashing", () => {
  it("ignores key order and undefined, not values", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"e":3,"f":2}]},"b":1}',
    );
    expect(contentHash({ a: 1, b: 2 })).toBe(contentHash({ b: 2, a: 1 }));
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
  });
});

describe.each(TEST_DATABASES)("workflows store on $name", ({ open }) => {
  async function setup() {
    const db = await open();
    cleanups.push(() => db.dispose());
    const ws = await cliWorkspace(db);
    return { db, ws };
  }

  it("creates the Default workspace once", async () => {
    const { db, ws } = await setup();
    expect(ws.slug).toBe(DEFAULT_WORKSPACE_SLUG);
    expect((await cliWorkspace(db)).id).toBe(ws.id);
    expect(await db.prisma.workspace.count()).toBe(1);
  });

  it("reuses the version of an identical document and appends one for a changed document", async () => {
    const { db, ws } = await setup();
    const doc = agentChain(2);
    const first = await pinDocumentVersion(db, { workspaceId: ws.id, document: doc });
    expect(first).toMatchObject({ version: 1, created: true });
    const same = await pinDocumentVersion(db, { workspaceId: ws.id, document: JSON.parse(JSON.stringify(doc)) });
    expect(same).toEqual({ ...first, created: false });
    const changed = await pinDocumentVersion(db, { workspaceId: ws.id, document: { ...doc, description: "v2" } });
    expect(changed).toMatchObject({ workflowId: first.workflowId, version: 2, created: true });
    expect((await loadVersionById(db, first.workflowVersionId))?.document).toEqual(doc);
    // the workflow's draft is the first document; versions never change
    const wf = await db.prisma.workflow.findUniqueOrThrow({ where: { id: first.workflowId } });
    expect(wf.draft).toEqual(doc);
  });

  it("pins concurrently without duplicate version numbers", async () => {
    const { db, ws } = await setup();
    const base = agentChain(1);
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        pinDocumentVersion(db, { workspaceId: ws.id, document: { ...base, description: `variant ${i}` } }),
      ),
    );
    const versions = await db.prisma.workflowVersion.findMany({ where: { workflowId: results[0].workflowId } });
    expect(new Set(versions.map((v) => v.version)).size).toBe(versions.length);
    expect(versions).toHaveLength(4);
    expect(await db.prisma.workflow.count({ where: { workspaceId: ws.id, name: base.name } })).toBe(1);
  });

  it("loads a published version by workflow id or name, a number or latest", async () => {
    const { db, ws } = await setup();
    const v1 = await pinDocumentVersion(db, { workspaceId: ws.id, document: { ...agentChain(1), name: "Child" } });
    const v2 = await pinDocumentVersion(db, {
      workspaceId: ws.id,
      document: { ...agentChain(1), name: "Child", description: "second" },
    });
    expect((await loadPublishedVersion(db, ws.id, v1.workflowId, "latest"))?.version).toBe(2);
    expect((await loadPublishedVersion(db, ws.id, "Child", 1))?.workflowVersionId).toBe(v1.workflowVersionId);
    expect((await loadPublishedVersion(db, ws.id, "Child", undefined))?.workflowVersionId).toBe(v2.workflowVersionId);
    expect(await loadPublishedVersion(db, ws.id, "Child", 3)).toBeNull();
    expect(await loadPublishedVersion(db, ws.id, "Nope", "latest")).toBeNull();
    expect(await loadPublishedVersion(db, "other-workspace", v1.workflowId, "latest")).toBeNull();
  });

  it("runs a subworkflow: the parent's node starts the child's published version", async () => {
    const { db, ws } = await setup();
    const child = workflow(
      [
        trigger(),
        node("shout", "transform", { expression: "$uppercase(input.word)" }),
        node("done", "end", { output: "{{ nodes.shout.output }}" }),
      ],
      [edge("start", "shout"), edge("shout", "done")],
      { name: "Shouter" },
    );
    const childVersion = await pinDocumentVersion(db, { workspaceId: ws.id, document: child });
    const parent = workflow(
      [
        trigger(),
        node("call", "subworkflow", { workflow: childVersion.workflowId, version: "latest", input: { word: "hello" } }),
        node("done", "end", { output: "{{ nodes.call.output }}" }),
      ],
      [edge("start", "call"), edge("call", "done")],
      { name: "Parent" },
    );
    const parentVersion = await pinDocumentVersion(db, { workspaceId: ws.id, document: parent });
    const rt = createRuntime(db, { role: "test" });
    cleanups.push(() => rt.close());
    const result = await rt.engine.execute(
      {
        document: parent,
        workspaceId: ws.id,
        workflowId: parentVersion.workflowId,
        workflowVersionId: parentVersion.workflowVersionId,
      },
      {},
    );
    expect(result.status, JSON.stringify(result.error)).toBe("succeeded");
    expect(result.output).toBe("HELLO");
    const childRun = await db.prisma.run.findFirstOrThrow({ where: { parentRunId: result.runId } });
    expect(childRun).toMatchObject({ workflowVersionId: childVersion.workflowVersionId, status: "succeeded" });
  });
});
