// /api/health (probes, no sign-in), /api/metrics (Prometheus text for admins or a token) and
// POST /api/v1/runs (start a published workflow's run), end to end without Next on both databases.
import { beforeAll, describe, expect, it } from "vitest";

process.env.SWITCHBOARD_NOTIFICATIONS = "0";
process.env.SWITCHBOARD_METRICS_TOKEN = "scrape-token-0123456789";

import { GET as health } from "@/app/api/health/route";
import { GET as metrics } from "@/app/api/metrics/route";
import { POST as startRun } from "@/app/api/v1/runs/route";
import { createApiKey } from "@/lib/db/api-keys";
import type { Fixture } from "@/lib/db/fixtures";
import { TEST_DATABASES } from "@/lib/db/testing";
import { agentChain } from "@/lib/engine/testing/builders";
import { serverHarness, type TestDb } from "@/lib/server/testing";

describe.each(TEST_DATABASES)("health, metrics and starting runs over HTTP on $name", ({ open }) => {
  const server = serverHarness(open);
  let db: TestDb;
  let fx: Fixture;
  beforeAll(() => {
    ({ db, fx } = server);
  });

  it("answers live without the database, and ready when the database is migrated", async () => {
    const live = await health(new Request("http://x/api/health?probe=live"));
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ live: true });
    const ready = await health(new Request("http://x/api/health"));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      live: true,
      ready: true,
      execution: "inline",
      database: { reachable: true, migrated: true, queue: db.provider === "postgresql" ? true : null, problem: null },
    });
  });

  it("starts a run of the published version with an API key, refuses viewers and unknown workflows", async () => {
    const doc = agentChain(2, { output: "fine" });
    const wf = await db.prisma.workflow.create({
      data: { workspaceId: fx.workspaceId, name: "Chain", draft: doc as object },
    });
    await db.prisma.workflowVersion.create({
      data: {
        workspaceId: fx.workspaceId,
        workflowId: wf.id,
        version: 1,
        document: doc as object,
        contentHash: `c-${wf.id}`,
      },
    });
    const { key } = await createApiKey(db.prisma, {
      workspaceId: fx.workspaceId,
      name: "starter",
      role: "editor",
      createdById: null,
    });
    server.as(null);
    const post = (body: unknown, bearer = key) =>
      startRun(
        new Request("http://x/api/v1/runs", {
          method: "POST",
          headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        }),
      );
    const res = await post({ workflowId: "Chain", input: {} });
    expect(res.status).toBe(201);
    const { runId, version } = (await res.json()) as { runId: string; version: number };
    expect(version).toBe(1);
    // this host executes inline: the run is carried on in the background
    const deadline = Date.now() + 20_000;
    let status = "";
    while (Date.now() < deadline && status !== "succeeded") {
      status = (await db.prisma.run.findUniqueOrThrow({ where: { id: runId } })).status;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe("succeeded");
    expect(await db.prisma.auditEntry.count({ where: { targetId: runId, action: "run.started" } })).toBe(1);

    expect((await post({ workflowId: "No such workflow" })).status).toBe(404);
    expect((await post({ input: {} })).status).toBe(400);
    const { key: viewerKey } = await createApiKey(db.prisma, {
      workspaceId: fx.workspaceId,
      name: "reader",
      role: "viewer",
      createdById: null,
    });
    expect((await post({ workflowId: "Chain" }, viewerKey)).status).toBe(403);
  });

  it("serves Prometheus text to a scraper with SWITCHBOARD_METRICS_TOKEN", async () => {
    server.as(null);
    const scrape = (token: string) =>
      metrics(new Request("http://x/api/metrics", { headers: { authorization: `Bearer ${token}` } }));
    const ok = await scrape("scrape-token-0123456789");
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect((await scrape("scrape-token-0123456780")).status).toBe(401);
  });

  it("serves Prometheus text to admins only", async () => {
    server.as("admin");
    const ok = await metrics(new Request("http://x/api/metrics"));
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    server.as("editor");
    expect((await metrics(new Request("http://x/api/metrics"))).status).toBe(403);
    server.as(null);
    expect((await metrics(new Request("http://x/api/metrics"))).status).toBe(401);
  });
});
