// The fake provider itself, over plain fetch: routing, listings, recording, scenarios (by model
// name and by queue), errors, cut streams, hangs, keys, latency, chunking and the CLI entry.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { exampleOf, stepsFromModel } from "./scenarios";
import { type FakeProvider, startFakeProvider } from "./server";

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider();
});
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

const post = (path: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
  fetch(`${fake.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    signal,
  });

const chat = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: "user", content: "hello" }],
  ...extra,
});

describe("scenarios", () => {
  it("reads steps from the model name", () => {
    expect(stepsFromModel("fake-429-then-ok")).toEqual([
      { kind: "error", status: 429, retryAfter: "1" },
      { kind: "ok" },
    ]);
    expect(stepsFromModel("fake-cut").map((s) => s.kind)).toEqual(["cut"]);
    expect(stepsFromModel("gpt-4o").map((s) => s.kind)).toEqual(["ok"]);
    expect(stepsFromModel("models/fake-500-then-500-then-tool").map((s) => s.kind)).toEqual(["error", "error", "tool"]);
  });

  it("builds examples of JSON Schemas", () => {
    expect(
      exampleOf({
        type: "object",
        properties: {
          a: { type: "string" },
          b: { enum: ["x", "y"] },
          c: { type: "array", items: { type: "integer" } },
        },
      }),
    ).toEqual({ a: "fake", b: "x", c: [1] });
    expect(exampleOf({ type: "OBJECT", properties: { n: { type: "NUMBER" } } })).toEqual({ n: 1 });
  });
});

describe("fake provider server", () => {
  it("answers OpenAI chat deterministically and records the request with its headers", async () => {
    const headers = { authorization: "Bearer sk-a", "idempotency-key": "run:node:1:1:1" };
    const a = await (await post("/v1/chat/completions", chat("fake-ok"), headers)).json();
    const b = await (await post("/v1/chat/completions", chat("fake-ok"), headers)).json();
    expect(a.choices[0].message.content).toMatch(/^Echo [0-9a-f]{12}: hello$/);
    expect(b.choices[0].message.content).toBe(a.choices[0].message.content);
    expect(a.usage.prompt_tokens).toBeGreaterThan(0);
    expect(fake.requests[0]).toMatchObject({
      method: "POST",
      path: "/v1/chat/completions",
      protocol: "openai-chat",
      model: "fake-ok",
      stream: false,
      headers: { authorization: "Bearer sk-a", "idempotency-key": "run:node:1:1:1" },
      body: chat("fake-ok"),
    });
  });

  it("lists models in each API's shape", async () => {
    const openai = await (await fetch(`${fake.url}/v1/models`)).json();
    expect(openai.object).toBe("list");
    expect(openai.data[0]).toMatchObject({ id: "fake-ok", object: "model" });
    const anthropic = await (
      await fetch(`${fake.url}/v1/models`, { headers: { "anthropic-version": "2023-06-01" } })
    ).json();
    expect(anthropic.has_more).toBe(false);
    expect(anthropic.data[0]).toMatchObject({ type: "model", id: "fake-ok" });
    const google = await (await fetch(`${fake.url}/v1beta/models`)).json();
    expect(google.models[0]).toMatchObject({ name: "models/fake-ok" });
  });

  it("sends 429 with Retry-After in the protocol's error shape; then ok for the same step", async () => {
    const h = { "anthropic-version": "2023-06-01", "idempotency-key": "r:n:1:1:1" };
    const body = { model: "fake-429-then-ok", max_tokens: 10, messages: [{ role: "user", content: "hi" }] };
    const first = await post("/v1/messages", body, h);
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("1");
    expect(await first.json()).toEqual({
      type: "error",
      error: { type: "rate_limit_error", message: expect.any(String) },
    });
    const second = await post("/v1/messages", body, { ...h, "idempotency-key": "r:n:1:2:1" });
    expect(second.status).toBe(200);
    expect((await second.json()).content[0].text).toMatch(/^Echo/);
    // another step (another key stem) starts its own sequence
    expect((await post("/v1/messages", body, { ...h, "idempotency-key": "r:other:1:1:1" })).status).toBe(429);
  });

  it("plays a scripted queue first, and takes one from another process over HTTP", async () => {
    fake.enqueue({ kind: "ok", text: "scripted" });
    await post("/__fake/queue", [{ kind: "error", status: 503 }]);
    const a = await (await post("/v1/chat/completions", chat("fake-429"))).json();
    expect(a.choices[0].message.content).toBe("scripted");
    expect((await post("/v1/chat/completions", chat("fake-ok"))).status).toBe(503);
    const listed = await (await fetch(`${fake.url}/__fake/requests`)).json();
    expect(listed).toHaveLength(2);
    await post("/__fake/reset", {});
    expect(fake.requests).toHaveLength(0);
  });

  it("streams SSE in the configured number of chunks, ending with usage and [DONE]", async () => {
    fake.configure({ chunks: 5 });
    try {
      const text = await (await post("/v1/chat/completions", chat("fake-ok", { stream: true }))).text();
      const events = text.split("\n\n").filter(Boolean);
      expect(events.at(-1)).toBe("data: [DONE]");
      const deltas = events
        .slice(0, -1)
        .map((e) => JSON.parse(e.slice("data: ".length)))
        .filter((c) => c.choices[0]?.delta?.content);
      expect(deltas).toHaveLength(5);
      expect(JSON.parse(events.at(-2)!.slice(6)).usage.completion_tokens).toBeGreaterThan(0);
    } finally {
      fake.configure({ chunks: 3 });
    }
  });

  it("streams Google's SSE and Responses events", async () => {
    const g = await (
      await post("/v1beta/models/fake-ok:streamGenerateContent?alt=sse", {
        contents: [{ role: "user", parts: [{ text: "hi" }] }],
      })
    ).text();
    expect(g.split("\n\n").filter(Boolean).length).toBe(3);
    expect(g).toContain('"finishReason":"STOP"');
    const r = await (await post("/v1/responses", { model: "fake-ok", input: "hi", stream: true })).text();
    expect(r).toContain("event: response.output_text.delta");
    expect(r).toContain("event: response.completed");
  });

  it("calls the offered tool, then answers with the tool's result", async () => {
    const tools = [
      {
        type: "function",
        function: { name: "lookup", parameters: { type: "object", properties: { q: { type: "string" } } } },
      },
    ];
    const first = await (await post("/v1/chat/completions", chat("fake-tool", { tools }))).json();
    const call = first.choices[0].message.tool_calls[0];
    expect(call.function).toEqual({ name: "lookup", arguments: '{"q":"fake"}' });
    expect(first.choices[0].finish_reason).toBe("tool_calls");
    const second = await (
      await post(
        "/v1/chat/completions",
        chat("fake-tool", {
          tools,
          messages: [
            { role: "user", content: "hello" },
            { role: "assistant", content: null, tool_calls: [call] },
            { role: "tool", tool_call_id: call.id, content: '{"answer":42}' },
          ],
        }),
      )
    ).json();
    expect(second.choices[0].message.content).toContain('{"answer":42}');
  });

  it("cuts a stream midway (the connection breaks)", async () => {
    const res = await post("/v1/chat/completions", chat("fake-cut", { stream: true }));
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  it("never answers a hang until the client gives up", async () => {
    const ac = new AbortController();
    const p = post("/v1/chat/completions", chat("fake-hang"), {}, ac.signal).catch((e) => e);
    await vi.waitFor(() => expect(fake.openRequests()).toBe(1));
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.openRequests()).toBe(1);
    ac.abort();
    expect(await p).toBeInstanceOf(Error);
    await vi.waitFor(() => expect(fake.openRequests()).toBe(0));
  });

  it("checks the key when one is configured, and waits the configured latency", async () => {
    fake.configure({ apiKey: "sk-right", latencyMs: 80 });
    try {
      expect((await post("/v1/chat/completions", chat("fake-ok"), { authorization: "Bearer sk-wrong" })).status).toBe(
        401,
      );
      const started = performance.now();
      const ok = await post(
        "/v1beta/models/fake-ok:generateContent",
        { contents: [] },
        { "x-goog-api-key": "sk-right" },
      );
      expect(ok.status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    } finally {
      fake.configure({ apiKey: undefined, latencyMs: 0 });
    }
  });
});

describe("CLI", () => {
  it("starts on a free port, prints its URL and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "tests/fake-provider/main.ts", "--port", "0"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once("line", resolve);
        child.once("exit", (code) => reject(new Error(`exited ${code}`)));
      });
      const { url, baseUrls } = JSON.parse(line) as { url: string; baseUrls: { google: string } };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(baseUrls.google).toBe(`${url}/v1beta`);
      expect((await fetch(`${url}/v1/models`)).status).toBe(200);
    } finally {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    }
  });
});
