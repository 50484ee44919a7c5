// The gateway's mapping logic against `ai/test` mock models (no HTTP): messages, maxRetries 0,
// error types, structured output, the tool loop and its trace, usage totals and cost, handoffs,
// abort and timeout. The same behaviours over real HTTP: gateway.integration.test.ts.
import { APICallError, simulateReadableStream } from "ai";
import { MockLanguageModelV3, MockProviderV3 } from "ai/test";
import { describe, expect, it } from "vitest";
import {
  CancelledError,
  NonRetryableError,
  RateLimitError,
  RetryableError,
  TimeoutError,
} from "@/lib/contracts/errors";
import type { ModelDelta, ModelRequest } from "@/lib/contracts/ports";
import type { ProviderConfig } from "./config";
import { InvalidModelOutputError, ToolLoopLimitError, UnknownProviderError } from "./errors";
import { createProviderGateway } from "./gateway";

type GenerateResult = Awaited<ReturnType<MockLanguageModelV3["doGenerate"]>>;
type CallOptions = Parameters<MockLanguageModelV3["doGenerate"]>[0];

const usage = (input: number, output: number) => ({
  inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});

const textResult = (text: string, input = 10, output = 5): GenerateResult => ({
  content: [{ type: "text", text }],
  finishReason: { unified: "stop", raw: "stop" },
  usage: usage(input, output),
  warnings: [],
});

const toolResult = (calls: { id: string; name: string; input: unknown }[], input = 10, output = 5): GenerateResult => ({
  content: calls.map((c) => ({
    type: "tool-call" as const,
    toolCallId: c.id,
    toolName: c.name,
    input: JSON.stringify(c.input),
  })),
  finishReason: { unified: "tool-calls", raw: "tool_calls" },
  usage: usage(input, output),
  warnings: [],
});

function setup(
  doGenerate: (options: CallOptions, call: number) => GenerateResult | Promise<GenerateResult>,
  config: Partial<ProviderConfig> = {},
  extra: Partial<Parameters<typeof createProviderGateway>[0]> = {},
) {
  let calls = 0;
  const model = new MockLanguageModelV3({ doGenerate: (o) => Promise.resolve(doGenerate(o, ++calls)) });
  const gateway = createProviderGateway({
    providers: [{ name: "mock", kind: "openai", apiKey: "sk-test", ...config } as ProviderConfig],
    providerFactory: () => new MockProviderV3({ languageModels: { m: model } }),
    prices: { price: (id) => (id === "mock:m" ? { inputPerMTok: 2, outputPerMTok: 10 } : null) },
    ...extra,
  });
  return { gateway, model, calls: () => calls };
}

const request = (over: Partial<ModelRequest> = {}): ModelRequest => ({
  model: "mock:m",
  instructions: "Be brief.",
  messages: [{ role: "user", content: "Hello" }],
  signal: new AbortController().signal,
  attempt: 1,
  idempotencyKey: "run1:agent:1",
  ...over,
});

describe("provider gateway (mock models)", () => {
  it("answers with text, usage and its cost from the price table", async () => {
    const { gateway } = setup(() => textResult("Hi there", 1000, 500));
    const r = await gateway.generate(request());
    expect(r.text).toBe("Hi there");
    expect(r.usage).toEqual({ inputTokens: 1000, outputTokens: 500, costUsd: (1000 * 2 + 500 * 10) / 1e6 });
    expect(r.finishReason).toBe("stop");
    expect(r.steps).toBe(1);
  });

  it("maps instructions and system messages into the system prompt, other roles in order", async () => {
    const { gateway, model } = setup(() => textResult("ok"));
    await gateway.generate(
      request({
        messages: [
          { role: "user", content: "first question" },
          { role: "assistant", content: "first answer" },
          { role: "system", content: "Handed off to you by Triage: billing" },
          { role: "tool", content: '{"x":1}', name: "lookup" },
          { role: "user", content: "second" },
        ],
      }),
    );
    const prompt = model.doGenerateCalls[0]!.prompt;
    expect(prompt[0]).toEqual({
      role: "system",
      content: "Be brief.\n\nHanded off to you by Triage: billing",
    });
    expect(prompt.slice(1).map((m) => m.role)).toEqual(["user", "assistant", "user", "user"]);
    expect(JSON.stringify(prompt[3])).toContain("Tool result from lookup");
  });

  it("makes exactly one call per generate (SDK retries off): a 500 is not retried by the SDK", async () => {
    const { gateway, calls } = setup(() => {
      throw new APICallError({
        message: "boom",
        url: "http://x",
        requestBodyValues: {},
        statusCode: 500,
        isRetryable: true,
      });
    });
    const err = await gateway.generate(request()).catch((e) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).not.toBeInstanceOf(RateLimitError);
    expect(calls()).toBe(1);
  });

  it("turns a 429 into a RateLimitError carrying Retry-After (seconds and -ms headers)", async () => {
    const fail = (headers: Record<string, string>) => () => {
      throw new APICallError({
        message: "slow down",
        url: "http://x",
        requestBodyValues: {},
        statusCode: 429,
        responseHeaders: headers,
        isRetryable: true,
      });
    };
    const a = await setup(fail({ "retry-after": "7" }))
      .gateway.generate(request())
      .catch((e) => e);
    expect(a).toBeInstanceOf(RateLimitError);
    expect(a.retryAfterMs).toBe(7000);
    expect(a.retryable).toBe(true);
    const b = await setup(fail({ "retry-after-ms": "250", "retry-after": "7" }))
      .gateway.generate(request())
      .catch((e) => e);
    expect(b.retryAfterMs).toBe(250);
  });

  it("treats 401/400 as non-retryable and says which model", async () => {
    for (const status of [400, 401, 403, 404]) {
      const { gateway } = setup(() => {
        throw new APICallError({ message: "no", url: "http://x", requestBodyValues: {}, statusCode: status });
      });
      const err = await gateway.generate(request()).catch((e) => e);
      expect(err).toBeInstanceOf(NonRetryableError);
      expect(err.message).toContain("mock:m");
      expect(err.toJSON().details).toMatchObject({ status });
    }
  });

  it("names an unknown provider and the configured ones", async () => {
    const { gateway } = setup(() => textResult("x"));
    const err = await gateway.generate(request({ model: "nope:gpt" })).catch((e) => e);
    expect(err).toBeInstanceOf(UnknownProviderError);
    expect(err.provider).toBe("nope");
    expect(err.message).toContain('"nope"');
    expect(err.message).toContain("mock");
    expect(err.retryable).toBe(false);
    const bare = await gateway.generate(request({ model: "gpt-4o" })).catch((e) => e);
    expect(bare).toBeInstanceOf(NonRetryableError);
  });

  it("refuses a provider without a key, and reveals a vault credential at call time", async () => {
    const noKey = setup(() => textResult("x"), { apiKey: undefined });
    expect(await noKey.gateway.generate(request()).catch((e) => e)).toBeInstanceOf(NonRetryableError);

    const revealed: string[] = [];
    let seenKey: string | undefined;
    const model = new MockLanguageModelV3({ doGenerate: async () => textResult("ok") });
    const gateway = createProviderGateway({
      providers: [{ name: "mock", kind: "openai", credential: "openai-key" }],
      revealSecret: async (name) => {
        revealed.push(name);
        return "sk-from-vault";
      },
      providerFactory: (_c, setup) => {
        seenKey = setup.apiKey;
        return new MockProviderV3({ languageModels: { m: model } });
      },
    });
    await gateway.generate(request());
    expect(revealed).toEqual(["openai-key"]);
    expect(seenKey).toBe("sk-from-vault");
  });

  describe("structured output", () => {
    const schema = {
      type: "object",
      properties: { category: { type: "string", enum: ["refund", "other"] } },
      required: ["category"],
    };

    it("returns the object when the answer matches the schema", async () => {
      const { gateway, model } = setup(() => textResult('{"category":"refund"}'));
      const r = await gateway.generate(request({ outputSchema: schema }));
      expect(r.object).toEqual({ category: "refund" });
      expect(r.text).toBeUndefined();
      expect(model.doGenerateCalls[0]!.responseFormat).toMatchObject({ type: "json", schema });
    });

    it("fails the attempt with a retryable InvalidModelOutputError naming the problem", async () => {
      for (const answer of ['{"category":"pizza"}', "not json at all", '{"other":1}']) {
        const { gateway } = setup(() => textResult(answer));
        const err = await gateway.generate(request({ outputSchema: schema })).catch((e) => e);
        expect(err).toBeInstanceOf(InvalidModelOutputError);
        expect(err.code).toBe("invalid_output");
        expect(err.retryable).toBe(true);
      }
      const { gateway } = setup(() => textResult('{"category":"pizza"}'));
      const err = await gateway.generate(request({ outputSchema: schema })).catch((e) => e);
      expect(err.issues[0].path).toBe("output.category");
      expect(err.toJSON()).toMatchObject({
        code: "invalid_output",
        details: { issues: [{ path: "output.category" }] },
      });
    });

    it("asks OpenAI for strict schemas only when the schema allows it", async () => {
      const { gateway, model } = setup(() => textResult('{"category":"refund"}'));
      await gateway.generate(request({ outputSchema: schema }));
      expect(model.doGenerateCalls[0]!.providerOptions?.openai).toEqual({ strictJsonSchema: false });
      const strict = { ...schema, additionalProperties: false };
      await gateway.generate(request({ outputSchema: strict }));
      expect(model.doGenerateCalls[1]!.providerOptions?.openai).toEqual({ strictJsonSchema: true });
    });
  });

  describe("tool loop", () => {
    const lookup = {
      name: "crm.lookup customer",
      description: "Find a customer",
      inputSchema: { type: "object", properties: { email: { type: "string" } }, required: ["email"] },
      execute: async (args: unknown) => ({ plan: "gold", for: (args as { email: string }).email }),
    };

    it("maps tool names to wire-safe ones and back, traces each call, sums usage over steps", async () => {
      const { gateway, model } = setup((o, call) => {
        if (call === 1) {
          const wire = o.tools![0]!.name;
          return toolResult([{ id: "c1", name: wire, input: { email: "a@b.c" } }], 100, 20);
        }
        return textResult("Gold customer.", 150, 10);
      });
      const deltas: ModelDelta[] = [];
      const r = await gateway.generate(request({ tools: [lookup], maxTurns: 3, onDelta: undefined }));
      const wire = model.doGenerateCalls[0]!.tools![0]!.name;
      expect(wire).toMatch(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/);
      expect(wire).not.toBe(lookup.name);
      expect(r.text).toBe("Gold customer.");
      expect(r.steps).toBe(2);
      expect(r.usage.inputTokens).toBe(250);
      expect(r.usage.outputTokens).toBe(30);
      expect(r.toolCalls).toHaveLength(1);
      expect(r.toolCalls![0]).toMatchObject({
        id: "c1",
        name: "crm.lookup customer",
        arguments: { email: "a@b.c" },
        result: { plan: "gold", for: "a@b.c" },
      });
      expect(r.toolCalls![0]!.durationMs).toBeGreaterThanOrEqual(0);
      expect(deltas).toEqual([]);
    });

    it("records a failing tool's error and lets the model go on", async () => {
      const failing = { ...lookup, execute: async () => Promise.reject(new Error("CRM is down")) };
      const { gateway, model } = setup((o, call) =>
        call === 1
          ? toolResult([{ id: "c1", name: o.tools![0]!.name, input: { email: "x@y.z" } }])
          : textResult("Sorry, the CRM is down."),
      );
      const r = await gateway.generate(request({ tools: [failing] }));
      expect(r.text).toBe("Sorry, the CRM is down.");
      expect(r.toolCalls![0]).toMatchObject({ name: "crm.lookup customer", error: "CRM is down" });
      expect(JSON.stringify(model.doGenerateCalls[1]!.prompt)).toContain("CRM is down");
    });

    it("stops at maxTurns with ToolLoopLimitError when the model keeps calling tools", async () => {
      const { gateway, calls } = setup((o, n) =>
        toolResult([{ id: `c${n}`, name: o.tools![0]!.name, input: { email: "a" } }]),
      );
      const err = await gateway.generate(request({ tools: [lookup], maxTurns: 3 })).catch((e) => e);
      expect(err).toBeInstanceOf(ToolLoopLimitError);
      expect(err.retryable).toBe(false);
      expect(calls()).toBe(3);
    });

    it("returns a call of a tool without execute unexecuted (the loop ends there)", async () => {
      const { gateway } = setup((o) => toolResult([{ id: "c1", name: o.tools![0]!.name, input: { q: 1 } }]));
      const r = await gateway.generate(request({ tools: [{ name: "mcp.search" }] }));
      expect(r.finishReason).toBe("tool-calls");
      expect(r.toolCalls).toEqual([{ id: "c1", name: "mcp.search", arguments: { q: 1 }, pending: true }]);
      // The conversation so far, to continue the loop once the caller has the call's result.
      expect(r.messages).toEqual([
        { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "mcp.search", arguments: { q: 1 } }] },
      ]);
    });
  });

  it("routing: choose — returns the chosen target's id, the reason and the answer", async () => {
    const { gateway, model } = setup(() =>
      textResult(JSON.stringify({ answer: "Needs a refund.", next: "Billing agent", reason: "It is about money." })),
    );
    const r = await gateway.generate(
      request({
        handoffs: [
          { id: "billing", name: "Billing agent", description: "Refunds" },
          { id: "tech", name: "Tech agent" },
        ],
      }),
    );
    expect(r.route).toEqual({ target: "billing", reason: "It is about money." });
    expect(r.text).toBe("Needs a refund.");
    const call = model.doGenerateCalls[0]!;
    expect(call.prompt[0]).toMatchObject({ role: "system" });
    expect((call.prompt[0] as { content: string }).content).toContain('- "Billing agent": Refunds');
    expect(call.responseFormat).toMatchObject({
      type: "json",
      schema: { properties: { next: { enum: ["Billing agent", "Tech agent"] } } },
    });
  });

  it("streams text deltas through onDelta and returns the same result", async () => {
    const model = new MockLanguageModelV3({
      doStream: async () => ({
        stream: simulateReadableStream({
          chunks: [
            { type: "stream-start", warnings: [] },
            { type: "text-start", id: "t" },
            { type: "text-delta", id: "t", delta: "Hel" },
            { type: "text-delta", id: "t", delta: "lo" },
            { type: "text-end", id: "t" },
            { type: "finish", finishReason: { unified: "stop", raw: "stop" }, usage: usage(3, 2) },
          ],
        }),
      }),
    });
    const gateway = createProviderGateway({
      providers: [{ name: "mock", kind: "anthropic", apiKey: "k" }],
      providerFactory: () => new MockProviderV3({ languageModels: { m: model } }),
    });
    const deltas: ModelDelta[] = [];
    const r = await gateway.generate(request({ onDelta: (d) => deltas.push(d) }));
    expect(deltas).toEqual([
      { type: "text", text: "Hel" },
      { type: "text", text: "lo" },
    ]);
    expect(r.text).toBe("Hello");
    expect(r.usage).toMatchObject({ inputTokens: 3, outputTokens: 2 });
  });

  it("an abort by the caller rethrows the signal's reason; our timeout gives a TimeoutError", async () => {
    const hang = (o: CallOptions) =>
      new Promise<GenerateResult>((_, reject) => {
        if (o.abortSignal?.aborted) return reject(o.abortSignal.reason);
        o.abortSignal?.addEventListener("abort", () => reject(o.abortSignal?.reason));
      });
    const { gateway } = setup(hang);
    const ac = new AbortController();
    const p = gateway.generate(request({ signal: ac.signal }));
    const reason = new CancelledError("stopped by test");
    ac.abort(reason);
    expect(await p.catch((e) => e)).toBe(reason);

    const started = performance.now();
    const err = await gateway.generate(request({ timeoutMs: 50 })).catch((e) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.timeoutMs).toBe(50);
    expect(performance.now() - started).toBeLessThan(2000);

    const pre = new AbortController();
    pre.abort(new CancelledError());
    expect(await gateway.generate(request({ signal: pre.signal })).catch((e) => e)).toBeInstanceOf(CancelledError);
  });
});
