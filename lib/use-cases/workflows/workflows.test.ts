import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/contracts/app-errors";
import type { Db } from "@/lib/db/client";
import { seedRun, seedUser, seedWorkspaceRow } from "@/lib/db/fixtures";
import { TEST_DATABASES } from "@/lib/db/testing";
import { getWorkflow, getWorkflowRun, listWorkflows } from "@/lib/db/workflows";
import { TEMPLATES } from "@/lib/templates";
import type { Scope } from "../scope";
import {
  createWorkflow,
  deleteWorkflow,
  duplicateWorkflow,
  exportWorkflow,
  importWorkflow,
  listVersions,
  publishWorkflow,
  renameWorkflow,
  restoreVersion,
  saveDraft,
  stripSecrets,
} from "./index";

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

describe.each(TEST_DATABASES)("workflows on $name", ({ open }) => {
  let db: Db & { dispose(): Promise<void> };
  let scope: Scope;
  let other: Scope;

  beforeAll(async () => {
    db = await open();
    const ws = await seedWorkspaceRow(db, "W");
    const ws2 = await seedWorkspaceRow(db, "W2");
    const ada = await seedUser(db, "Ada");
    scope = { workspaceId: ws.id, userId: ada.id, actor: { label: "ada@x.test", userId: ada.id } };
    other = { workspaceId: ws2.id, userId: null, actor: { label: "system" } };
  });
  afterAll(async () => {
    await db.dispose();
  });

  it("creates blank and from a template, lists with search and sort, scoped to the workspace", async () => {
    const blank = await createWorkflow(db, scope, { name: "zeta blank" });
    const fromTemplate = await createWorkflow(db, scope, { templateId: TEMPLATES[0].id });
    await createWorkflow(db, other, { name: "Other workspace" });
    const all = await listWorkflows(db, scope.workspaceId, { sort: "name" });
    expect(all.map((w) => w.id)).toEqual([fromTemplate.id, blank.id]);
    expect(all[1].updatedBy).toBe("Ada");
    const found = await listWorkflows(db, scope.workspaceId, { q: "ZETA" });
    expect(found.map((w) => w.id)).toEqual([blank.id]);
    const detail = await getWorkflow(db, scope.workspaceId, fromTemplate.id);
    expect(detail?.draft).toEqual(TEMPLATES[0].document);
    expect(await getWorkflow(db, other.workspaceId, blank.id)).toBeNull();
    const audit = await db.prisma.auditEntry.findMany({
      where: { workspaceId: scope.workspaceId, targetId: blank.id },
    });
    expect(audit.map((a) => a.action)).toEqual(["workflow.created"]);
  });

  it("refuses an unknown template", async () => {
    const err = await rejection(createWorkflow(db, scope, { templateId: "nope" }));
    expect(err.code).toBe("not_found:template");
  });

  it("duplicates, renames and soft-deletes", async () => {
    const wf = await createWorkflow(db, scope, { name: "Original" });
    const copy = await duplicateWorkflow(db, scope, wf.id);
    expect(copy.name).toBe("Copy of Original");
    await renameWorkflow(db, scope, copy.id, "Renamed");
    const renamed = await getWorkflow(db, scope.workspaceId, copy.id);
    expect(renamed?.name).toBe("Renamed");
    expect(renamed?.draft.name).toBe("Renamed");
    expect(renamed?.draftRevision).toBe(2);
    expect((await rejection(renameWorkflow(db, scope, copy.id, "  "))).code).toBe("invalid:workflow");
    await deleteWorkflow(db, scope, copy.id);
    expect(await getWorkflow(db, scope.workspaceId, copy.id)).toBeNull();
    expect((await listWorkflows(db, scope.workspaceId)).some((w) => w.id === copy.id)).toBe(false);
    expect((await rejection(deleteWorkflow(db, other, wf.id))).code).toBe("not_found:workflow");
  });

  it("saves drafts with a revision check and reports conflicts without overwriting", async () => {
    const wf = await createWorkflow(db, scope, { name: "Draft" });
    const start = (await getWorkflow(db, scope.workspaceId, wf.id))!;
    const docA = { ...start.draft, description: "from page A" };
    const docB = { ...start.draft, description: "from page B" };
    const a = await saveDraft(db, scope, { id: wf.id, baseRevision: start.draftRevision, document: docA });
    expect(a).toMatchObject({ status: "saved", revision: start.draftRevision + 1 });
    const b = await saveDraft(db, scope, { id: wf.id, baseRevision: start.draftRevision, document: docB });
    expect(b).toMatchObject({ status: "conflict", revision: start.draftRevision + 1, updatedBy: "Ada" });
    expect((await getWorkflow(db, scope.workspaceId, wf.id))?.draft.description).toBe("from page A");
    const bad = await rejection(saveDraft(db, scope, { id: wf.id, baseRevision: a.revision, document: { nodes: 3 } }));
    expect(bad.code).toBe("invalid:document");
    expect(bad.fieldErrors?.map((f) => f.path)).toContain("nodes");
  });

  it("imports only valid documents, listing every problem, and exports without secrets", async () => {
    const before = await db.prisma.workflow.count({ where: { workspaceId: scope.workspaceId } });
    const broken = {
      format: "switchboard.workflow/v1",
      name: "Broken",
      nodes: [
        { id: "start", type: "trigger", config: { kind: "manual" } },
        { id: "1bad", type: "agent", config: {} },
        { id: "x", type: "no-such-type", config: {} },
      ],
      edges: [{ source: "start", target: "missing" }],
    };
    const err = await rejection(importWorkflow(db, scope, broken));
    expect(err.code).toBe("invalid:document");
    expect(err.fieldErrors!.length).toBeGreaterThanOrEqual(3);
    expect((await rejection(importWorkflow(db, scope, "{ not json"))).code).toBe("invalid:document");
    expect(await db.prisma.workflow.count({ where: { workspaceId: scope.workspaceId } })).toBe(before);

    const doc = structuredClone(TEMPLATES[0].document);
    const imported = await importWorkflow(db, scope, JSON.stringify(doc));
    const exported = await exportWorkflow(db, scope.workspaceId, imported.id);
    expect(exported).toEqual(doc);
  });

  it("stores an imported document with older node configs migrated to their current version", async () => {
    const old = {
      format: "switchboard.workflow/v1",
      name: "Ask a remote agent",
      nodes: [
        { id: "start", type: "trigger", config: { kind: "manual" } },
        {
          id: "ask",
          type: "a2a",
          config: { agentCardUrl: "https://agents.example.com/.well-known/agent.json", message: "{{ input }}" },
        },
      ],
      edges: [{ source: "start", target: "ask" }],
    };
    const imported = await importWorkflow(db, scope, old);
    const stored = (await exportWorkflow(db, scope.workspaceId, imported.id)) as { nodes: Record<string, unknown>[] };
    const ask = stored.nodes.find((node) => node.id === "ask") as { version?: number; config: Record<string, unknown> };
    expect(ask.version).toBe(2);
    expect(ask.config.agentCardUrl).toBe("https://agents.example.com/.well-known/agent-card.json");
  });

  it("strips credentials and secret values on export", () => {
    const doc = {
      nodes: [
        {
          id: "h",
          type: "http",
          config: {
            url: "https://x.test",
            credential: "stripe",
            headers: { Authorization: "Bearer sk_live_123", "X-Trace": "{{ run.id }}", "x-api-key": "{{ vars.key }}" },
          },
        },
      ],
      limits: { maxTokens: 10 },
    };
    const out = stripSecrets(doc);
    expect(JSON.stringify(out)).not.toContain("sk_live_123");
    expect(JSON.stringify(out)).not.toContain("stripe");
    expect(out.nodes[0].config.headers["X-Trace"]).toBe("{{ run.id }}");
    expect(out.nodes[0].config.headers["x-api-key"]).toBe("{{ vars.key }}");
    expect(out.limits.maxTokens).toBe(10);
  });

  it("publishes only valid drafts, keeps versions immutable, lists who/when, restores", async () => {
    const wf = await createWorkflow(db, scope, { templateId: "draft-approve-send" });
    let detail = (await getWorkflow(db, scope.workspaceId, wf.id))!;
    const p1 = await publishWorkflow(db, scope, { id: wf.id, note: "first" });
    expect(p1).toMatchObject({ version: 1, created: true });
    // unchanged draft: no new version
    expect(await publishWorkflow(db, scope, { id: wf.id })).toMatchObject({ version: 1, created: false });

    // an invalid draft (agent without a trigger edge is fine; a dangling edge is not) cannot be published
    const invalid = {
      ...detail.draft,
      edges: [...(detail.draft.edges as object[]), { source: "start", target: "ghost" }],
    };
    const saved = await saveDraft(db, scope, { id: wf.id, baseRevision: detail.draftRevision, document: invalid });
    expect(saved.status).toBe("saved");
    const refused = await rejection(publishWorkflow(db, scope, { id: wf.id }));
    expect(refused.code).toBe("invalid:workflow");
    expect(refused.fieldErrors?.length).toBeGreaterThan(0);
    expect((await listVersions(db, scope.workspaceId, wf.id)).length).toBe(1);

    // fix it, change it, publish v2
    detail = (await getWorkflow(db, scope.workspaceId, wf.id))!;
    const fixed = { ...detail.draft, edges: (detail.draft.edges as object[]).slice(0, -1), description: "v2" };
    const s2 = await saveDraft(db, scope, { id: wf.id, baseRevision: detail.draftRevision, document: fixed });
    const p2 = await publishWorkflow(db, scope, { id: wf.id, baseRevision: s2.revision });
    expect(p2).toMatchObject({ version: 2, created: true });
    const versions = await listVersions(db, scope.workspaceId, wf.id);
    expect(versions.map((v) => [v.version, v.publishedBy])).toEqual([
      [2, "Ada"],
      [1, "Ada"],
    ]);
    const v1 = await db.prisma.workflowVersion.findFirstOrThrow({ where: { workflowId: wf.id, version: 1 } });
    expect((v1.document as { description?: string }).description).not.toBe("v2");

    // restore v1 as the draft
    const restored = await restoreVersion(db, scope, { id: wf.id, version: 1, baseRevision: s2.revision });
    expect(restored.status).toBe("saved");
    expect((await getWorkflow(db, scope.workspaceId, wf.id))?.draft).toEqual(v1.document);
    const stale = await restoreVersion(db, scope, { id: wf.id, version: 2, baseRevision: s2.revision });
    expect(stale.status).toBe("conflict");
  });
  it("finds a run for the editor's ?run= view only in its own workflow and workspace", async () => {
    const wf = await createWorkflow(db, scope, { templateId: TEMPLATES[0].id });
    const otherWf = await createWorkflow(db, scope, { name: "another" });
    const published = await publishWorkflow(db, scope, { id: wf.id });
    const run = await seedRun(db, {
      workspaceId: scope.workspaceId,
      workflowId: wf.id,
      workflowVersionId: published.versionId,
      status: "waiting",
    });
    expect(await getWorkflowRun(db, scope.workspaceId, wf.id, run.id)).toEqual({
      id: run.id,
      status: "waiting",
      version: published.version,
    });
    expect(await getWorkflowRun(db, scope.workspaceId, otherWf.id, run.id)).toBeNull();
    expect(await getWorkflowRun(db, other.workspaceId, wf.id, run.id)).toBeNull();
    expect(await getWorkflowRun(db, scope.workspaceId, wf.id, "no-such-run")).toBeNull();
  });
});
