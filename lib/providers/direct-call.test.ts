// A call without tools goes straight to the provider model (doGenerate/doStream) instead of
// through generateText/streamText (gateway.ts, isPlainTextCall). Against the fake provider over
// real HTTP, for every provider kind, streamed and not: the request that leaves is the one the
// AI SDK's own functions send for the same input, and what the SDK checked on the way (call
// settings, structured output, the usage of a failed answer) still holds.
import { generateText, Output, streamText } from "ai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NonRetryableError } from "@/lib/contracts/errors";
import { type ModelRequest, modelUsageOf } from "@/lib/contracts/ports";
import { type FakeProvider, startFakeProvider } from "@/tests/fake-provider/server";
import type { ProviderConfig } from "./config";
import { createEgressFetch } from "./egress-fetch";
import { InvalidModelOutputError } from "./errors";
import { createProviderGateway, type ProviderGateway } from "./gateway";
import { resolveLanguageModel } from "./registry";
import { schemaFor } from "./schema";

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const KEY = "sk-fake-direct-0123";
const KINDS = [
  { name: "oa", kind: "openai", base: "openai" },
  { name: "oc", kind: "openai", api: "chat", base: "openai" },
  { name: "an", kind: "anthropic", base: "anthropic" },
  { name: "go", kind: "google", base: "google" },
  { name: "co", kind: "openai-compatible", base: "openaiCompatible" },
] as const;

let fake: FakeProvider;
let providers: ProviderConfig[];
let gateway: ProviderGateway;

beforeAll(async () => {
  fake = await startFakeProvider();
  providers = KINDS.map(({ base, ...k }) => ({
    ...k,
    baseUrl: fake.baseUrls[base],
    apiKey: KEY,
    allowPrivateNetwork: true,
  })) as ProviderConfig[];
  gateway = createProviderGateway({ providers });
});
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

const request = (model: string, over: Partial<ModelRequest> = {}): ModelRequest => ({
  model,
  instructions: "You answer briefly.",
  messages: [
    { role: "system", content: "Be kind." },
    { role: "user", content: "Where is my refund?" },
    { role: "assistant", content: "Which order?" },
    { role: "tool", name: "crm", content: "order 42" },
    { role: "user", content: "Order 42." },
  ],
  signal: new AbortController().signal,
  attempt: 1,
  idempotencyKey: "run9:agent:1",
  temperature: 0.2,
  maxOutputTokens: 300,
  ...over,
});

const schema = {
  type: "object",
  properties: { category: { type: "string" }, urgent: { type: "boolean" } },
  required: ["category", "urgent"],
};

describe.each(KINDS)("$name ($kind)", (k) => {
  const config = () => providers.find((p) => p.name === k.name)!;
  // The same call made with the AI SDK's own generateText/streamText.
  const bySdk = async (stream: boolean, outputSchema?: Record<string, unknown>) => {
    const model = resolveLanguageModel(config(), "fake-ok", {
      apiKey: KEY,
      fetch: createEgressFetch({ allowPrivateNetwork: true }),
    });
    const args = {
      model,
      system: "You answer briefly.\n\nBe kind.",
      messages: [
        { role: "user" as const, content: "Where is my refund?" },
        { role: "assistant" as const, content: "Which order?" },
        { role: "user" as const, content: "Tool result from crm:\norder 42" },
        { role: "user" as const, content: "Order 42." },
      ],
      temperature: 0.2,
      maxOutputTokens: 300,
      maxRetries: 0,
      output: outputSchema ? Output.object({ schema: schemaFor(outputSchema, "outputSchema") }) : undefined,
      providerOptions: outputSchema
        ? { openai: { strictJsonSchema: false }, openaiCompatible: { strictJsonSchema: false } }
        : undefined,
    };
    if (!stream) return (await generateText(args)).text;
    const result = streamText(args);
    return await result.text;
  };

  for (const stream of [false, true]) {
    const over = (more: Partial<ModelRequest> = {}): Partial<ModelRequest> => ({
      ...(stream ? { onDelta: () => {} } : {}),
      ...more,
    });

    it(`${stream ? "streamed" : "not streamed"}: sends the request body the AI SDK sends, and reads the same answer`, async () => {
      const ours = await gateway.generate(request(`${k.name}:fake-ok`, over()));
      const theirs = await bySdk(stream);
      expect(fake.requests).toHaveLength(2);
      expect(fake.requests[0]!.body).toEqual(fake.requests[1]!.body);
      expect(fake.requests[0]!.path).toBe(fake.requests[1]!.path);
      expect(fake.requests[0]!.headers["idempotency-key"]).toBe("run9:agent:1:1:1");
      expect(ours.text).toBe(theirs);
      expect(ours.steps).toBe(1);
      expect(ours.finishReason).toBe("stop");
    });

    it(`${stream ? "streamed" : "not streamed"}: structured output asks for the same JSON schema and validates the answer`, async () => {
      const ours = await gateway.generate(request(`${k.name}:fake-json`, over({ outputSchema: schema })));
      expect(ours.object).toEqual({ category: "fake", urgent: true });
      fake.reset();
      await gateway.generate(request(`${k.name}:fake-ok`, over({ outputSchema: schema }))).catch(() => {});
      await bySdk(stream, schema).catch(() => {});
      expect(fake.requests).toHaveLength(2);
      expect(fake.requests[0]!.body).toEqual(fake.requests[1]!.body);
    });

    it(`${stream ? "streamed" : "not streamed"}: an answer off the schema is InvalidModelOutputError and carries the call's usage`, async () => {
      const err = await gateway
        .generate(request(`${k.name}:fake-bad-json`, over({ outputSchema: schema })))
        .catch((e) => e);
      expect(err).toBeInstanceOf(InvalidModelOutputError);
      expect(modelUsageOf(err)?.inputTokens).toBeGreaterThan(0);
    });
  }
});

describe("what the SDK checked before sending", () => {
  it("a maxOutputTokens that is not a whole number ≥ 1 is refused before any request, at no cost", async () => {
    for (const maxOutputTokens of [1.5, 0]) {
      const err = await gateway.generate(request("co:fake-ok", { maxOutputTokens })).catch((e) => e);
      expect(err).toBeInstanceOf(NonRetryableError);
      expect(err.message).toContain("maxOutputTokens");
      expect(modelUsageOf(err)).toEqual({ inputTokens: 0, outputTokens: 0, costUsd: 0 });
    }
    expect(fake.requests).toHaveLength(0);
  });

  it("a listener that throws mid-stream fails the call, and the connection is usable again", async () => {
    fake.configure({ chunks: 5 });
    const err = await gateway
      .generate(
        request("co:fake-ok", {
          onDelta: () => {
            throw new Error("listener broke");
          },
        }),
      )
      .catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain("listener broke");
    fake.configure({ chunks: 3 });
    const ok = await gateway.generate(request("co:fake-ok", { onDelta: () => {} }));
    expect(ok.text).toMatch(/^Echo /);
  });
});
