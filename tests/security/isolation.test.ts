// Another workspace's ids answer exactly like ids that do not exist — server actions (the same
// error result) and route handlers (the same status and problem+json body) — for runs, approvals,
// workflows, versions, API keys, members, credentials, model providers, MCP servers and schedules;
// and such probes, forbidden roles, CSRF refusals and invalid API keys are audited (rate limited,
// the hash chain intact). On SQLite and PostgreSQL.
import { afterEach, beforeAll, describe, expect, it } from "vitest";

process.env.SWITCHBOARD_NOTIFICATIONS = "0";
process.env.SWITCHBOARD_SECRET_KEY = "isolation-test-vault-key-0123456789abcdef";

import { commentAction, decideAction, reassignAction } from "@/app/(app)/inbox/actions";
import { cancelRunAction as cancelFromRunPage, rerunRunAction, retryRunAction } from "@/app/(app)/runs/actions";
import { removeMemberAction, revokeApiKeyAction } from "@/app/(app)/settings/actions";
import { createCredentialAction, deleteCredentialAction } from "@/app/(app)/settings/credentials/actions";
import { removeMcpServerAction } from "@/app/(app)/settings/mcp/actions";
import { addProviderAction, removeProviderAction } from "@/app/(app)/settings/models/actions";
import {
  deleteWorkflowAction,
  duplicateWorkflowAction,
  exportWorkflowAction,
  getVersionAction,
  listVersionsAction,
  publishWorkflowAction,
  renameWorkflowAction,
} from "@/app/(app)/workflows/actions";
import { getWorkflowExposureAction } from "@/app/(app)/workflows/interop-actions";
import { cancelRunAction, runStepsAction, startRunAction } from "@/app/(app)/workflows/run-actions";
import * as schedule from "@/app/api/hooks/schedule/[workflowId]/route";
import * as runEventsLive from "@/app/api/runs/[id]/events/route";
import * as approvalDecision from "@/app/api/v1/approvals/[id]/decision/route";
import * as approval from "@/app/api/v1/approvals/[id]/route";
import * as runCancel from "@/app/api/v1/runs/[id]/cancel/route";
import * as runEvents from "@/app/api/v1/runs/[id]/events/route";
import * as runPayload from "@/app/api/v1/runs/[id]/payload/route";
import * as runRerun from "@/app/api/v1/runs/[id]/rerun/route";
import * as runRetry from "@/app/api/v1/runs/[id]/retry/route";
import * as run from "@/app/api/v1/runs/[id]/route";
import * as workflowExport from "@/app/api/v1/workflows/[id]/export/route";
import * as workflowPublish from "@/app/api/v1/workflows/[id]/publish/route";
import * as workflow from "@/app/api/v1/workflows/[id]/route";
import { createApiKey } from "@/lib/db/api-keys";
import { verifyAudit } from "@/lib/db/audit";
import type { Db } from "@/lib/db/client";
import { type Fixture, seedPendingApproval, seedWorkspace } from "@/lib/db/fixtures";
import { insertMcpServer } from "@/lib/db/mcp-servers";
import { TEST_DATABASES } from "@/lib/db/testing";
import type { McpServerConfig } from "@/lib/mcp/config";
import { createRefusalLimiter, setRefusalLimiterForTests } from "@/lib/server/refusals";
import { serverHarness, type TestDb } from "@/lib/server/testing";

type Other = {
  workspaceId: string;
  adminUserId: string;
  workflowId: string;
  runId: string;
  approvalId: string;
  apiKeyId: string;
};
type TwoWorkspaces = Fixture & { other: Other };

async function seedTwo(db: Db): Promise<TwoWorkspaces> {
  const a = await seedWorkspace(db);
  const b = await seedWorkspace(db);
  const { run: bRun, approval: bApproval } = await seedPendingApproval(db, b, { roles: ["admin", "approver"] });
  const bKey = await createApiKey(db.prisma, {
    workspaceId: b.workspaceId,
    name: "b key",
    role: "admin",
    createdById: null,
  });
  await insertMcpServer(
    db.prisma,
    b.workspaceId,
    {
      name: "tools",
      transport: "http",
      url: "https://mcp.example.test/mcp",
      approvalTools: [],
    } as unknown as McpServerConfig,
    null,
  );
  return {
    ...a,
    other: {
      workspaceId: b.workspaceId,
      adminUserId: b.users.admin.userId,
      workflowId: b.workflowId,
      runId: bRun.id,
      approvalId: bApproval.id,
      apiKeyId: bKey.apiKey.id,
    },
  };
}

const UNKNOWN = "r0000000000000000000000000000000000";

describe.each(TEST_DATABASES)("another workspace's ids on $name", ({ open }) => {
  const server = serverHarness<TwoWorkspaces>(open, seedTwo);
  let db: TestDb;
  let fx: TwoWorkspaces;
  let key: string;

  beforeAll(async () => {
    ({ db, fx } = server);
    // B's credential and model provider, made by B's admin (sealed by the vault like any other)
    server.signIn({ userId: fx.other.adminUserId, workspaceId: fx.other.workspaceId });
    expect((await createCredentialAction({ name: "crm", kind: "bearer", value: "b-secret-123456" })).ok).toBe(true);
    expect((await addProviderAction({ name: "work", kind: "openai", apiKey: "sk-b-provider-123456" })).ok).toBe(true);
    ({ key } = await createApiKey(db.prisma, {
      workspaceId: fx.workspaceId,
      name: "a key",
      role: "admin",
      createdById: null,
    }));
  });
  afterEach(() => setRefusalLimiterForTests(null));

  // [label, call with an id] — each called with B's real id and with an id that exists nowhere
  const ACTIONS: [string, (id: string) => Promise<unknown>, (o: Other) => string][] = [
    ["run page: cancel", (id) => cancelFromRunPage({ runId: id }), (o) => o.runId],
    ["run page: retry", (id) => retryRunAction({ runId: id }), (o) => o.runId],
    ["run page: re-run", (id) => rerunRunAction({ runId: id, version: "same" }), (o) => o.runId],
    ["editor: cancel run", (id) => cancelRunAction({ runId: id }), (o) => o.runId],
    ["editor: run steps", (id) => runStepsAction({ runId: id }), (o) => o.runId],
    ["editor: start run", (id) => startRunAction({ id, input: {} }), (o) => o.workflowId],
    ["approval: decide", (id) => decideAction({ approvalId: id, decision: "approve" }), (o) => o.approvalId],
    ["approval: comment", (id) => commentAction({ approvalId: id, comment: "hi" }), (o) => o.approvalId],
    [
      "approval: reassign",
      (id) => reassignAction({ approvalId: id, roles: ["admin"], userIds: [] }),
      (o) => o.approvalId,
    ],
    ["workflow: rename", (id) => renameWorkflowAction({ id, name: "x" }), (o) => o.workflowId],
    ["workflow: delete", (id) => deleteWorkflowAction({ id }), (o) => o.workflowId],
    ["workflow: duplicate", (id) => duplicateWorkflowAction({ id }), (o) => o.workflowId],
    ["workflow: export", (id) => exportWorkflowAction({ id }), (o) => o.workflowId],
    ["workflow: publish", (id) => publishWorkflowAction({ id }), (o) => o.workflowId],
    ["workflow: exposure", (id) => getWorkflowExposureAction({ workflowId: id }), (o) => o.workflowId],
    ["versions: list", (id) => listVersionsAction({ id }), (o) => o.workflowId],
    ["version: get", (id) => getVersionAction({ id, version: 1 }), (o) => o.workflowId],
    ["API key: revoke", (id) => revokeApiKeyAction({ id }), (o) => o.apiKeyId],
    ["member: remove", (id) => removeMemberAction({ userId: id }), (o) => o.adminUserId],
    ["credential: delete (by name)", (name) => deleteCredentialAction({ name }), () => "crm"],
    ["model provider: remove (by name)", (name) => removeProviderAction({ name }), () => "work"],
    ["MCP server: remove (by name)", (name) => removeMcpServerAction({ name }), () => "tools"],
  ];

  it.each(ACTIONS)(
    "server action %s: another workspace's id answers like an unknown one",
    async (_label, call, realId) => {
      server.as("admin");
      const unknownId = realId(fx.other).length < 20 ? "nosuchname" : UNKNOWN;
      const other = await call(realId(fx.other));
      const unknown = await call(unknownId);
      expect(other).toMatchObject({ ok: false });
      expect(JSON.stringify(other).replaceAll(realId(fx.other), "<id>")).toBe(
        JSON.stringify(unknown).replaceAll(unknownId, "<id>"),
      );
      expect(JSON.stringify(other)).not.toContain("forbidden");
    },
  );

  type Handler = (request: Request, context?: { params: Promise<Record<string, string>> }) => Promise<Response>;
  const ROUTES: [string, Handler, "GET" | "POST", string, (o: Other) => string, unknown?][] = [
    ["GET /api/v1/runs/{id}", run.GET, "GET", "/api/v1/runs/{id}", (o) => o.runId],
    ["GET /api/v1/runs/{id}/payload", runPayload.GET, "GET", "/api/v1/runs/{id}/payload?field=input", (o) => o.runId],
    ["GET /api/v1/runs/{id}/events", runEvents.GET, "GET", "/api/v1/runs/{id}/events", (o) => o.runId],
    ["GET /api/runs/{id}/events", runEventsLive.GET, "GET", "/api/runs/{id}/events", (o) => o.runId],
    ["POST /api/v1/runs/{id}/cancel", runCancel.POST, "POST", "/api/v1/runs/{id}/cancel", (o) => o.runId],
    ["POST /api/v1/runs/{id}/retry", runRetry.POST, "POST", "/api/v1/runs/{id}/retry", (o) => o.runId],
    [
      "POST /api/v1/runs/{id}/rerun",
      runRerun.POST,
      "POST",
      "/api/v1/runs/{id}/rerun",
      (o) => o.runId,
      { version: "same" },
    ],
    ["GET /api/v1/approvals/{id}", approval.GET, "GET", "/api/v1/approvals/{id}", (o) => o.approvalId],
    [
      "POST /api/v1/approvals/{id}/decision",
      approvalDecision.POST,
      "POST",
      "/api/v1/approvals/{id}/decision",
      (o) => o.approvalId,
      { decision: "approve" },
    ],
    ["GET /api/v1/workflows/{id}", workflow.GET, "GET", "/api/v1/workflows/{id}", (o) => o.workflowId],
    [
      "GET /api/v1/workflows/{id}/export",
      workflowExport.GET,
      "GET",
      "/api/v1/workflows/{id}/export",
      (o) => o.workflowId,
    ],
    [
      "POST /api/v1/workflows/{id}/publish",
      workflowPublish.POST,
      "POST",
      "/api/v1/workflows/{id}/publish",
      (o) => o.workflowId,
    ],
    ["GET schedule of a workflow", schedule.GET, "GET", "/api/hooks/schedule/{id}", (o) => o.workflowId],
    [
      "POST schedule of a workflow",
      schedule.POST,
      "POST",
      "/api/hooks/schedule/{id}",
      (o) => o.workflowId,
      { paused: true },
    ],
  ];

  async function callRoute(handler: Handler, method: string, path: string, id: string, body?: unknown) {
    const controller = new AbortController();
    const request = new Request(`http://x${path.replace("{id}", id)}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(method === "POST" ? { "content-type": "application/json" } : {}) },
      signal: controller.signal,
      ...(method === "POST" ? { body: JSON.stringify(body ?? {}) } : {}),
    });
    const res = await handler(request, { params: Promise.resolve({ id, workflowId: id }) });
    const text = res.headers.get("content-type")?.startsWith("text/event-stream") ? "<stream>" : await res.text();
    controller.abort();
    return { status: res.status, type: res.headers.get("content-type"), body: text.replaceAll(id, "<id>") };
  }

  it.each(ROUTES)(
    "route %s: another workspace's id answers like an unknown one (404 problem+json)",
    async (_l, handler, method, path, realId, body) => {
      server.as(null);
      const other = await callRoute(handler, method, path, realId(fx.other), body);
      const unknown = await callRoute(handler, method, path, UNKNOWN, body);
      expect(other.status).toBe(404);
      expect(other).toEqual(unknown);
      expect(other.type).toBe("application/problem+json");
    },
  );

  it("pages' loaders: another workspace's run, approval and workflow are not found", async () => {
    // the pages call these with the actor's workspace and notFound() on null
    const { getRunDetail } = await import("@/lib/db/runs-queries");
    const { getApprovalDetail } = await import("@/lib/db/approvals");
    expect(await getRunDetail(db, fx.workspaceId, fx.other.runId)).toBeNull();
    expect(await getApprovalDetail(db, fx.workspaceId, fx.other.approvalId)).toBeNull();
  });

  it("audits probes of another workspace's ids in that workspace, forbidden roles and invalid API keys — rate limited, chain intact", async () => {
    let clock = Date.parse("2026-12-01T10:00:00Z");
    setRefusalLimiterForTests(createRefusalLimiter({ perMinute: 2, now: () => clock }));
    const refusals = (workspaceId: string | null) =>
      db.prisma.auditEntry.findMany({ where: { workspaceId, action: "security.refused" }, orderBy: { seq: "asc" } });
    const beforeB = (await refusals(fx.other.workspaceId)).length;
    const beforeA = (await refusals(fx.workspaceId)).length;
    const beforeNone = (await refusals(null)).length;

    // five probes of B's run by A's editor: two written, three counted
    server.as("editor");
    for (let i = 0; i < 5; i++) await cancelFromRunPage({ runId: fx.other.runId });
    let inB = (await refusals(fx.other.workspaceId)).slice(beforeB);
    expect(inB).toHaveLength(2);
    expect(inB[0]).toMatchObject({ actorId: fx.users.editor.userId, actorLabel: fx.users.editor.email });
    expect(inB[0]?.data).toMatchObject({ kind: "other_workspace", attempted: "run.cancel", code: "not_found:run" });
    // a minute later the next probe is written with the count of those left out
    clock += 60_000;
    await cancelFromRunPage({ runId: fx.other.runId });
    inB = (await refusals(fx.other.workspaceId)).slice(beforeB);
    expect(inB).toHaveLength(3);
    expect(inB[2]?.data).toMatchObject({ suppressed: 3 });
    // an unknown id is not a refusal (nothing to report to anyone)
    await cancelFromRunPage({ runId: UNKNOWN });
    expect((await refusals(fx.other.workspaceId)).slice(beforeB)).toHaveLength(3);

    // a viewer trying to manage settings: in the viewer's own workspace
    server.as("viewer");
    await revokeApiKeyAction({ id: UNKNOWN });
    const inA = (await refusals(fx.workspaceId)).slice(beforeA);
    expect(inA).toHaveLength(1);
    expect(inA[0]?.data).toMatchObject({ kind: "forbidden", attempted: "apikey.manage", code: "forbidden:apikey" });

    // an invalid API key against the API: the chain of no workspace
    server.as(null);
    const res = await run.GET(
      new Request("http://x/api/v1/runs/x", { headers: { authorization: "Bearer sb_not-a-real-key" } }),
      { params: Promise.resolve({ id: "x" }) },
    );
    expect(res.status).toBe(401);
    const none = (await refusals(null)).slice(beforeNone);
    expect(none).toHaveLength(1);
    expect(none[0]?.data).toMatchObject({ kind: "invalid_api_key", attempted: "GET /api/v1/runs/x" });

    // every chain still verifies
    const reports = await verifyAudit(db);
    expect(reports.every((r) => r.ok)).toBe(true);
  });

  it("audits a cross-site (CSRF) write with a session cookie", async () => {
    const before = (
      await db.prisma.auditEntry.findMany({ where: { workspaceId: fx.workspaceId, action: "security.refused" } })
    ).length;
    server.as("admin");
    const res = await runCancel.POST(
      new Request(`http://app.test/api/v1/runs/${UNKNOWN}/cancel`, {
        method: "POST",
        headers: { host: "app.test", origin: "https://evil.test", "content-type": "application/json" },
        body: "{}",
      }),
      { params: Promise.resolve({ id: UNKNOWN }) },
    );
    expect(res.status).toBe(403);
    const entries = await db.prisma.auditEntry.findMany({
      where: { workspaceId: fx.workspaceId, action: "security.refused" },
      orderBy: { seq: "asc" },
    });
    expect(entries).toHaveLength(before + 1);
    expect(entries.at(-1)?.data).toMatchObject({ kind: "csrf", code: "forbidden:session" });
  });
});
