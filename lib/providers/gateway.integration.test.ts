// The gateway over real HTTP against the fake provider server, for every provider kind, streaming
// and not: text, usage and cost, the tool loop, structured output, 429/500/cut/hang, timeouts and
// aborts, unknown providers, keys and the egress guard.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  CancelledError,
  EgressDeniedError,
  NonRetryableError,
  RateLimitError,
  RetryableError,
  TimeoutError,
} from "@/lib/contracts/errors";
import type { ModelDelta, ModelRequest } from "@/lib/contracts/ports";
import { type FakeProvider, startFakeProvider } from "@/tests/fake-provider/server";
import type { ProviderConfig } from "./config";
import { InvalidModelOutputError, UnknownProviderError } from "./errors";
import { createProviderGateway, type ProviderGateway } from "./gateway";
import { createProviderPriceTable } from "./prices";

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const KEY = "sk-fake-0123456789";

interface Kind {
  name: string;
  config: Omit<ProviderConfig, "name" | "baseUrl">;
  base: keyof FakeProvider["baseUrls"];
  /** The request path for a model, streaming or not. */
  path: (model: string, stream: boolean) => string;
  /** The header carrying the key, and its value. */
  auth: [string, string];
}

const KINDS: Kind[] = [
  {
    name: "oa",
    config: { kind: "openai", apiKey: KEY },
    base: "openai",
    path: () => "/v1/responses",
    auth: ["authorization", `Bearer ${KEY}`],
  },
  {
    name: "oc",
    config: { kind: "openai", api: "chat", apiKey: KEY },
    base: "openai",
    path: () => "/v1/chat/completions",
    auth: ["authorization", `Bearer ${KEY}`],
  },
  {
    name: "an",
    config: { kind: "anthropic", apiKey: KEY },
    base: "anthropic",
    path: () => "/v1/messages",
    auth: ["x-api-key", KEY],
  },
  {
    name: "go",
    config: { kind: "google", apiKey: KEY },
    base: "google",
    path: (m, s) => `/v1beta/models/${m}:${s ? "streamGenerateContent" : "generateContent"}`,
    auth: ["x-goog-api-key", KEY],
  },
  {
    name: "co",
    config: { kind: "openai-compatible", apiKey: KEY },
    base: "openaiCompatible",
    path: () => "/v1/chat/completions",
    auth: ["authorization", `Bearer ${KEY}`],
  },
];

let fake: FakeProvider;
let gateway: ProviderGateway;
let providers: ProviderConfig[];

beforeAll(async () => {
  fake = await startFakeProvider();
  providers = KINDS.map((k) => ({
    name: k.name,
    baseUrl: fake.baseUrls[k.base],
    allowPrivateNetwork: true,
    ...k.config,
  })) as ProviderConfig[];
  const overrides = Object.fromEntries(
    KINDS.flatMap((k) =>
      ["fake-ok", "fake-tool"].map((m) => [`${k.name}:${m}`, { inputPerMTok: 3, outputPerMTok: 15 }]),
    ),
  );
  gateway = createProviderGateway({ providers, prices: createProviderPriceTable({ providers, overrides }) });
});
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

const request = (model: string, over: Partial<ModelRequest> = {}): ModelRequest => ({
  model,
  instructions: "You answer briefly.",
  messages: [{ role: "user", content: "Where is my refund?" }],
  signal: new AbortController().signal,
  attempt: 1,
  idempotencyKey: "run7:triage:1",
  ...over,
});

const schema = {
  type: "object",
  properties: { category: { type: "string" }, urgent: { type: "boolean" } },
  required: ["category", "urgent"],
};

const lookupTool = {
  name: "crm.lookup",
  description: "Look up a customer",
  inputSchema: { type: "object", properties: { email: { type: "string" } }, required: ["email"] },
  execute: async (args: unknown) => ({ customer: (args as { email: string }).email, plan: "gold" }),
};

describe.each(KINDS)("$name ($config.kind)", (kind) => {
  describe.each([
    ["not streaming", false],
    ["streaming", true],
  ] as const)("%s", (_label, stream) => {
    const deltas: ModelDelta[] = [];
    const over = (more: Partial<ModelRequest> = {}): Partial<ModelRequest> => ({
      ...(stream ? { onDelta: (d: ModelDelta) => deltas.push(d) } : {}),
      ...more,
    });
    beforeEach(() => {
      deltas.length = 0;
    });

    it("answers deterministically with usage, cost, the key and an idempotency key per request", async () => {
      const r = await gateway.generate(request(`${kind.name}:fake-ok`, over()));
      expect(r.text).toMatch(/^Echo [0-9a-f]{12}: Where is my refund\?$/);
      expect(r.usage.inputTokens).toBeGreaterThan(0);
      expect(r.usage.outputTokens).toBeGreaterThan(0);
      expect(r.usage.costUsd).toBeCloseTo((r.usage.inputTokens * 3 + r.usage.outputTokens * 15) / 1e6, 12);
      expect(fake.requests).toHaveLength(1);
      const rec = fake.requests[0]!;
      expect(rec.path).toBe(kind.path("fake-ok", stream));
      expect(rec.stream).toBe(stream);
      expect(rec.headers[kind.auth[0]]).toBe(kind.auth[1]);
      expect(rec.headers["idempotency-key"]).toBe("run7:triage:1:1:1");
      if (stream) {
        expect(deltas.length).toBeGreaterThan(1);
        expect(deltas.map((d) => (d.type === "text" ? d.text : "")).join("")).toBe(r.text);
      }
      const again = await gateway.generate(request(`${kind.name}:fake-ok`, over()));
      expect(again.text).toBe(r.text);
    });

    it("runs the tool loop: wire-safe names, traced calls, totals over both requests", async () => {
      const r = await gateway.generate(request(`${kind.name}:fake-tool`, over({ tools: [lookupTool], maxTurns: 4 })));
      expect(fake.requests).toHaveLength(2);
      expect(JSON.stringify(fake.requests[0]!.body)).toContain("crm_lookup");
      expect(JSON.stringify(fake.requests[0]!.body)).not.toContain("crm.lookup");
      expect(fake.requests.map((q) => q.headers["idempotency-key"])).toEqual([
        "run7:triage:1:1:1",
        "run7:triage:1:1:2",
      ]);
      expect(r.steps).toBe(2);
      expect(r.text).toContain("Tool results");
      expect(r.text).toContain("gold");
      expect(r.toolCalls).toHaveLength(1);
      expect(r.toolCalls![0]).toMatchObject({
        name: "crm.lookup",
        arguments: { email: "fake" },
        result: { customer: "fake", plan: "gold" },
      });
      expect(typeof r.toolCalls![0]!.durationMs).toBe("number");
      // usage is the sum of both calls (each reply's usage is derived from its own prompt)
      expect(r.usage.inputTokens).toBeGreaterThan(0);
      if (stream) expect(deltas.some((d) => d.type === "tool-result" && d.name === "crm.lookup")).toBe(true);
    });

    it("returns structured output matching the schema", async () => {
      const r = await gateway.generate(request(`${kind.name}:fake-json`, over({ outputSchema: schema })));
      expect(r.object).toEqual({ category: "fake", urgent: true });
      // the schema is not strict-compatible, so OpenAI-style APIs are not asked for strict mode
      const body = fake.requests[0]!.body as {
        response_format?: { json_schema: { strict?: boolean } };
        text?: { format: { strict?: boolean } };
      };
      if (kind.name === "oc" || kind.name === "co") expect(body.response_format!.json_schema.strict).toBe(false);
      if (kind.name === "oa") expect(body.text!.format.strict).toBe(false);
    });

    it("fails an answer that does not match the schema with InvalidModelOutputError", async () => {
      const err = await gateway
        .generate(request(`${kind.name}:fake-bad-json`, over({ outputSchema: schema })))
        .catch((e) => e);
      expect(err).toBeInstanceOf(InvalidModelOutputError);
      expect(err.retryable).toBe(true);
    });

    it("429 → RateLimitError with the Retry-After; 500 → retryable; 401 → not", async () => {
      const limited = await gateway.generate(request(`${kind.name}:fake-429`, over())).catch((e) => e);
      expect(limited).toBeInstanceOf(RateLimitError);
      expect(limited.retryAfterMs).toBe(1000);
      const failed = await gateway.generate(request(`${kind.name}:fake-500`, over())).catch((e) => e);
      expect(failed).toBeInstanceOf(RetryableError);
      expect(failed).not.toBeInstanceOf(RateLimitError);
      const refused = await gateway.generate(request(`${kind.name}:fake-401`, over())).catch((e) => e);
      expect(refused).toBeInstanceOf(NonRetryableError);
      expect(fake.requests).toHaveLength(3); // no retries inside the SDK
    });

    it("a response cut midway is retryable", async () => {
      const err = await gateway.generate(request(`${kind.name}:fake-cut`, over())).catch((e) => e);
      expect(err).toBeInstanceOf(RetryableError);
    });

    it("a hang ends with a TimeoutError at the timeout, and the request is closed", async () => {
      const started = performance.now();
      const err = await gateway.generate(request(`${kind.name}:fake-hang`, over({ timeoutMs: 150 }))).catch((e) => e);
      expect(err).toBeInstanceOf(TimeoutError);
      expect(performance.now() - started).toBeLessThan(3000);
      await vi.waitFor(() => expect(fake.openRequests()).toBe(0));
    });

    it("a hang ends when the caller aborts, with the caller's reason", async () => {
      const ac = new AbortController();
      const p = gateway.generate(request(`${kind.name}:fake-hang`, over({ signal: ac.signal })));
      await vi.waitFor(() => expect(fake.openRequests()).toBe(1));
      const reason = new CancelledError("Stopped by a test.");
      ac.abort(reason);
      expect(await p.catch((e) => e)).toBe(reason);
      await vi.waitFor(() => expect(fake.openRequests()).toBe(0));
    });
  });
});

describe("across providers", () => {
  it("names an unknown provider", async () => {
    const err = await gateway.generate(request("openrouter:gpt-4o")).catch((e) => e);
    expect(err).toBeInstanceOf(UnknownProviderError);
    expect(err.message).toContain('"openrouter"');
    expect(fake.requests).toHaveLength(0);
  });

  it("plays a scripted sequence per step: 429 then ok (the engine's retry gets the answer)", async () => {
    const first = await gateway.generate(request("an:fake-429-then-ok")).catch((e) => e);
    expect(first).toBeInstanceOf(RateLimitError);
    const second = await gateway.generate(request("an:fake-429-then-ok", { attempt: 2 }));
    expect(second.text).toMatch(/^Echo /);
    expect(fake.requests.map((r) => r.headers["idempotency-key"])).toEqual(["run7:triage:1:1:1", "run7:triage:1:2:1"]);
  });

  it("a scripted queue overrides the model name", async () => {
    fake.enqueue({ kind: "error", status: 503, retryAfter: "3" });
    const err = await gateway.generate(request("oa:fake-ok")).catch((e) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect(err.retryAfterMs).toBe(3000);
  });

  it("sends the configured key only; a wrong key is refused as non-retryable", async () => {
    fake.configure({ apiKey: KEY });
    try {
      expect((await gateway.generate(request("go:fake-ok"))).text).toMatch(/^Echo/);
      const wrong = createProviderGateway({
        providers: [
          {
            name: "an",
            kind: "anthropic",
            baseUrl: fake.baseUrls.anthropic,
            apiKey: "sk-wrong",
            allowPrivateNetwork: true,
          },
        ],
      });
      const err = await wrong.generate(request("an:fake-ok")).catch((e) => e);
      expect(err).toBeInstanceOf(NonRetryableError);
      expect(err.message).toContain("401");
    } finally {
      fake.configure({ apiKey: undefined });
    }
  });

  it("the egress guard refuses a provider on a private address unless allowed", async () => {
    const guarded = createProviderGateway({
      providers: [{ name: "local", kind: "openai-compatible", baseUrl: fake.baseUrls.openaiCompatible }],
    });
    const err = await guarded.generate(request("local:fake-ok")).catch((e) => e);
    expect(err).toBeInstanceOf(EgressDeniedError);
    expect(err.retryable).toBe(false);
    expect(fake.requests).toHaveLength(0);
    const allowed = createProviderGateway({
      providers: [{ name: "local", kind: "openai-compatible", baseUrl: fake.baseUrls.openaiCompatible }],
      allowPrivateNetwork: true,
    });
    expect((await allowed.generate(request("local:fake-ok"))).text).toMatch(/^Echo/);
  });

  it("routing: choose over HTTP picks a handoff target", async () => {
    const r = await gateway.generate(
      request("oa:fake-json", {
        handoffs: [
          { id: "billing", name: "Billing" },
          { id: "tech", name: "Tech" },
        ],
      }),
    );
    expect(r.route).toEqual({ target: "billing", reason: "fake" });
    expect(r.text).toBe("fake");
  });
});
