// The agent node on a real (non-simulated) model, with a model gateway that records what it is
// asked: temperature and max output tokens pass through, the gateway's cost wins over the engine's
// price table, the tool trace lands on the step's input record, tools that cannot be reached fail
// the step clearly, invalid structured output is the retryable invalid_output error, and each
// retry after an error gets a new request key.
import { describe, expect, it } from "vitest";
import type { ModelGateway, ModelRequest, ModelResult } from "@/lib/contracts/ports";
import { runSingle } from "@/lib/testing/run-single";

function model(answer: (req: ModelRequest) => Partial<ModelResult>): { gateway: ModelGateway; seen: ModelRequest[] } {
  const seen: ModelRequest[] = [];
  return {
    seen,
    gateway: {
      async generate(req) {
        seen.push(req);
        return {
          text: "ok",
          usage: { inputTokens: 10, outputTokens: 20 },
          finishReason: "stop",
          ...answer(req),
        };
      },
    },
  };
}

describe("agent on a real model", () => {
  it("passes instructions, prompt, temperature, max output tokens and its request key to the model", async () => {
    const m = model(() => ({}));
    const { result } = await runSingle(
      "agent",
      {
        model: "work:gpt-4o-mini",
        instructions: "Be brief, {{ input.name }}.",
        prompt: "Hello {{ input.name }}",
        temperature: 0.3,
        maxOutputTokens: 256,
      },
      { name: "Ada" },
      { models: m.gateway },
    );
    expect(result.status).toBe("succeeded");
    expect(m.seen[0]).toMatchObject({
      model: "work:gpt-4o-mini",
      instructions: "Be brief, Ada.",
      temperature: 0.3,
      maxOutputTokens: 256,
      attempt: 1,
      idempotencyKey: `${result.runId}:subject:1`,
      requestKey: `${result.runId}:subject:1:1`,
      tools: [],
    });
    expect(m.seen[0]!.messages.at(-1)).toMatchObject({ role: "user", content: "Hello Ada" });
  });

  it("takes the gateway's cost (the provider price table) over the engine's table, and stores the tool trace", async () => {
    const toolCalls = [{ id: "c1", name: "crm.lookup", arguments: { id: 7 }, result: { name: "Ada" }, durationMs: 3 }];
    const m = model(() => ({ usage: { inputTokens: 1000, outputTokens: 100, costUsd: 0.0123 }, toolCalls, steps: 2 }));
    const { result, step, t } = await runSingle(
      "agent",
      { model: "work:gpt-4o", prompt: "hi" },
      {},
      { models: m.gateway },
    );
    expect(result.status).toBe("succeeded");
    expect(step!.usage).toEqual({ inputTokens: 1000, outputTokens: 100, costUsd: 0.0123 });
    const stored = (await t.store.listSteps(result.runId)).find((s) => s.nodeId === "subject")!;
    expect(stored.input).toMatchObject({ prompt: "hi", turns: 2, toolCalls });
    expect(stored).toMatchObject({ model: "work:gpt-4o", simulated: false });
  });

  it("without a cost from the gateway, prices with the engine's table", async () => {
    const m = model(() => ({ usage: { inputTokens: 1_000_000, outputTokens: 0 } }));
    const { step } = await runSingle("agent", { model: "openai:gpt-4o-mini", prompt: "hi" }, {}, { models: m.gateway });
    expect(step!.usage.costUsd).toBeCloseTo(0.15, 10);
  });

  it("an agent whose tools cannot be reached fails at once with not_available, before any model call", async () => {
    const m = model(() => ({}));
    const { result, step } = await runSingle(
      "agent",
      { model: "work:gpt-4o", prompt: "hi", tools: [{ server: "crm", tool: "lookup" }] },
      {},
      { models: m.gateway },
    );
    expect(result.status).toBe("failed");
    expect(step).toMatchObject({ attempt: 1, error: { code: "not_available", retryable: false } });
    expect(m.seen).toHaveLength(0);
  });

  it("structured output that does not match fails the attempt with invalid_output (retried), then the run", async () => {
    const schema = { type: "object", properties: { category: { type: "string" } }, required: ["category"] };
    const m = model(() => ({ text: '{"kind":"x"}' }));
    const { result, step } = await runSingle(
      "agent",
      { model: "work:gpt-4o", prompt: "classify", outputSchema: schema },
      {},
      { models: m.gateway, node: { retry: { maxAttempts: 2, backoffMs: 1 } } },
    );
    expect(result.status).toBe("failed");
    expect(step).toMatchObject({ attempt: 2, error: { code: "invalid_output", retryable: true } });
    expect((step!.error!.details as { issues: { path: string }[] }).issues[0]!.path).toMatch(/^output/);
    expect(m.seen.map((r) => r.requestKey)).toEqual([`${result.runId}:subject:1:1`, `${result.runId}:subject:1:2`]);
  });
});
