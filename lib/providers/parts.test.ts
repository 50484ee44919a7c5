// Small parts of the providers module: tool wire names, prices, strict schemas, config rules, error mapping.
import { APICallError, NoObjectGeneratedError } from "ai";
import { describe, expect, it } from "vitest";
import {
  CancelledError,
  NonRetryableError,
  RateLimitError,
  RetryableError,
  TimeoutError,
} from "@/lib/contracts/errors";
import { parseModelId, providerConfigSchema } from "./config";
import { InvalidModelOutputError, toEngineError } from "./errors";
import { createProviderPriceTable, defaultPrice } from "./prices";
import { isStrictCompatible } from "./schema";
import { wireToolName } from "./tools";

describe("wireToolName", () => {
  it("keeps safe names, maps the rest, stays unique and within 64 characters", () => {
    const taken = new Set<string>();
    expect(wireToolName("search", taken)).toBe("search");
    expect(wireToolName("github.create issue", taken)).toBe("github_create_issue");
    const clash = wireToolName("github_create_issue", taken);
    expect(clash).not.toBe("github_create_issue");
    expect(clash).toMatch(/^github_create_issue_[0-9a-f]{8}$/);
    expect(wireToolName("9lives", taken)).toBe("_9lives");
    const long = wireToolName(`server.${"x".repeat(100)}`, taken);
    expect(long.length).toBeLessThanOrEqual(64);
    for (const name of taken) expect(name).toMatch(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/);
    // deterministic
    const again = new Set<string>();
    expect(wireToolName("github.create issue", again)).toBe("github_create_issue");
  });
});

describe("prices", () => {
  it("finds defaults by provider kind, dated snapshots by family, and lets overrides win", () => {
    expect(defaultPrice("openai", "gpt-4o-mini")).toEqual({ inputPerMTok: 0.15, outputPerMTok: 0.6 });
    expect(defaultPrice("openai", "gpt-4o-2024-08-06")).toEqual({ inputPerMTok: 2.5, outputPerMTok: 10 });
    expect(defaultPrice("anthropic", "claude-sonnet-4-5-20250929")).toEqual({ inputPerMTok: 3, outputPerMTok: 15 });
    // a newer model listed on its own is not priced as the older family it shares a prefix with
    expect(defaultPrice("anthropic", "claude-opus-4-5-20251101")).toEqual({ inputPerMTok: 5, outputPerMTok: 25 });
    expect(defaultPrice("anthropic", "claude-opus-4-1-20250805")).toEqual({ inputPerMTok: 15, outputPerMTok: 75 });
    expect(defaultPrice("google", "models/gemini-2.5-flash")).toEqual({ inputPerMTok: 0.3, outputPerMTok: 2.5 });
    expect(defaultPrice("openai-compatible", "llama3")).toBeNull();
    const table = createProviderPriceTable({
      providers: [
        { name: "work", kind: "openai" },
        { name: "local", kind: "openai-compatible" },
      ],
      overrides: {
        "work:gpt-4o": { inputPerMTok: 1, outputPerMTok: 1 },
        "local:llama3": { inputPerMTok: 0, outputPerMTok: 0.1 },
      },
    });
    expect(table.price("work:gpt-4o")).toEqual({ inputPerMTok: 1, outputPerMTok: 1 });
    expect(table.price("work:gpt-4.1-mini")).toEqual({ inputPerMTok: 0.4, outputPerMTok: 1.6 });
    expect(table.price("local:llama3")).toEqual({ inputPerMTok: 0, outputPerMTok: 0.1 });
    expect(table.price("local:mistral")).toBeNull();
    expect(table.price("simulated")).not.toBeNull(); // the engine's table is the fallback
  });
});

describe("isStrictCompatible", () => {
  it("accepts only schemas where every object lists all properties as required and forbids others", () => {
    const strict = {
      type: "object",
      properties: {
        a: { type: "object", properties: { b: { type: "string" } }, required: ["b"], additionalProperties: false },
      },
      required: ["a"],
      additionalProperties: false,
    };
    expect(isStrictCompatible(strict)).toBe(true);
    expect(isStrictCompatible({ ...strict, required: [] })).toBe(false);
    expect(isStrictCompatible({ ...strict, additionalProperties: true })).toBe(false);
    expect(
      isStrictCompatible({ ...strict, properties: { a: { type: "object", properties: { b: {} }, required: ["b"] } } }),
    ).toBe(false);
  });
});

describe("config", () => {
  it("parses model ids whose model part contains a colon", () => {
    expect(parseModelId("ollama:llama3:8b")).toEqual({ provider: "ollama", model: "llama3:8b" });
    expect(parseModelId("gpt-4o")).toBeNull();
    expect(parseModelId("Open AI:gpt")).toBeNull();
  });

  it("names the field of a bad provider config", () => {
    const r = providerConfigSchema.safeParse({ name: "Local", kind: "openai-compatible" });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join("."));
    expect(paths).toContain("name");
    expect(paths).toContain("baseUrl");
    expect(providerConfigSchema.safeParse({ name: "simulated", kind: "openai" }).success).toBe(false);
    expect(providerConfigSchema.safeParse({ name: "x", kind: "openai", baseUrl: "ftp://a/b" }).success).toBe(false);
  });
});

describe("toEngineError", () => {
  const ctx = { provider: "p", model: "m" };
  const apiError = (statusCode?: number, headers?: Record<string, string>) =>
    new APICallError({ message: "msg", url: "http://x", requestBodyValues: {}, statusCode, responseHeaders: headers });

  it("maps statuses by type", () => {
    expect(toEngineError(apiError(429, { "retry-after": "2" }), ctx)).toBeInstanceOf(RateLimitError);
    for (const s of [408, 409, 500, 502, 503, 529]) {
      const e = toEngineError(apiError(s), ctx);
      expect(e).toBeInstanceOf(RetryableError);
      expect(e).not.toBeInstanceOf(RateLimitError);
    }
    for (const s of [400, 401, 403, 404, 422])
      expect(toEngineError(apiError(s), ctx)).toBeInstanceOf(NonRetryableError);
    expect(toEngineError(apiError(undefined), ctx)).toBeInstanceOf(RetryableError);
    expect((toEngineError(apiError(503, { "retry-after": "5" }), ctx) as RetryableError).retryAfterMs).toBe(5000);
  });

  it("prefers the caller's abort reason, then our timeout", () => {
    const ac = new AbortController();
    const reason = new CancelledError("by test");
    ac.abort(reason);
    expect(toEngineError(apiError(500), { ...ctx, signal: ac.signal })).toBe(reason);
    const foreign = new AbortController();
    foreign.abort("plain");
    expect(toEngineError(apiError(500), { ...ctx, signal: foreign.signal })).toBeInstanceOf(CancelledError);
    expect(toEngineError(new Error("x"), { ...ctx, timedOutAfterMs: 10 })).toBeInstanceOf(TimeoutError);
  });

  it("finds our own errors under the SDK's wrappers, and treats schema failures as invalid output", () => {
    const ours = new RetryableError("broken body");
    const wrapped = new APICallError({
      message: "Failed to process",
      url: "u",
      requestBodyValues: {},
      statusCode: 200,
      cause: ours,
    });
    expect(toEngineError(wrapped, ctx)).toBe(ours);
    const invalid = new NoObjectGeneratedError({
      message: "no object",
      text: "x",
      response: { id: "r", timestamp: new Date(), modelId: "m" },
      usage: {
        inputTokens: 1,
        outputTokens: 1,
        totalTokens: 2,
        inputTokenDetails: { noCacheTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 },
        outputTokenDetails: { textTokens: 1, reasoningTokens: 0 },
      },
      finishReason: "stop",
    });
    expect(toEngineError(invalid, ctx)).toBeInstanceOf(InvalidModelOutputError);
    expect(toEngineError({ type: "error", error: { type: "overloaded_error" } }, ctx)).toBeInstanceOf(RetryableError);
    expect(toEngineError(new TypeError("bug"), ctx)).toBeInstanceOf(NonRetryableError);
  });
});
