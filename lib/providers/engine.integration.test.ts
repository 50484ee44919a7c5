// The gateway inside the engine, as the composition root will wire it: agent nodes calling the
// fake provider over HTTP, the engine's retry policy honouring a 429's Retry-After, invalid
// structured output retried then failed, costs priced by the provider price table.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createModelGateway } from "@/lib/engine/models/gateway";
import { FakeClock } from "@/lib/engine/testing/fake-clock";
import { runSingle } from "@/lib/testing/run-single";
import { type FakeProvider, startFakeProvider } from "@/tests/fake-provider/server";
import type { ProviderConfig } from "./config";
import { createProviderGateway } from "./gateway";
import { createProviderPriceTable } from "./prices";

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

let fake: FakeProvider;
let providers: ProviderConfig[];
beforeAll(async () => {
  fake = await startFakeProvider();
  providers = [
    {
      name: "work",
      kind: "anthropic",
      baseUrl: fake.baseUrls.anthropic,
      apiKey: "sk-ant-test",
      allowPrivateNetwork: true,
    },
    { name: "oa", kind: "openai", baseUrl: fake.baseUrls.openai, apiKey: "sk-oa-test", allowPrivateNetwork: true },
  ];
});
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

function wiring() {
  const clock = new FakeClock(undefined, { autoAdvance: true });
  const prices = createProviderPriceTable({
    providers,
    overrides: { "work:fake-429-then-ok": { inputPerMTok: 3, outputPerMTok: 15 } },
  });
  const gateway = createProviderGateway({ providers, prices, now: () => clock.now() });
  const models = createModelGateway({
    clock,
    providers: Object.fromEntries(gateway.providerNames.map((n) => [n, gateway])),
  });
  return { clock, models, prices };
}

describe("agent nodes on real providers (fake server)", () => {
  it("a 429 is retried by the engine after the provider's Retry-After, then the agent answers", async () => {
    const { result, step, t } = await runSingle(
      "agent",
      { model: "work:fake-429-then-ok", prompt: "Where is my refund, {{ input.name }}?" },
      { name: "Ada" },
      { ...wiring(), node: { retry: { maxAttempts: 3, backoffMs: 10 } } },
    );
    expect(result.status).toBe("succeeded");
    expect(step).toMatchObject({ attempt: 2, status: "succeeded" });
    const stored = (await t.store.listSteps(result.runId)).filter((s) => s.nodeId === "subject");
    expect(stored.map((s) => s.status)).toEqual(["failed", "succeeded"]);
    expect(stored[1]).toMatchObject({ model: "work:fake-429-then-ok", simulated: false });
    expect(step!.output).toMatch(/^Echo [0-9a-f]{12}: Where is my refund, Ada\?$/);
    const retrying = (await t.store.listEvents(result.runId, 0, 100)).find((e) => e.type === "step.retrying")!;
    expect(retrying.data).toMatchObject({ delayMs: 1000, error: { code: "rate_limit" } });
    const { inputTokens, outputTokens, costUsd } = step!.usage;
    expect(inputTokens).toBeGreaterThan(0);
    expect(costUsd).toBeCloseTo((inputTokens * 3 + outputTokens * 15) / 1e6, 12);
    expect(fake.requests.map((r) => r.headers["idempotency-key"])).toEqual([
      `${result.runId}:subject:1:1:1`,
      `${result.runId}:subject:1:2:1`,
    ]);
  });

  it("structured output reaches the step's output; an answer that never matches fails after the attempts", async () => {
    const outputSchema = {
      type: "object",
      properties: { category: { type: "string" } },
      required: ["category"],
    };
    const ok = await runSingle("agent", { model: "oa:fake-json", prompt: "classify", outputSchema }, {}, wiring());
    expect(ok.result.status).toBe("succeeded");
    expect(ok.step!.output).toEqual({ category: "fake" });

    fake.reset();
    const bad = await runSingle("agent", { model: "oa:fake-bad-json", prompt: "classify", outputSchema }, {}, wiring());
    expect(bad.result.status).toBe("failed");
    expect(bad.step).toMatchObject({ attempt: 3, error: { code: "invalid_output", retryable: true } });
    expect(fake.requests).toHaveLength(3);
  });

  it("an unknown provider fails at once, naming it", async () => {
    const { result, step } = await runSingle("agent", { model: "nope:gpt-4o", prompt: "x" }, {}, wiring());
    expect(result.status).toBe("failed");
    expect(step!.attempt).toBe(1);
    expect(step!.error!.message).toContain('"nope"');
  });

  it("a node timeout aborts a hanging provider call", async () => {
    const { result, step } = await runSingle(
      "agent",
      { model: "oa:fake-hang", prompt: "x" },
      {},
      { ...wiring(), node: { timeoutMs: 200, retry: { maxAttempts: 1 } } },
    );
    expect(result.status).toBe("failed");
    expect(step!.error).toMatchObject({ code: "timeout" });
    await vi.waitFor(() => expect(fake.openRequests()).toBe(0));
  });
});
