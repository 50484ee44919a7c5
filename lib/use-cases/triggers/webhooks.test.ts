import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, openDb } from "@/lib/db/client";
import { seedUser, seedWorkspaceRow } from "@/lib/db/fixtures";
import { TEST_DATABASES } from "@/lib/db/testing";
import { edge, node, workflow } from "@/lib/engine/testing/builders";
import { createTestHost, type TestHost } from "@/lib/host-testing";
import type { Scope } from "../scope";
import { importWorkflow, publishWorkflow } from "../workflows";
import {
  listenForTest,
  parseWebhookToken,
  receiveTestWebhook,
  receiveWebhook,
  signStandardWebhook,
  testRequests,
  verifyStandardWebhook,
  type WebhookDeps,
  webhookToken,
  webhookUrlOf,
} from "./webhooks";

const LINK_SECRET = "a-test-installation-secret-of-32-chars!!";
const SIGNING = `whsec_${randomBytes(24).toString("base64")}`;
const NOW = new Date("2026-12-07T10:00:00Z");

function doc(trigger: Record<string, unknown>) {
  return workflow(
    [node("hook", "trigger", trigger), node("done", "end", { output: { got: "{{ input.message }}" } })],
    [edge("hook", "done")],
    {
      name: `Hook ${Math.random()}`,
      input: { type: "object", properties: { message: { type: "string" } }, required: ["message"] },
    },
  );
}

function post(
  token: string,
  body: string,
  headers: Record<string, string> = {},
  signed?: { id: string; at: number; secret?: string },
) {
  const h = new Headers({ "content-type": "application/json", ...headers });
  if (signed) {
    h.set("webhook-id", signed.id);
    h.set("webhook-timestamp", String(signed.at));
    h.set("webhook-signature", signStandardWebhook(signed.secret ?? SIGNING, signed.id, signed.at, body));
  }
  return new Request(`http://x/api/hooks/${token}`, { method: "POST", headers: h, body });
}

describe("Standard Webhooks signatures", () => {
  it("verifies its own signature, refuses a changed body, a wrong secret and a stale timestamp", () => {
    const at = Math.floor(NOW.getTime() / 1000);
    const body = new TextEncoder().encode('{"a":1}');
    const headers = new Headers({
      "webhook-id": "msg_1",
      "webhook-timestamp": String(at),
      "webhook-signature": `v1,bogus= ${signStandardWebhook(SIGNING, "msg_1", at, body)}`,
    });
    const check = (b: Uint8Array, secret = SIGNING, now = NOW) =>
      verifyStandardWebhook({ secret, headers, body: b, now, toleranceSeconds: 300 });
    expect(check(body)).toEqual({ ok: true });
    expect(check(new TextEncoder().encode('{"a":2}')).ok).toBe(false);
    expect(check(body, `whsec_${randomBytes(24).toString("base64")}`).ok).toBe(false);
    expect(check(body, SIGNING, new Date(NOW.getTime() + 301_000))).toMatchObject({ ok: false });
  });

  it("matches the Standard Webhooks reference vector", () => {
    // from the standard-webhooks specification's test suite
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const sig = signStandardWebhook(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}');
    expect(sig).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("tokens name their workflow and cannot be forged", () => {
    const token = webhookToken(LINK_SECRET, "wf_1");
    expect(parseWebhookToken(LINK_SECRET, token)).toBe("wf_1");
    expect(parseWebhookToken(LINK_SECRET, "wf_1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).toBeNull();
    expect(parseWebhookToken("another-secret-another-secret-00000", token)).toBeNull();
    expect(webhookUrlOf("https://sb.example/", LINK_SECRET, { id: "wf_1" }, doc({ kind: "webhook" }))).toBe(
      `https://sb.example/api/hooks/${token}`,
    );
    expect(webhookUrlOf("https://sb.example", LINK_SECRET, { id: "wf_1" }, doc({ kind: "manual" }))).toBeNull();
  });
});

describe("webhook trigger", () => {
  let host: TestHost;
  let scope: Scope;
  let deps: WebhookDeps;

  beforeAll(async () => {
    host = await createTestHost();
    const ws = await seedWorkspaceRow(host.db, "Hooks");
    const ada = await seedUser(host.db, "Ada");
    scope = { workspaceId: ws.id, userId: ada.id, actor: { label: "ada@x.test", userId: ada.id } };
    deps = {
      db: host.db,
      engine: host.engine,
      dispatcher: host.dispatcher,
      store: host.store,
      linkSecret: LINK_SECRET,
      revealSecret: async (_ws, name) => (name === "helpdesk-hook" ? SIGNING : null),
      now: () => NOW,
      sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))),
    };
  });
  afterAll(async () => {
    await host.dispose();
  });

  async function published(trigger: Record<string, unknown>) {
    const wf = await importWorkflow(host.db, scope, doc(trigger));
    await publishWorkflow(host.db, scope, { id: wf.id });
    return webhookToken(LINK_SECRET, wf.id);
  }
  const runCount = () => host.db.prisma.run.count({ where: { trigger: "webhook" } });
  const at = Math.floor(NOW.getTime() / 1000);

  it("accepts a valid signature, refuses a wrong or stale one", async () => {
    const token = await published({ kind: "webhook", secret: "helpdesk-hook" });
    const body = JSON.stringify({ message: "hello" });
    const before = await runCount();

    const ok = await receiveWebhook(deps, token, post(token, body, {}, { id: "msg_ok", at }));
    expect(ok.status).toBe(202);
    expect(ok.body.runId).toEqual(expect.any(String));
    const run = await host.store.loadRun(String(ok.body.runId));
    expect(run).toMatchObject({ trigger: "webhook", input: { message: "hello" } });
    const audit = await host.db.prisma.auditEntry.findFirst({ where: { action: "run.started", targetId: run?.id } });
    expect(audit).toMatchObject({ workspaceId: scope.workspaceId, summary: expect.stringContaining("(webhook)") });

    const wrong = await receiveWebhook(
      deps,
      token,
      post(token, body, {}, { id: "msg_wrong", at, secret: `whsec_${randomBytes(24).toString("base64")}` }),
    );
    expect(wrong.status).toBe(401);
    const stale = await receiveWebhook(deps, token, post(token, body, {}, { id: "msg_stale", at: at - 301 }));
    expect(stale.status).toBe(401);
    expect(JSON.stringify(stale.body)).toMatch(/window/);
    const unsigned = await receiveWebhook(deps, token, post(token, body));
    expect(unsigned.status).toBe(401);
    expect(await runCount()).toBe(before + 1);
  });

  it("a redelivery answers with the first run", async () => {
    const token = await published({ kind: "webhook", secret: "helpdesk-hook" });
    const body = JSON.stringify({ message: "once" });
    const first = await receiveWebhook(deps, token, post(token, body, {}, { id: "msg_dup", at }));
    const again = await receiveWebhook(deps, token, post(token, body, {}, { id: "msg_dup", at: at + 5 }));
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ runId: first.body.runId, replayed: true });
    // without a signature, Idempotency-Key does the same
    const open = await published({ kind: "webhook" });
    const a = await receiveWebhook(deps, open, post(open, body, { "idempotency-key": "k1" }));
    const b = await receiveWebhook(deps, open, post(open, body, { "idempotency-key": "k1" }));
    expect(b.body.runId).toBe(a.body.runId);
  });

  it("answers 413 past the body limit without starting a run, 422 on input that does not fit", async () => {
    const token = await published({ kind: "webhook", maxBodyKb: 1 });
    const before = await runCount();
    const big = JSON.stringify({ message: "x".repeat(2000) });
    const tooBig = await receiveWebhook(deps, token, post(token, big));
    expect(tooBig.status).toBe(413);
    // a chunked body with no content-length is cut off while streaming
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode("x".repeat(500)));
        c.close();
      },
    });
    const chunked = new Request("http://x/", { method: "POST", body: stream, duplex: "half" } as RequestInit);
    expect((await receiveWebhook(deps, token, chunked)).status).toBe(413);
    const bad = await receiveWebhook(deps, token, post(token, JSON.stringify({ nope: 1 })));
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toMatch(/message/);
    expect(await runCount()).toBe(before);
  });

  it("answers 429 with Retry-After past the webhook's rate limit, per webhook, before starting a run", async () => {
    const token = await published({ kind: "webhook", rateLimitPerMinute: 2 });
    const other = await published({ kind: "webhook", rateLimitPerMinute: 2 });
    const body = JSON.stringify({ message: "hi" });
    const before = await runCount();
    expect((await receiveWebhook(deps, token, post(token, body))).status).toBe(202);
    expect((await receiveWebhook(deps, token, post(token, body))).status).toBe(202);
    const limited = await receiveWebhook(deps, token, post(token, body));
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: { code: "rate_limited" } });
    // a bucket of 2 a minute refills one request in 30 s
    expect(limited.retryAfterSeconds).toBeGreaterThanOrEqual(29);
    expect(limited.retryAfterSeconds).toBeLessThanOrEqual(30);
    expect(await runCount()).toBe(before + 2);
    // another webhook has its own bucket
    expect((await receiveWebhook(deps, other, post(other, body))).status).toBe(202);
    // without a setting, the installation's default (SWITCHBOARD_WEBHOOK_RATE_LIMIT) applies
    const byDefault = await published({ kind: "webhook" });
    const strict = { ...deps, rateLimitPerMinute: 1 };
    expect((await receiveWebhook(strict, byDefault, post(byDefault, body))).status).toBe(202);
    expect((await receiveWebhook(strict, byDefault, post(byDefault, body))).status).toBe(429);
  });

  it("waits for the output when asked to", async () => {
    const token = await published({ kind: "webhook", respond: "with_output", waitSeconds: 5 });
    const r = await receiveWebhook(deps, token, post(token, JSON.stringify({ message: "echo" })));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: "succeeded", output: { got: "echo" } });
  });

  it("refuses unknown tokens, unpublished and non-webhook workflows", async () => {
    expect((await receiveWebhook(deps, "nope.nope", post("x", "{}"))).status).toBe(404);
    const manual = await published({ kind: "manual" });
    expect((await receiveWebhook(deps, manual, post(manual, '{"message":"m"}'))).status).toBe(404);
  });
});

describe.each(TEST_DATABASES)("the test URL on two web servers sharing $name", ({ open }) => {
  let db: Db & { dispose(): Promise<void> };
  let db2: Db;
  let a: TestHost;
  let b: TestHost;
  let workspaceId: string;

  beforeAll(async () => {
    db = await open();
    db2 = await openDb(db.target); // a second connection pool: another server on the same database
    a = await createTestHost({ db });
    b = await createTestHost({ db: db2 });
    workspaceId = (await seedWorkspaceRow(db, "Two")).id;
  });
  afterAll(async () => {
    await a.dispose();
    await b.dispose();
    await db2.close();
    await db.dispose();
  });

  it("records a request that reaches another server while the editor listens (two minutes), and only then", async () => {
    const workflowId = `wf_test_${Math.random().toString(36).slice(2)}`;
    const token = webhookToken(LINK_SECRET, workflowId);
    const t0 = NOW.getTime();
    // nobody listens yet: 404 on either server
    expect((await receiveTestWebhook(b.db, LINK_SECRET, token, post(token, "{}"), t0)).status).toBe(404);
    // the editor listens through server A …
    await listenForTest(a.db, { id: workflowId, workspaceId }, t0);
    // … the request lands on server B
    const r = await receiveTestWebhook(
      b.db,
      LINK_SECRET,
      token,
      post(token, '{"ping":true}', { "x-source": "crm" }),
      t0 + 1000,
    );
    expect(r.status).toBe(200);
    // and server A shows it to the editor
    expect(await testRequests(a.db, workflowId, t0 + 2000)).toMatchObject({
      listening: true,
      until: t0 + 120_000,
      requests: [{ method: "POST", body: { ping: true }, headers: { "x-source": "crm" } }],
    });
    // requests recorded at once on both servers are all kept, newest first, at most 10
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        receiveTestWebhook(i % 2 ? a.db : b.db, LINK_SECRET, token, post(token, JSON.stringify({ i })), t0 + 3000 + i),
      ),
    );
    const seen = await testRequests(b.db, workflowId, t0 + 4000);
    expect(seen.requests).toHaveLength(7);
    expect(
      seen.requests
        .map((q) => (q.body as { i?: number }).i)
        .filter((i) => i !== undefined)
        .sort(),
    ).toEqual([0, 1, 2, 3, 4, 5]);
    // listening again clears the list
    await listenForTest(b.db, { id: workflowId, workspaceId }, t0 + 5000);
    expect((await testRequests(a.db, workflowId, t0 + 5001)).requests).toEqual([]);
    // two minutes later: expired everywhere
    expect((await receiveTestWebhook(a.db, LINK_SECRET, token, post(token, "{}"), t0 + 126_000)).status).toBe(404);
    expect((await testRequests(b.db, workflowId, t0 + 126_000)).listening).toBe(false);
    // a forged token is refused even while listening
    await listenForTest(a.db, { id: workflowId, workspaceId }, t0 + 200_000);
    const forged = `${workflowId}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;
    expect((await receiveTestWebhook(b.db, LINK_SECRET, forged, post(forged, "{}"), t0 + 200_001)).status).toBe(404);
  });
});
