// Model listings and connection tests against the fake provider (each API's listing shape).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_FAKE_MODELS, type FakeProvider, startFakeProvider } from "@/tests/fake-provider/server";
import { listModels, testConnection } from "./admin";
import type { ProviderConfig } from "./config";

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider();
});
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

const configs = (): ProviderConfig[] => [
  { name: "oa", kind: "openai", baseUrl: fake.baseUrls.openai, apiKey: "sk-1", allowPrivateNetwork: true },
  { name: "an", kind: "anthropic", baseUrl: fake.baseUrls.anthropic, apiKey: "sk-1", allowPrivateNetwork: true },
  { name: "go", kind: "google", baseUrl: fake.baseUrls.google, apiKey: "sk-1", allowPrivateNetwork: true },
  { name: "co", kind: "openai-compatible", baseUrl: fake.baseUrls.openaiCompatible, allowPrivateNetwork: true },
];

describe("listModels", () => {
  it.each(["openai", "anthropic", "google", "openai-compatible"])("%s: lists the model ids, sorted", async (kind) => {
    const config = configs().find((c) => c.kind === kind)!;
    const models = await listModels(config);
    expect(models.map((m) => m.id)).toEqual([...DEFAULT_FAKE_MODELS].sort());
    const rec = fake.requests[0]!;
    expect(rec.method).toBe("GET");
    if (config.kind === "anthropic") expect(rec.headers["x-api-key"]).toBe("sk-1");
    if (config.kind === "google") expect(rec.headers["x-goog-api-key"]).toBe("sk-1");
    if (config.kind === "openai") expect(rec.headers.authorization).toBe("Bearer sk-1");
    if (config.kind === "openai-compatible") expect(rec.headers.authorization).toBeUndefined();
  });

  it("goes through the egress guard", async () => {
    const [openai] = configs();
    await expect(listModels({ ...openai!, allowPrivateNetwork: false })).rejects.toMatchObject({
      code: "egress_denied",
    });
  });
});

describe("testConnection", () => {
  it("reports ok with the number of models and the time it took", async () => {
    for (const config of configs()) {
      const r = await testConnection(config);
      expect(r).toMatchObject({ ok: true, via: "models", models: DEFAULT_FAKE_MODELS.length });
      expect(r.latencyMs).toBeGreaterThanOrEqual(0);
    }
  });

  it("reports a refused key without throwing", async () => {
    fake.configure({ apiKey: "sk-right" });
    try {
      const r = await testConnection(configs()[1]!);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error).toMatchObject({ code: "non_retryable", retryable: false });
        expect(r.error.message).toContain("401");
        expect(JSON.stringify(r)).not.toContain("sk-1");
      }
    } finally {
      fake.configure({ apiKey: undefined });
    }
  });

  it("falls back to a one-token call when the server has no listing", async () => {
    fake.configure({ listing: false });
    try {
      const r = await testConnection(configs()[3]!, { model: "fake-ok" });
      expect(r).toMatchObject({ ok: true, via: "generate" });
      expect(fake.requests.map((q) => q.path)).toEqual(["/v1/models", "/v1/chat/completions"]);
      const without = await testConnection(configs()[3]!);
      expect(without.ok).toBe(false);
    } finally {
      fake.configure({ listing: true });
    }
  });

  it("reports a timeout", async () => {
    fake.configure({ latencyMs: 500 });
    try {
      const r = await testConnection(configs()[0]!, { timeoutMs: 100 });
      expect(r).toMatchObject({ ok: false, error: { code: "timeout" } });
    } finally {
      fake.configure({ latencyMs: 0 });
    }
  });
});
