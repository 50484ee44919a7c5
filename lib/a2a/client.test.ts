// The A2A client against a real A2A 1.0 agent (@a2a-js/sdk server) on 127.0.0.1: streaming and
// polling, replies as messages and as tasks, questions, failures, timeouts and cancellation (the
// remote task is cancelled), huge replies, malformed cards, cards pointing at private addresses,
// a server that is gone, and credentials.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EgressDeniedError, NonRetryableError, RetryableError, TimeoutError } from "@/lib/contracts/errors";
import { type A2aTestAgent, startA2aTestAgent } from "@/tests/a2a-agent/agent";
import { createA2aClient } from "./client";

let agent: A2aTestAgent;
let polling: A2aTestAgent;
let secured: A2aTestAgent;
beforeAll(async () => {
  agent = await startA2aTestAgent();
  polling = await startA2aTestAgent({ streaming: false });
  secured = await startA2aTestAgent({ token: "agent-token" });
});
afterAll(async () => {
  await agent.close();
  await polling.close();
  await secured.close();
});

const allowing = (...agents: { port: number }[]) =>
  createA2aClient({
    egress: () => ({ allowHosts: agents.map((a) => `127.0.0.1:${a.port}`) }),
    credentials: { get: async (_ws, name) => (name === "agent-token" ? "agent-token" : null) },
    pollIntervalMs: 20,
  });

let n = 0;
const send = (client: ReturnType<typeof createA2aClient>, cardUrl: string, message: unknown, extra = {}) =>
  client.send({
    workspaceId: "ws",
    cardUrl,
    message,
    messageId: `m-${++n}`,
    signal: AbortSignal.timeout(20_000),
    timeoutMs: 15_000,
    ...extra,
  });

describe("A2A client", () => {
  it("sends a message, streams the task to its end and keeps the reply as data", async () => {
    const out = await send(allowing(agent), agent.cardUrl, "echo hello there");
    expect(out).toMatchObject({
      agent: { name: "Order desk", url: agent.cardUrl },
      state: "completed",
      text: "hello there",
      artifacts: [{ name: "answer", text: "hello there", data: [] }],
    });
    expect(out.taskId).toMatch(/\w/);
    const bait = await send(allowing(agent), agent.cardUrl, "bait");
    expect(bait.text).toBe("{{ run.id }} $string(vars)");
  });

  it("follows an agent without streaming by polling; a plain message reply has no task", async () => {
    const out = await send(allowing(polling), polling.cardUrl, "echo polled");
    expect(out).toMatchObject({ state: "completed", text: "polled" });
    const reply = await send(allowing(agent), agent.cardUrl, "reply just a message");
    expect(reply).toMatchObject({ state: "completed", text: "just a message", taskId: null });
  });

  it("sends an object as a data part", async () => {
    const out = await send(allowing(agent), agent.cardUrl, { order: 42 });
    expect(out.data).toEqual([{ echoed: { order: 42 } }]);
  });

  it("stops at a question; the answer continues the same task", async () => {
    const client = allowing(agent);
    const asked = await send(client, agent.cardUrl, "ask");
    expect(asked).toMatchObject({ state: "input-required", text: "What is your order number?" });
    const done = await send(client, agent.cardUrl, "A-17", { taskId: asked.taskId, contextId: asked.contextId });
    expect(done).toMatchObject({ state: "completed", taskId: asked.taskId, text: "Order A-17 found" });
  });

  it("reports a failed task as failed", async () => {
    const out = await send(allowing(agent), agent.cardUrl, "fail");
    expect(out).toMatchObject({ state: "failed", text: "The warehouse is closed." });
  });

  it("times out as a TimeoutError and cancels the remote task; a cancelled step cancels it too", async () => {
    const client = allowing(agent);
    const timedOut = await send(client, agent.cardUrl, "slow", { timeoutMs: 300 }).catch((e) => e);
    expect(timedOut).toBeInstanceOf(TimeoutError);
    expect(agent.cancelled.length).toBe(1);
    const controller = new AbortController();
    const reason = new Error("run cancelled");
    setTimeout(() => controller.abort(reason), 300);
    await expect(send(client, agent.cardUrl, "slow", { signal: controller.signal })).rejects.toBe(reason);
    expect(agent.cancelled.length).toBe(2);
  });

  it("bounds a huge reply", async () => {
    const client = createA2aClient({ egress: () => ({ allowHosts: [`127.0.0.1:${agent.port}`] }), maxTextChars: 1000 });
    const out = await send(client, agent.cardUrl, "huge 50000");
    expect(out.truncated).toBe(true);
    expect(out.text.length).toBe(1000);
    const tiny = createA2aClient({
      egress: () => ({ allowHosts: [`127.0.0.1:${agent.port}`] }),
      maxResponseBytes: 20_000,
    });
    await expect(send(tiny, agent.cardUrl, "huge 50000")).rejects.toBeInstanceOf(Error);
  });

  it("refuses a card at a private address, and a card whose URL points at one, before calling it", async () => {
    const before = agent.requests;
    await expect(send(allowing(), agent.cardUrl, "echo x")).rejects.toBeInstanceOf(EgressDeniedError);
    expect(agent.requests).toBe(before);
    const pointing = await startA2aTestAgent({ cardUrl: () => "http://169.254.169.254/latest/meta-data" });
    const elsewhere = await startA2aTestAgent({ cardUrl: () => `${agent.url}/a2a` });
    try {
      await expect(send(allowing(pointing), pointing.cardUrl, "echo x")).rejects.toBeInstanceOf(EgressDeniedError);
      const received = agent.received.length;
      await expect(send(allowing(elsewhere), elsewhere.cardUrl, "echo x")).rejects.toBeInstanceOf(EgressDeniedError);
      expect(agent.received.length).toBe(received);
    } finally {
      await pointing.close();
      await elsewhere.close();
    }
  });

  it("a malformed card is a permanent error naming the card", async () => {
    const broken = await startA2aTestAgent({ rawCard: "{ this is not json" });
    const empty = await startA2aTestAgent({ rawCard: JSON.stringify({ name: "No interfaces" }) });
    try {
      const e1 = await send(allowing(broken), broken.cardUrl, "echo x").catch((e) => e);
      expect(e1).toBeInstanceOf(NonRetryableError);
      expect(e1.message).toContain(broken.cardUrl);
      const e2 = await send(allowing(empty), empty.cardUrl, "echo x").catch((e) => e);
      expect(e2).toBeInstanceOf(NonRetryableError);
      expect(e2.message).toMatch(/not valid/);
    } finally {
      await broken.close();
      await empty.close();
    }
  });

  it("a server that is gone is retryable", async () => {
    const gone = await startA2aTestAgent();
    const url = gone.cardUrl;
    await gone.close();
    await expect(send(allowing(gone), url, "echo x")).rejects.toBeInstanceOf(RetryableError);
  });

  it("sends the credential to the card's origin only; a refused one is a clear error", async () => {
    const client = allowing(secured, agent);
    const ok = await send(client, secured.cardUrl, "echo secret", { credential: "agent-token" });
    expect(ok.text).toBe("secret");
    expect(secured.authorization.at(-1)).toBe("Bearer agent-token");
    const refused = await send(client, secured.cardUrl, "echo x").catch((e) => e);
    expect(refused).toBeInstanceOf(NonRetryableError);
    expect(refused.message).toMatch(/HTTP 401/);
    const elsewhere = await startA2aTestAgent({ cardUrl: () => `${agent.url}/a2a` });
    try {
      const client2 = allowing(elsewhere, agent);
      const out = await send(client2, elsewhere.cardUrl, "echo hop", { credential: "agent-token" });
      expect(out.text).toBe("hop");
      expect(agent.authorization.at(-1)).toBeNull();
    } finally {
      await elsewhere.close();
    }
  });
});
