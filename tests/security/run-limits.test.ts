// Limits on starting runs (lib/use-cases/runs/limits.ts): per member and per API key a minute,
// and a per-workspace cap on queued + running runs — through the editor's server action, the REST
// API (429 + Retry-After, problem+json naming the limit), re-run/retry, webhooks and schedules.
// Nothing is created by a refused start. On SQLite and PostgreSQL.
import { afterEach, beforeAll, describe, expect, it } from "vitest";

process.env.SWITCHBOARD_NOTIFICATIONS = "0";

import { rerunRunAction } from "@/app/(app)/runs/actions";
import { startRunAction } from "@/app/(app)/workflows/run-actions";
import * as runs from "@/app/api/v1/runs/route";
import { createApiKey } from "@/lib/db/api-keys";
import { type Fixture, MINIMAL_DOCUMENT, seedRun } from "@/lib/db/fixtures";
import { TEST_DATABASES } from "@/lib/db/testing";
import { edge, node, workflow } from "@/lib/engine/testing/builders";
import { serverHarness, type TestDb } from "@/lib/server/testing";
import { setRunStartLimitsForTests } from "@/lib/use-cases/runs/limits";
import { scopeOf } from "@/lib/use-cases/scope";
import { tickSchedules } from "@/lib/use-cases/triggers/schedules";
import { receiveWebhook, webhookToken } from "@/lib/use-cases/triggers/webhooks";
import { importWorkflowAndPublish } from "@/lib/use-cases/workflows";

const LINK_SECRET = "a-test-installation-secret-of-32-chars!!";

describe.each(TEST_DATABASES)("limits on starting runs on $name", ({ open }) => {
  const server = serverHarness(open);
  let db: TestDb;
  let fx: Fixture;
  let workflowId: string;
  let key: string;

  beforeAll(async () => {
    ({ db, fx } = server);
    const imported = await importWorkflowAndPublish(db, scopeOf(fx.users.admin), {
      document: { ...MINIMAL_DOCUMENT, name: "Limited" },
      publish: true,
    });
    workflowId = imported.id;
    ({ key } = await createApiKey(db.prisma, {
      workspaceId: fx.workspaceId,
      name: "ci",
      role: "editor",
      createdById: null,
    }));
  });
  afterEach(() => setRunStartLimitsForTests(null));

  const runCount = () => db.prisma.run.count({ where: { workspaceId: fx.workspaceId } });
  const startByApi = () =>
    runs.POST(
      new Request("http://x/api/v1/runs", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ workflowId }),
      }),
    );
  async function settle() {
    for (let i = 0; i < 300; i++) {
      const active = await db.prisma.run.count({
        where: { workspaceId: fx.workspaceId, status: { in: ["queued", "running"] } },
      });
      if (active === 0) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it("a member may start N runs a minute; the next is refused with a plain message, another member is not", async () => {
    let clock = Date.parse("2026-12-07T05:00:00Z");
    setRunStartLimitsForTests({ perMember: 3, perKey: 100, maxActive: 1000 }, () => clock);
    server.as("editor");
    for (let i = 0; i < 3; i++) expect(await startRunAction({ id: workflowId, input: {} })).toMatchObject({ ok: true });
    const before = await runCount();
    const refused = await startRunAction({ id: workflowId, input: {} });
    expect(refused).toMatchObject({ ok: false, error: { code: "rate_limited" } });
    if (!refused.ok)
      expect(refused.error.message).toMatch(/limit is 3 run starts a minute per member\. Retry in \d+ s/);
    expect(await runCount()).toBe(before);
    // re-running counts as a start too
    const last = await db.prisma.run.findFirst({
      where: { workspaceId: fx.workspaceId },
      orderBy: { createdAt: "desc" },
    });
    expect(await rerunRunAction({ runId: last?.id as string, version: "same" })).toMatchObject({
      ok: false,
      error: { code: "rate_limited" },
    });
    // another member has their own allowance
    server.as("admin");
    expect(await startRunAction({ id: workflowId, input: {} })).toMatchObject({ ok: true });
    // and the bucket refills
    clock += 60_000;
    server.as("editor");
    expect(await startRunAction({ id: workflowId, input: {} })).toMatchObject({ ok: true });
    await settle();
  });

  it("an API key may start N runs a minute; then 429 with Retry-After and problem+json naming the limit", async () => {
    setRunStartLimitsForTests({ perMember: 100, perKey: 2, maxActive: 1000 });
    server.as(null);
    expect((await startByApi()).status).toBe(201);
    expect((await startByApi()).status).toBe(201);
    const before = await runCount();
    const res = await startByApi();
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const problem = (await res.json()) as { code: string; detail: string };
    expect(problem.code).toBe("rate_limited");
    expect(problem.detail).toMatch(/limit is 2 run starts a minute per API key/);
    expect(await runCount()).toBe(before);
    await settle();
  });

  it("a workspace may have at most N queued + running runs, whatever starts them", async () => {
    setRunStartLimitsForTests({ perMember: 100, perKey: 100, maxActive: 2 });
    const queued = [];
    for (let i = 0; i < 2; i++)
      queued.push(
        await seedRun(db, {
          workspaceId: fx.workspaceId,
          workflowId: fx.workflowId,
          workflowVersionId: fx.versionId,
          status: "queued",
        }),
      );
    const before = await runCount();
    // the editor
    server.as("editor");
    const action = await startRunAction({ id: workflowId, input: {} });
    expect(action).toMatchObject({ ok: false, error: { code: "rate_limited" } });
    if (!action.ok) expect(action.error.message).toMatch(/2 queued or running runs: the limit is 2 per workspace/);
    // the API
    server.as(null);
    const res = await startByApi();
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBeTruthy();
    // a webhook
    const hook = await importWorkflowAndPublish(db, scopeOf(fx.users.admin), {
      document: workflow([node("t", "trigger", { kind: "webhook" }), node("done", "end", {})], [edge("t", "done")], {
        name: "Hook",
      }),
      publish: true,
    });
    const answer = await receiveWebhook(
      {
        db,
        engine: server.host.engine,
        dispatcher: server.host.dispatcher,
        store: server.host.store,
        linkSecret: LINK_SECRET,
        revealSecret: async () => null,
      },
      webhookToken(LINK_SECRET, hook.id),
      new Request("http://x/", { method: "POST", body: "{}", headers: { "content-type": "application/json" } }),
    );
    expect(answer.status).toBe(429);
    expect(answer.body).toMatchObject({ error: { code: "rate_limited" } });
    expect(answer.retryAfterSeconds).toBeGreaterThan(0);
    // a schedule's fire is recorded as failed, naming the limit
    const scheduled = await importWorkflowAndPublish(db, scopeOf(fx.users.admin), {
      document: workflow(
        [node("t", "trigger", { kind: "schedule", cron: "0 * * * *" }), node("done", "end", {})],
        [edge("t", "done")],
        { name: "Hourly" },
      ),
      publish: true,
    });
    await db.prisma.schedule.update({
      where: { workflowId: scheduled.id },
      data: { nextFireAt: new Date("2026-12-07T04:00:00Z") },
    });
    const tick = await tickSchedules(server.host, { now: new Date("2026-12-07T04:00:02Z") });
    expect(tick.started).toHaveLength(0);
    expect(await runCount()).toBe(before);

    // once one of them ends, starts are accepted again
    await db.prisma.run.update({ where: { id: queued[0]?.id as string }, data: { status: "cancelled" } });
    server.as("editor");
    expect(await startRunAction({ id: workflowId, input: {} })).toMatchObject({ ok: true });
    await db.prisma.run.update({ where: { id: queued[1]?.id as string }, data: { status: "cancelled" } });
    await settle();
  });
});
