import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedUser, seedWorkspaceRow } from "@/lib/db/fixtures";
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

  it("the test URL records requests only while the editor listens (two minutes)", async () => {
    const token = webhookToken(LINK_SECRET, "wf_test");
    const t0 = NOW.getTime();
    expect((await receiveTestWebhook(LINK_SECRET, token, post(token, "{}"), t0)).status).toBe(404);
    listenForTest("wf_test", t0);
    const r = await receiveTestWebhook(
      LINK_SECRET,
      token,
      post(token, '{"ping":true}', { "x-source": "crm" }),
      t0 + 1000,
    );
    expect(r.status).toBe(200);
    expect(testRequests("wf_test", t0 + 2000)).toMatchObject({
      listening: true,
      requests: [{ method: "POST", body: { ping: true }, headers: { "x-source": "crm" } }],
    });
    expect((await receiveTestWebhook(LINK_SECRET, token, post(token, "{}"), t0 + 121_000)).status).toBe(404);
    expect(testRequests("wf_test", t0 + 121_000).listening).toBe(false);
  });
});
