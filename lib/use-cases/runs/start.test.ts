// The one start path: every trigger is admitted, audited and dispatched the same way.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/policy";
import { seedUser, seedWorkspaceRow } from "@/lib/db/fixtures";
import { edge, node, workflow } from "@/lib/engine/testing/builders";
import { createTestHost, type TestHost } from "@/lib/host-testing";
import { startOfferedRun } from "../interop/runs";
import type { Scope } from "../scope";
import { tickSchedules } from "../triggers/schedules";
import { receiveWebhook, webhookToken } from "../triggers/webhooks";
import { importWorkflow, publishWorkflow } from "../workflows";
import { startRunFromEditor } from "./runs";
import { startCallerOf, startWorkflowRun, triggerCaller } from "./start";

const LINK_SECRET = "a-test-installation-secret-of-32-chars!!";

function doc(trigger: Record<string, unknown>) {
  return workflow([node("t", "trigger", trigger), node("done", "end", { output: { ok: true } })], [edge("t", "done")], {
    name: `Start ${Math.random()}`,
  });
}

describe("startWorkflowRun: one start path for every trigger", () => {
  let host: TestHost;
  let scope: Scope;
  let editor: Actor;
  let viewer: Actor;
  let apiKey: Actor;

  beforeAll(async () => {
    host = await createTestHost();
    const ws = await seedWorkspaceRow(host.db, "Starts");
    const ada = await seedUser(host.db, "Ada");
    scope = { workspaceId: ws.id, userId: ada.id, actor: { label: "ada@x.test", userId: ada.id } };
    editor = { userId: ada.id, email: "ada@x.test", name: "Ada", workspaceId: ws.id, role: "editor", via: "session" };
    viewer = { ...editor, role: "viewer" };
    apiKey = { ...editor, userId: "apikey:k1", name: "API key “ci”", via: "apiKey", scopes: ["runs:write"] };
  });
  afterAll(async () => {
    await host.dispose();
  });

  async function published(trigger: Record<string, unknown>) {
    const wf = await importWorkflow(host.db, scope, doc(trigger));
    const v = await publishWorkflow(host.db, scope, { id: wf.id });
    return { id: wf.id, versionId: v.versionId, version: v.version };
  }
  const auditOf = (runId: string) =>
    host.db.prisma.auditEntry.findMany({ where: { action: "run.started", targetId: runId } });
  async function ended(runId: string) {
    for (let i = 0; i < 200; i++) {
      const run = await host.store.loadRun(runId);
      if (run && ["succeeded", "failed", "cancelled"].includes(run.status)) return run;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`run ${runId} did not end`);
  }

  it("audits and dispatches each trigger once, naming the trigger", async () => {
    const wf = await published({ kind: "manual" });
    const hook = await published({ kind: "webhook" });
    const version = {
      kind: "version" as const,
      workflowId: wf.id,
      workflowVersionId: wf.versionId,
      version: wf.version,
    };
    const started: Record<string, string> = {};
    started.manual = (await startRunFromEditor(host, editor, { workflowId: wf.id, input: {} })).runId;
    started.chat = (
      await startRunFromEditor(host, editor, { workflowId: wf.id, input: { messages: [] }, trigger: "chat" })
    ).runId;
    started.api = (
      await startWorkflowRun(host, startCallerOf(apiKey), {
        trigger: "api",
        source: { kind: "published", workflowId: wf.id },
      })
    ).runId;
    const document = (await host.db.prisma.workflowVersion.findUnique({ where: { id: wf.versionId } }))?.document;
    started.mcp = (
      await startOfferedRun(
        host,
        apiKey,
        {
          id: wf.id,
          name: "W",
          description: "",
          versionId: wf.versionId,
          version: wf.version,
          document,
          workspaceId: scope.workspaceId,
        } as never,
        {},
        "mcp",
      )
    ).runId;
    started.cli = (
      await startWorkflowRun(
        host,
        { workspaceId: scope.workspaceId, actor: { label: "cli" } },
        { trigger: "cli", source: { ...version, document }, execution: "wait" },
      )
    ).runId;
    const token = webhookToken(LINK_SECRET, hook.id);
    const answer = await receiveWebhook(
      {
        db: host.db,
        engine: host.engine,
        dispatcher: host.dispatcher,
        store: host.store,
        linkSecret: LINK_SECRET,
        revealSecret: async () => null,
      },
      token,
      new Request("http://x/", { method: "POST", body: "{}", headers: { "content-type": "application/json" } }),
    );
    started.webhook = String(answer.body.runId);

    for (const [trigger, runId] of Object.entries(started)) {
      const run = await ended(runId);
      expect(run, trigger).toMatchObject({ trigger, status: "succeeded" });
      const audit = await auditOf(runId);
      expect(audit, trigger).toHaveLength(1);
      expect(audit[0]?.data, trigger).toMatchObject({ trigger });
    }
    // webhooks are audited as the webhook, not as a person
    expect((await auditOf(started.webhook))[0]?.actorLabel).toBe("webhook");
  });

  it("audits a schedule's fire through the same path", async () => {
    const wf = await published({ kind: "schedule", cron: "0 * * * *" });
    await host.db.prisma.schedule.update({
      where: { workflowId: wf.id },
      data: { nextFireAt: new Date("2026-12-07T04:00:00Z") },
    });
    const r = await tickSchedules(host, { now: new Date("2026-12-07T04:00:02Z") });
    expect(r.started).toHaveLength(1);
    const audit = await auditOf(r.started[0] as string);
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actorLabel).toBe("schedule");
    expect(audit[0]?.data).toMatchObject({
      trigger: "schedule",
      version: wf.version,
      fireAt: "2026-12-07T04:00:00.000Z",
    });
  });

  it("refuses a role that cannot start runs before anything is created, for every member-started trigger", async () => {
    const wf = await published({ kind: "manual" });
    const before = await host.db.prisma.run.count();
    await expect(startRunFromEditor(host, viewer, { workflowId: wf.id, input: {} })).rejects.toMatchObject({
      code: "forbidden:run",
    });
    await expect(
      startWorkflowRun(host, startCallerOf({ ...apiKey, role: "viewer" }), {
        trigger: "api",
        source: { kind: "published", workflowId: wf.id },
      }),
    ).rejects.toMatchObject({ code: "forbidden:run" });
    // a member of another workspace
    await expect(
      startWorkflowRun(
        host,
        { ...startCallerOf(editor), principal: { ...editor, workspaceId: "elsewhere" } },
        {
          trigger: "api",
          source: { kind: "published", workflowId: wf.id },
        },
      ),
    ).rejects.toMatchObject({ code: "forbidden:run" });
    expect(await host.db.prisma.run.count()).toBe(before);
  });

  it("a delivery key answers with the first run; an Idempotency-Key too, and refuses another request", async () => {
    const wf = await published({ kind: "manual" });
    const source = { kind: "published" as const, workflowId: wf.id };
    const caller = triggerCaller(scope.workspaceId, "webhook");
    const a = await startWorkflowRun(host, caller, { trigger: "webhook", source, deliveryKey: "d1" });
    const b = await startWorkflowRun(host, caller, { trigger: "webhook", source, deliveryKey: "d1" });
    expect(b).toMatchObject({ runId: a.runId, replayed: true });
    expect(await auditOf(a.runId)).toHaveLength(1);

    const k1 = await startWorkflowRun(host, startCallerOf(apiKey), { trigger: "api", source, idempotencyKey: "k-1" });
    const k2 = await startWorkflowRun(host, startCallerOf(apiKey), { trigger: "api", source, idempotencyKey: "k-1" });
    expect(k2).toMatchObject({ runId: k1.runId, replayed: true });
    await expect(
      startWorkflowRun(host, startCallerOf(apiKey), { trigger: "api", source, input: { x: 1 }, idempotencyKey: "k-1" }),
    ).rejects.toMatchObject({ code: "conflict:run" });
  });
});
