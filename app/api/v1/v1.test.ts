// The REST API v1 end to end without Next: real database, authedRoute with API keys and a test
// session, the real engine. Every operation with a key of every scope (allowed and refused), the
// Idempotency-Key, problem+json, the body limit, the rate limit, expired and orphaned keys.
import { afterEach, beforeAll, describe, expect, it } from "vitest";

process.env.SWITCHBOARD_NOTIFICATIONS = "0";

import { API_KEY_SCOPES, keyAllowsScope, scopesForAction } from "@/lib/auth/scopes";
import { createApiKey } from "@/lib/db/api-keys";
import { type Fixture, MINIMAL_DOCUMENT, seedPendingApproval } from "@/lib/db/fixtures";
import { TEST_DATABASES } from "@/lib/db/testing";
import { API_V1, type ApiOperation } from "@/lib/server/api-v1";
import { createRateLimiter, setApiKeyRateLimiter } from "@/lib/server/rate-limit";
import { serverHarness, type TestDb } from "@/lib/server/testing";
import { scopeOf } from "@/lib/use-cases/scope";
import { importWorkflowAndPublish } from "@/lib/use-cases/workflows";
import * as approvalDecision from "./approvals/[id]/decision/route";
import * as approval from "./approvals/[id]/route";
import * as approvals from "./approvals/route";
import * as runCancel from "./runs/[id]/cancel/route";
import * as runEvents from "./runs/[id]/events/route";
import * as runPayload from "./runs/[id]/payload/route";
import * as runRerun from "./runs/[id]/rerun/route";
import * as runRetry from "./runs/[id]/retry/route";
import * as run from "./runs/[id]/route";
import * as runsExport from "./runs/export/route";
import * as runs from "./runs/route";
import * as workflowChat from "./workflows/[id]/chat/route";
import * as workflowExport from "./workflows/[id]/export/route";
import * as workflowPublish from "./workflows/[id]/publish/route";
import * as workflow from "./workflows/[id]/route";
import * as workflowImport from "./workflows/import/route";
import * as workflows from "./workflows/route";

type Handler = (request: Request, context?: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors: { path: string; message: string }[];
};

const HANDLERS: Record<Exclude<keyof typeof API_V1, "openapi">, Handler> = {
  listRuns: runs.GET,
  startRun: runs.POST,
  exportRuns: runsExport.GET,
  getRun: run.GET,
  getRunPayload: runPayload.GET,
  streamRunEvents: runEvents.GET,
  cancelRun: runCancel.POST,
  retryRun: runRetry.POST,
  rerunRun: runRerun.POST,
  listApprovals: approvals.GET,
  getApproval: approval.GET,
  decideApproval: approvalDecision.POST,
  listWorkflows: workflows.GET,
  getWorkflow: workflow.GET,
  exportWorkflow: workflowExport.GET,
  importWorkflow: workflowImport.POST,
  publishWorkflow: workflowPublish.POST,
  chatWorkflow: workflowChat.POST,
};

describe.each(TEST_DATABASES)("REST API v1 on $name", ({ open }) => {
  const server = serverHarness(open);
  let db: TestDb;
  let fx: Fixture;
  let workflowId: string;
  const keys = new Map<string, string>();

  async function keyWith(scopes: readonly string[] | undefined, role: "admin" | "viewer" | "editor" = "admin") {
    const { key } = await createApiKey(db.prisma, {
      workspaceId: fx.workspaceId,
      name: `key ${scopes?.join(",") ?? "legacy"} ${role}`,
      role,
      createdById: null,
      scopes,
    });
    return key;
  }

  beforeAll(async () => {
    ({ db, fx } = server);
    const imported = await importWorkflowAndPublish(db, scopeOf(fx.users.admin), {
      document: { ...MINIMAL_DOCUMENT, name: "API target" },
      publish: true,
    });
    workflowId = imported.id;
    for (const scope of API_KEY_SCOPES) keys.set(scope, await keyWith([scope]));
  });
  afterEach(() => setApiKeyRateLimiter(null));

  function call(
    name: keyof typeof HANDLERS,
    options: { key?: string; id?: string; query?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const op = API_V1[name] as ApiOperation;
    const path = op.path.replace("{id}", options.id ?? "none");
    const controller = new AbortController();
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    if (op.method === "post") headers["content-type"] = "application/json";
    const request = new Request(`http://x/api/v1${path}${options.query ? `?${options.query}` : ""}`, {
      method: op.method.toUpperCase(),
      headers,
      signal: controller.signal,
      ...(op.method === "post" ? { body: JSON.stringify(options.body ?? {}) } : {}),
    });
    return HANDLERS[name](request, { params: Promise.resolve({ id: options.id ?? "none" }) }).then((res) => {
      if (res.headers.get("content-type")?.startsWith("text/event-stream")) {
        controller.abort();
        void res.body?.cancel();
      }
      return res;
    });
  }

  it("every operation with a key of every scope: the scopes that include it pass, the others get 403 forbidden:apikey", async () => {
    server.as(null);
    const { approval: pending } = await seedPendingApproval(db, fx, { title: "scoped" });
    const started = await call("startRun", { key: keys.get("runs:write"), body: { workflowId } });
    expect(started.status).toBe(201);
    const { runId } = (await started.json()) as { runId: string };
    const samples: Record<keyof typeof HANDLERS, Parameters<typeof call>[1]> = {
      listRuns: {},
      startRun: { body: { workflowId } },
      exportRuns: {},
      getRun: { id: runId },
      getRunPayload: { id: runId, query: "field=input" },
      streamRunEvents: { id: runId },
      cancelRun: { id: runId },
      retryRun: { id: runId },
      rerunRun: { id: runId, body: { version: "same" } },
      listApprovals: {},
      getApproval: { id: pending.id },
      decideApproval: { id: pending.id, body: { decision: "reject" } },
      listWorkflows: {},
      getWorkflow: { id: workflowId },
      exportWorkflow: { id: workflowId },
      importWorkflow: { body: { document: { nodes: "not a list" } } },
      publishWorkflow: { id: workflowId },
      // the target's trigger is manual: an allowed scope gets 409, not 401/403
      chatWorkflow: { id: workflowId, body: { messages: [{ role: "user", content: "hi" }] } },
    };
    const seen: string[] = [];
    for (const name of Object.keys(HANDLERS) as (keyof typeof HANDLERS)[]) {
      const op = API_V1[name] as ApiOperation;
      const needed = scopesForAction(op.action ?? "settings.manage");
      for (const scope of API_KEY_SCOPES) {
        const allowed = needed.some((n) => keyAllowsScope({ scopes: [scope] }, n));
        const res = await call(name, { ...samples[name], key: keys.get(scope) });
        const label = `${name} with ${scope}: ${res.status}`;
        if (allowed) {
          expect([401, 403], label).not.toContain(res.status);
        } else {
          expect(res.status, label).toBe(403);
          const problem = (await res.json()) as Problem & { code: string };
          expect(problem.code, label).toBe("forbidden:apikey");
          expect(problem.detail).toContain(needed[0] as string);
        }
        seen.push(`${name}:${scope}:${allowed}`);
      }
    }
    expect(seen).toHaveLength(Object.keys(HANDLERS).length * API_KEY_SCOPES.length);
    // the refused decisions changed nothing (decide with approvals:decide was a 400: no reason)
    expect((await db.prisma.approval.findUniqueOrThrow({ where: { id: pending.id } })).status).toBe("pending");
  });

  it("keys made before scopes (no list) keep working for everything their role allows; the role still limits", async () => {
    server.as(null);
    const legacy = await keyWith(undefined, "viewer");
    expect((await call("listRuns", { key: legacy })).status).toBe(200);
    const refused = await call("startRun", { key: legacy, body: { workflowId } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe("forbidden:run");
  });

  it("Idempotency-Key: the same key and body return the same run (200); another body is refused with 409 naming the header", async () => {
    server.as(null);
    const key = keys.get("runs:write");
    const headers = { "idempotency-key": "order-4711" };
    const first = await call("startRun", { key, headers, body: { workflowId, input: { n: 1 } } });
    expect(first.status).toBe(201);
    const a = (await first.json()) as { runId: string; replayed: boolean };
    expect(a.replayed).toBe(false);
    const again = await call("startRun", { key, headers, body: { workflowId, input: { n: 1 } } });
    expect(again.status).toBe(200);
    const b = (await again.json()) as { runId: string; replayed: boolean };
    expect(b).toMatchObject({ runId: a.runId, replayed: true });
    expect(await db.prisma.run.count({ where: { workspaceId: fx.workspaceId, input: { equals: { n: 1 } } } })).toBe(1);
    const other = await call("startRun", { key, headers, body: { workflowId, input: { n: 2 } } });
    expect(other.status).toBe(409);
    expect(other.headers.get("content-type")).toBe("application/problem+json");
    const problem = (await other.json()) as Problem;
    expect(problem.errors[0]?.path).toBe("header.Idempotency-Key");
    expect(problem.detail).toContain("Idempotency-Key");
    const bad = await call("startRun", { key, headers: { "idempotency-key": "has space" }, body: { workflowId } });
    expect(bad.status).toBe(400);
    // after the retention (24 h) the key is free again: a new run
    await db.prisma.idempotencyKey.updateMany({
      where: { key: "order-4711" },
      data: { createdAt: new Date(Date.now() - 25 * 3_600_000) },
    });
    const later = await call("startRun", { key, headers, body: { workflowId, input: { n: 2 } } });
    expect(later.status).toBe(201);
    expect(((await later.json()) as { runId: string }).runId).not.toBe(a.runId);
  });

  it("errors are one problem+json shape naming the field", async () => {
    server.as(null);
    const key = keys.get("admin");
    const missing = await call("getRun", { key, id: "no-such-run" });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe("application/problem+json");
    expect(await missing.json()).toMatchObject({
      type: "urn:switchboard:problem:not_found:run",
      title: "Not found",
      status: 404,
      errors: [],
    });
    const invalid = await call("startRun", { key, body: { workflowId: 42 } });
    expect(invalid.status).toBe(400);
    const problem = (await invalid.json()) as Problem;
    expect(problem.errors[0]?.path).toBe("workflowId");
    expect(problem.detail).toMatch(/^workflowId: /);
    const anonymous = await call("listRuns", {});
    expect(anonymous.status).toBe(401);
  });

  it("refuses bodies over the limit while reading the stream, with or without Content-Length (413)", async () => {
    server.as(null);
    const big = new Uint8Array(1024 * 1024 + 10).fill(32);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < big.length; i += 65536) controller.enqueue(big.subarray(i, i + 65536));
        controller.close();
      },
    });
    const chunked = await runs.POST(
      new Request("http://x/api/v1/runs", {
        method: "POST",
        headers: { authorization: `Bearer ${keys.get("runs:write")}`, "content-type": "application/json" },
        body: stream,
        duplex: "half",
      } as RequestInit),
    );
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as Problem).title).toBe("Request body too large");
    const declared = await runs.POST(
      new Request("http://x/api/v1/runs", {
        method: "POST",
        headers: { authorization: `Bearer ${keys.get("runs:write")}`, "content-length": String(big.length) },
        body: big,
      }),
    );
    expect(declared.status).toBe(413);
    // import takes more than 1 MiB: a 1.5 MiB document is read and judged on its content (400, not 413)
    const padded = { document: { ...MINIMAL_DOCUMENT, description: "x".repeat(1_500_000) } };
    const imported = await call("importWorkflow", { key: keys.get("workflows:write"), body: padded });
    expect(imported.status).not.toBe(413);
  });

  it("rate-limits each key on its own: 429 with Retry-After", async () => {
    server.as(null);
    setApiKeyRateLimiter(createRateLimiter({ perMinute: 2 }));
    const key = keys.get("runs:read");
    expect((await call("listRuns", { key })).status).toBe(200);
    expect((await call("listRuns", { key })).status).toBe(200);
    const limited = await call("listRuns", { key });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await call("listRuns", { key: keys.get("admin") })).status).toBe(200);
  });

  it("refuses expired keys and the keys of a removed member; caps a key at its creator's role", async () => {
    server.as(null);
    const expired = await createApiKey(db.prisma, {
      workspaceId: fx.workspaceId,
      name: "expired",
      role: "admin",
      createdById: null,
      scopes: ["admin"],
      expiresAt: new Date(Date.now() - 1000),
    });
    expect((await call("listRuns", { key: expired.key })).status).toBe(401);
    const member = await db.prisma.user.create({ data: { email: `leaver-${Date.now()}@acme.test`, name: "leaver" } });
    await db.prisma.membership.create({ data: { workspaceId: fx.workspaceId, userId: member.id, role: "editor" } });
    const theirs = await createApiKey(db.prisma, {
      workspaceId: fx.workspaceId,
      name: "leaver's key",
      role: "admin",
      createdById: member.id,
      scopes: ["admin"],
    });
    expect((await call("listRuns", { key: theirs.key })).status).toBe(200);
    // an editor's "admin" key acts as an editor: it may not list every approval
    const all = await call("listApprovals", { key: theirs.key, query: "tab=all" });
    expect(all.status).toBe(403);
    await db.prisma.membership.deleteMany({ where: { userId: member.id } });
    expect((await call("listRuns", { key: theirs.key })).status).toBe(401);
  });

  it("a session keeps its role checks (no scopes) and runs started through the API are filtered by trigger", async () => {
    server.as("viewer");
    const origin = { origin: "http://x", host: "x" };
    const refused = await call("startRun", { headers: origin, body: { workflowId } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe("forbidden:run");
    server.as("editor");
    const ok = await call("startRun", { headers: origin, body: { workflowId, input: { via: "session" } } });
    expect(ok.status).toBe(201);
    const { runId } = (await ok.json()) as { runId: string };
    const listed = await call("listRuns", { query: "trigger=api" });
    const body = (await listed.json()) as { runs: { id: string; trigger: string }[] };
    expect(body.runs.map((r) => r.id)).toContain(runId);
    expect(new Set(body.runs.map((r) => r.trigger))).toEqual(new Set(["api"]));
    const manual = (await (await call("listRuns", { query: "trigger=manual,chat" })).json()) as {
      runs: { id: string }[];
    };
    expect(manual.runs.map((r) => r.id)).not.toContain(runId);
    server.as(null);
  });
});
