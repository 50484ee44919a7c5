import { describe, expect, it } from "vitest";
import { createSimulatedModel } from "@/lib/engine/models/simulated";
import { edge, node, trigger, workflow } from "@/lib/engine/testing/builders";
import { FakeClock } from "@/lib/engine/testing/fake-clock";
import { recordingModel } from "@/lib/engine/testing/recording-model";
import { createTestEngine } from "@/lib/testing/test-engine";
import { createRetryRun, planRetry, RetryRefusedError } from "./retry";

/** start → research (agent, paid) → [draft (agent, paid) ‖ lookup (agent, fails once)] → done */
function flakyWorkflow() {
  return workflow(
    [
      trigger(),
      node("research", "agent", {
        model: "simulated",
        prompt: "research",
        simulate: { output: "facts", usage: { inputTokens: 100, outputTokens: 40 } },
      }),
      node("draft", "agent", {
        model: "simulated",
        prompt: "draft",
        simulate: { output: "draft text", usage: { inputTokens: 30, outputTokens: 20 } },
      }),
      node(
        "lookup",
        "agent",
        {
          model: "simulated",
          prompt: "lookup {{ nodes.research.output }}",
          simulate: {
            output: "found",
            failTimes: 1,
            failWith: "server_error",
            usage: { inputTokens: 7, outputTokens: 3 },
          },
        },
        { retry: { maxAttempts: 1 } },
      ),
      node("done", "end", { output: { draft: "{{ nodes.draft.output }}", found: "{{ nodes.lookup.output }}" } }),
    ],
    [
      edge("start", "research"),
      edge("research", "draft"),
      edge("research", "lookup"),
      edge("draft", "done"),
      edge("lookup", "done"),
    ],
  );
}

describe("retry from the failed step", () => {
  it("re-runs only the failed node, reusing completed outputs, and counts usage once", async () => {
    const clock = new FakeClock(undefined, { autoAdvance: true });
    const model = recordingModel(createSimulatedModel(clock));
    const t = createTestEngine({ clock, models: model });
    const doc = flakyWorkflow();
    const first = await t.engine.execute(
      { document: doc, workspaceId: "ws1", workflowId: "wf1", workflowVersionId: "v1" },
      { q: 1 },
    );
    expect(first.status).toBe("failed");
    const failed = first.steps.filter((s) => s.status === "failed").map((s) => s.nodeId);
    expect(failed).toEqual(["lookup"]);
    const callsBefore = model.requests.length;

    const created = await createRetryRun(
      {
        store: t.store,
        ids: { id: (k) => `${k}-retry-${Math.random().toString(36).slice(2, 8)}` },
        now: () => clock.now(),
        owner: "retry",
      },
      first.runId,
      { workspaceId: "ws1", userId: "u1" },
    );
    const second = await t.engine.resume(created.runId);
    expect(second.status).toBe("succeeded");
    expect(second.output).toEqual({ draft: "draft text", found: "found" });

    // Only the failed agent called the model again.
    const newCalls = model.requests.slice(callsBefore);
    expect(newCalls.map((r) => r.messages.map((m) => m.content).join(" "))).toEqual([
      expect.stringContaining("lookup"),
    ]);

    // The retry run's usage is exactly what it spent (lookup's second attempt), not the reused steps.
    const secondRun = (await t.store.loadRun(created.runId))!;
    expect(secondRun.usage).toMatchObject({ inputTokens: 7, outputTokens: 3 });
    expect(secondRun.retryOfRunId).toBe(first.runId);
    expect(secondRun.trigger).toBe("retry");
    const steps = await t.store.listSteps(created.runId);
    const reused = steps.filter((s) => s.nodeId === "research" || s.nodeId === "draft");
    expect(reused.map((s) => s.usage.inputTokens + s.usage.outputTokens)).toEqual([0, 0]);
    expect(reused.map((s) => s.status)).toEqual(["succeeded", "succeeded"]);
    const lookup = steps.filter((s) => s.nodeId === "lookup");
    expect(lookup.map((s) => [s.attempt, s.status])).toEqual([[2, "succeeded"]]);
    // Across both runs every token is counted once.
    const firstRun = (await t.store.loadRun(first.runId))!;
    expect(firstRun.usage.inputTokens + secondRun.usage.inputTokens).toBe(100 + 30 + 7 + 7 * 0);
  });

  it("refuses runs that did not fail and keeps the failed run untouched", async () => {
    const t = createTestEngine();
    const ok = await t.engine.execute(
      {
        document: workflow([trigger(), node("done", "end", { output: 1 })], [edge("start", "done")]),
        workspaceId: "ws1",
      },
      {},
    );
    await expect(
      createRetryRun({ store: t.store, ids: { id: (k) => `${k}-x` }, now: () => new Date(), owner: "o" }, ok.runId, {
        workspaceId: "ws1",
        userId: null,
      }),
    ).rejects.toBeInstanceOf(RetryRefusedError);
    await expect(
      createRetryRun({ store: t.store, ids: { id: (k) => `${k}-y` }, now: () => new Date(), owner: "o" }, ok.runId, {
        workspaceId: "other",
        userId: null,
      }),
    ).rejects.toMatchObject({ reason: "not_found" });
  });

  it("plans tokens for unfinished visits with the next attempt number and a fresh retry budget", () => {
    const base = {
      runId: "r",
      workspaceId: "w",
      nodeType: "agent",
      idempotencyKey: "k",
      input: null,
      error: null,
      model: null,
      simulated: false,
    };
    const at = new Date("2026-01-01T00:00:00Z");
    const mk = (nodeId: string, attempt: number, status: "succeeded" | "failed" | "cancelled") => ({
      ...base,
      id: `${nodeId}${attempt}`,
      nodeId,
      visit: 1,
      attempt,
      status,
      output: status === "succeeded" ? nodeId : null,
      usage: { inputTokens: 5, outputTokens: 5, costUsd: 0.1 },
      startedAt: at,
      endedAt: at,
      durationMs: 1,
    });
    const state = {
      v: 1,
      visits: { a: 1, b: 1, c: 1 },
      settled: {},
      tokens: [],
      vars: { x: 1 },
      conversation: [],
      handoffs: {},
      budget: { maxCostUsd: null, maxTokens: null, ignoreWorkspace: false, approvalId: null, seq: 0 },
      depth: 0,
    };
    let n = 0;
    const plan = planRetry(
      { state },
      [mk("a", 1, "succeeded"), mk("b", 1, "failed"), mk("b", 2, "failed"), mk("c", 1, "cancelled")],
      "new",
      () => `s${++n}`,
    );
    expect(plan.reused.map((s) => [s.nodeId, s.runId, s.usage.costUsd])).toEqual([["a", "new", 0]]);
    expect(plan.state.tokens).toEqual([
      { node: "b", visit: 1, attempt: 3, crashes: 2, status: "ready" },
      { node: "c", visit: 1, attempt: 2, crashes: 1, status: "ready" },
    ]);
    expect(plan.state.vars).toEqual({ x: 1 });
  });
});
