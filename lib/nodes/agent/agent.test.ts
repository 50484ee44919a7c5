import { describe, expect, it } from "vitest";
import { createModelGateway } from "@/lib/engine/models/gateway";
import { exampleFromSchema } from "@/lib/engine/models/simulated";
import { recordingModel } from "@/lib/engine/testing/recording-model";
import { runSingle } from "@/lib/testing/run-single";
import { agentDefinition } from "./definition";

describe("agent", () => {
  it("answers with the simulated output (templates allowed), labelled simulated, with usage and cost", async () => {
    const { result, step, t } = await runSingle(
      "agent",
      {
        prompt: "Hello {{ input.name }}",
        simulate: { output: "Hi {{ input.name }}", usage: { inputTokens: 1000, outputTokens: 500 } },
      },
      { name: "Ada" },
    );
    expect(result.status).toBe("succeeded");
    expect(step).toMatchObject({ output: "Hi Ada", usage: { inputTokens: 1000, outputTokens: 500 } });
    // simulated price: $1 / $2 per million tokens
    expect(step!.usage.costUsd).toBeCloseTo(0.002, 10);
    const stored = (await t.store.listSteps(result.runId)).find((s) => s.nodeId === "subject")!;
    expect(stored).toMatchObject({ simulated: true, model: "simulated" });
    const ev = (await t.store.listEvents(result.runId, 0, 100)).find(
      (e) => e.type === "step.succeeded" && e.data.nodeId === "subject",
    )!;
    expect(ev.data.simulated).toBe(true);
  });

  it("without simulate it answers deterministically from its prompt", async () => {
    const a = await runSingle("agent", { prompt: "Summarise {{ input.text }}" }, { text: "the report" });
    const b = await runSingle("agent", { prompt: "Summarise {{ input.text }}" }, { text: "the report" });
    expect(a.step!.output).toBe("Simulated answer to: Summarise the report");
    expect(b.step!.output).toBe(a.step!.output);
  });

  it("with an output schema it answers with matching structured output", async () => {
    const schema = {
      type: "object",
      properties: {
        category: { type: "string", enum: ["billing", "tech"] },
        urgent: { type: "boolean" },
        score: { type: "number", minimum: 1 },
      },
      required: ["category"],
    };
    const { step } = await runSingle("agent", { prompt: "classify", outputSchema: schema });
    expect(step!.output).toEqual({ category: "billing", urgent: false, score: 1 });
    expect(exampleFromSchema({ type: "array", items: { type: "string" }, minItems: 2 })).toEqual([
      "simulated",
      "simulated",
    ]);
  });

  it("invalid output is retried, and fails after the attempts", async () => {
    const schema = { type: "object", properties: { refund: { type: "number" } }, required: ["refund"] };
    const ok = await runSingle("agent", {
      prompt: "x",
      outputSchema: schema,
      simulate: { output: { refund: 5 }, failTimes: 1, failWith: "invalid_output" },
    });
    expect(ok.result.status).toBe("succeeded");
    expect(ok.result.steps.filter((s) => s.nodeId === "subject").map((s) => s.status)).toEqual(["failed", "succeeded"]);
    expect(ok.result.steps[1]!.error!.message).toMatch(/does not match the output schema/);
    const bad = await runSingle("agent", {
      prompt: "x",
      outputSchema: schema,
      simulate: { output: { refund: 5 }, failTimes: 5, failWith: "invalid_output" },
    });
    expect(bad.result.status).toBe("failed");
    expect(bad.result.steps.filter((s) => s.nodeId === "subject")).toHaveLength(3);
  });

  it("writes facts into vars for later nodes", async () => {
    const { result } = await runSingle(
      "agent",
      {
        prompt: "x",
        simulate: { output: { city: "Oslo", temp: 3 } },
        writes: { city: "{{ output.city }}", line: "{{ output.city }} is {{ output.temp }}°" },
      },
      {},
      {
        extraNodes: [{ id: "e", type: "end", config: { output: "{{ vars }}" } }],
        extraEdges: [{ source: "subject", target: "e" }],
      },
    );
    expect(result.output).toEqual({ city: "Oslo", line: "Oslo is 3°" });
  });

  it("appends its prompt and answer to the shared conversation; useConversation reads it", async () => {
    const models = recordingModel(createModelGateway({ clock: { now: () => new Date(), sleep: async () => {} } }));
    await runSingle(
      "agent",
      { prompt: "first", simulate: { output: "one" } },
      {},
      {
        models,
        extraNodes: [{ id: "second", type: "agent", config: { prompt: "second", useConversation: true } }],
        extraEdges: [{ source: "subject", target: "second" }],
      },
    );
    expect(models.requests[1]!.messages.map((m) => m.content)).toEqual(["first", "one", "second"]);
  });

  it("an unknown provider fails clearly, without retries", async () => {
    const { result } = await runSingle("agent", { model: "nowhere:model-x", prompt: "x" });
    expect(result.status).toBe("failed");
    expect(result.error!.message).toMatch(/No model provider "nowhere"/);
    expect(result.steps.filter((s) => s.nodeId === "subject")).toHaveLength(1);
  });

  it("definition: defaults parse, 3 attempts by default, choose makes it a branch", () => {
    expect(agentDefinition.configSchema.parse({})).toEqual(agentDefinition.defaults);
    expect(agentDefinition.defaultMaxAttempts).toBe(3);
    expect(agentDefinition.canBranch({ ...agentDefinition.defaults, routing: "choose" })).toBe(true);
    expect(agentDefinition.configSchema.safeParse({ model: "gpt 4" }).success).toBe(false);
  });
});
