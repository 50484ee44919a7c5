import { describe, expect, it } from "vitest";
import { InputValidationError, InvalidWorkflowError } from "@/lib/contracts/errors";
import { createTestEngine } from "@/lib/testing/test-engine";
import { createModelGateway } from "./models/gateway";
import { agentChain, edge, node, trigger, workflow } from "./testing/builders";
import { settle } from "./testing/fake-clock";
import { recordingModel } from "./testing/recording-model";

const agent = (id: string, simulate: Record<string, unknown> = { output: id }, extra: Record<string, unknown> = {}) =>
  node(id, "agent", { prompt: `I am ${id}`, simulate, ...extra });

describe("engine: runs", () => {
  it("runs a chain to the end, in order, and records each step once", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute({ document: agentChain(3, { output: "{{ input.word }}!" }) }, { word: "hi" });
    expect(r.status).toBe("succeeded");
    expect(r.output).toBe("hi!");
    expect(r.steps.map((s) => `${s.nodeId}:${s.status}`)).toEqual([
      "start:succeeded",
      "a1:succeeded",
      "a2:succeeded",
      "a3:succeeded",
      "done:succeeded",
    ]);
    expect(r.usage.inputTokens).toBeGreaterThan(0);
    expect(r.usage.costUsd).toBeGreaterThan(0);
    const stored = await t.store.listSteps(r.runId);
    expect(stored.map((s) => s.idempotencyKey)).toContain(`${r.runId}:a2:1`);
    expect(stored.find((s) => s.nodeId === "a1")!.simulated).toBe(true);
    const run = await t.store.loadRun(r.runId);
    expect(run!.status).toBe("succeeded");
    expect(run!.leaseOwner).toBeNull();
    expect(run!.endedAt).not.toBeNull();
  });

  it("appends an ordered event log and publishes only committed events", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute({ document: agentChain(2) }, {});
    const events = await t.store.listEvents(r.runId, 0, 1000);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("run.started");
    expect(types.at(-1)).toBe("run.succeeded");
    for (const type of ["step.started", "step.succeeded"]) expect(types).toContain(type);
    // usage and the taken edges ride on step.succeeded: one event per finished step
    expect(types).not.toContain("edge.taken");
    expect(types).not.toContain("usage");
    const a1 = events.find((e) => e.type === "step.succeeded" && e.data.nodeId === "a1")!;
    expect(a1.data.edges).toEqual([{ id: expect.any(String), target: "a2" }]);
    expect((a1.data.usage as { inputTokens: number }).inputTokens).toBeGreaterThan(0);
    expect((a1.data.total as { inputTokens: number }).inputTokens).toBe(
      (a1.data.usage as { inputTokens: number }).inputTokens,
    );
    expect(t.published.filter((e) => e.runId === r.runId).map((e) => e.seq)).toEqual(events.map((e) => e.seq));
    // a1 starts after start succeeded, and its edge was taken in between
    const i = (type: string, nodeId: string) => events.findIndex((e) => e.type === type && e.data.nodeId === nodeId);
    expect(i("step.succeeded", "start")).toBeLessThan(i("step.started", "a1"));
  });

  it("refuses bad input before creating a run, naming the path", async () => {
    const t = createTestEngine();
    const doc = workflow([trigger(), node("e", "end", { output: "{{ input }}" })], [edge("start", "e")], {
      input: { type: "object", properties: { email: { type: "string", format: "email" } }, required: ["email"] },
    });
    await expect(t.engine.execute({ document: doc }, { email: "nope" })).rejects.toMatchObject({
      issues: [{ path: "input.email", message: "This must be a valid email." }],
    });
    await expect(t.engine.startRun({ document: doc }, {})).rejects.toBeInstanceOf(InputValidationError);
    expect(t.store.dump().runs).toHaveLength(0);
  });

  it("refuses an invalid workflow with every issue", async () => {
    const t = createTestEngine();
    const doc = workflow([node("x", "transform", { expression: "(" })], [edge("x", "ghost")]);
    const err = await t.engine.execute({ document: doc }, {}).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidWorkflowError);
    expect(err.issues.length).toBeGreaterThanOrEqual(3);
    expect(t.store.dump().runs).toHaveLength(0);
  });

  it("startRun queues a run; runUntilPauseOrEnd executes it", async () => {
    const t = createTestEngine();
    const { runId } = await t.engine.startRun({ document: agentChain(1) }, {});
    expect((await t.store.loadRun(runId))!.status).toBe("queued");
    const r = await t.engine.runUntilPauseOrEnd(runId);
    expect(r.status).toBe("succeeded");
    expect((await t.store.loadRun(runId))!.startedAt).not.toBeNull();
  });
});

describe("engine: parallel branches and joins", () => {
  const doc = workflow(
    [
      trigger(),
      node("route", "condition", { cases: [{ handle: "big", when: "input.amount > 100" }], default: "small" }),
      agent("bigPath", { output: "big", latencyMs: 100 }),
      agent("smallPath", { output: "small", latencyMs: 100 }),
      agent("audit", { output: "audited", latencyMs: 100 }),
      node("join", "transform", {
        expression: "{ 'big': nodes.bigPath.status, 'small': nodes.smallPath.status, 'audit': nodes.audit.output }",
      }),
      node("done", "end", { output: "{{ nodes.join.output }}" }),
    ],
    [
      edge("start", "route"),
      edge("start", "audit"),
      edge("route", "bigPath", "big"),
      edge("route", "smallPath", "small"),
      edge("bigPath", "join"),
      edge("smallPath", "join"),
      edge("audit", "join"),
      edge("join", "done"),
    ],
  );

  it("runs taken branches concurrently and joins after a skipped branch", async () => {
    const t = createTestEngine();
    const t0 = t.clock.now().getTime();
    const r = await t.engine.execute({ document: doc }, { amount: 50 });
    expect(r.status).toBe("succeeded");
    expect(r.output).toEqual({ big: "skipped", small: "succeeded", audit: "audited" });
    const status = Object.fromEntries(r.steps.map((s) => [s.nodeId, s.status]));
    expect(status).toMatchObject({ bigPath: "skipped", smallPath: "succeeded", audit: "succeeded", join: "succeeded" });
    // both 100 ms branches ran side by side: 100 ms of (fake) time, not 200
    expect(t.clock.now().getTime() - t0).toBe(100);
    const events = await t.store.listEvents(r.runId, 0, 1000);
    const started = events.filter((e) => e.type === "step.started").map((e) => e.data.nodeId);
    const firstDone = events.findIndex(
      (e) => e.type === "step.succeeded" && (e.data.nodeId === "audit" || e.data.nodeId === "smallPath"),
    );
    expect(events.findIndex((e) => e.type === "step.started" && e.data.nodeId === "smallPath")).toBeLessThan(firstDone);
    expect(started.filter((id) => id === "join")).toHaveLength(1);
  });

  it("skips a join whose inputs were all skipped, and passes the skip on", async () => {
    const t = createTestEngine();
    const d = workflow(
      [
        trigger(),
        node("c", "condition", { cases: [{ handle: "never", when: "false" }], default: "other" }),
        node("x", "transform", { expression: "1" }),
        node("y", "transform", { expression: "2" }),
        node("z", "transform", { expression: "3" }),
        node("done", "end", { output: "fine" }),
      ],
      [edge("start", "c"), edge("c", "x", "never"), edge("x", "y"), edge("y", "z"), edge("c", "done", "other")],
    );
    const r = await t.engine.execute({ document: d }, {});
    expect(r.status).toBe("succeeded");
    expect(r.output).toBe("fine");
    expect(r.steps.filter((s) => s.status === "skipped").map((s) => s.nodeId)).toEqual(["x", "y", "z"]);
  });

  it("fans out to 50 branches and joins once", async () => {
    const t = createTestEngine();
    const nodes = [trigger(), node("join", "transform", { expression: "$count(nodes.*[status = 'succeeded'])" })];
    const edges = [];
    for (let i = 0; i < 50; i++) {
      nodes.push(agent(`b${i}`, { output: i, latencyMs: 10 }));
      edges.push(edge("start", `b${i}`), edge(`b${i}`, "join"));
    }
    const r = await t.engine.execute({ document: workflow(nodes, edges) }, {});
    expect(r.status).toBe("succeeded");
    expect(r.steps.filter((s) => s.nodeId === "join")).toHaveLength(1);
    expect(r.steps.find((s) => s.nodeId === "join")!.output).toBe(51);
  });

  it("a disabled node is skipped and its skip passes on", async () => {
    const t = createTestEngine();
    const d = workflow(
      [
        trigger(),
        node("a", "transform", { expression: "1" }, { disabled: true }),
        node("b", "transform", { expression: "2" }),
        node("e", "end", { output: "x" }),
      ],
      [edge("start", "a"), edge("a", "b"), edge("start", "e")],
    );
    const r = await t.engine.execute({ document: d }, {});
    expect(r.status).toBe("succeeded");
    expect(r.steps.filter((s) => s.status === "skipped").map((s) => s.nodeId)).toEqual(["a", "b"]);
  });
});

describe("engine: loops", () => {
  const loop = (when: string, extra: Record<string, unknown> = {}) =>
    workflow(
      [
        trigger(),
        node("count", "set", { vars: { i: "{{ $exists(vars.i) ? vars.i + 1 : 1 }}" } }, extra),
        node("again", "condition", { cases: [{ handle: "more", when }], default: "stop" }),
        node("done", "end", { output: "{{ vars.i }}" }),
      ],
      [edge("start", "count"), edge("count", "again"), edge("again", "count", "more"), edge("again", "done", "stop")],
    );

  it("runs a loop twice and exits", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute({ document: loop("vars.i < 2") }, {});
    expect(r.status).toBe("succeeded");
    expect(r.output).toBe(2);
    expect(r.steps.filter((s) => s.nodeId === "count").map((s) => [s.visit, s.status])).toEqual([
      [1, "succeeded"],
      [2, "succeeded"],
    ]);
    expect(r.steps.filter((s) => s.nodeId === "done" && s.status === "succeeded")).toHaveLength(1);
  });

  it("stops an endless loop at maxVisits with an error naming the node", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute({ document: loop("true", { maxVisits: 4 }) }, {});
    expect(r.status).toBe("failed");
    expect(r.error).toMatchObject({ code: "loop_limit", details: { nodeId: "count", maxVisits: 4 } });
    expect(r.error!.message).toMatch(/"count" would run more than 4 times/);
    expect(r.steps.filter((s) => s.nodeId === "count")).toHaveLength(4);
  });

  it("the default loop limit is 10", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute({ document: loop("true") }, {});
    expect(r.error).toMatchObject({ code: "loop_limit", details: { maxVisits: 10 } });
  });

  it("maxSteps stops a run", async () => {
    const t = createTestEngine();
    const d = { ...agentChain(5), limits: { maxSteps: 3 } };
    const r = await t.engine.execute({ document: d }, {});
    expect(r.status).toBe("failed");
    expect(r.error).toMatchObject({ code: "step_limit" });
    expect(r.steps.filter((s) => s.status === "succeeded")).toHaveLength(3);
  });
});

describe("engine: retries and timeouts", () => {
  it("retries a rate-limited agent, honouring Retry-After", async () => {
    const t = createTestEngine();
    const d = workflow(
      [trigger(), agent("a", { output: "ok", failTimes: 2, failWith: "rate_limit", retryAfterMs: 5000 })],
      [edge("start", "a")],
    );
    const t0 = t.clock.now().getTime();
    const r = await t.engine.execute({ document: d }, {});
    expect(r.status).toBe("succeeded");
    expect(r.steps.filter((s) => s.nodeId === "a").map((s) => [s.attempt, s.status, s.error?.code ?? null])).toEqual([
      [1, "failed", "rate_limit"],
      [2, "failed", "rate_limit"],
      [3, "succeeded", null],
    ]);
    expect(t.clock.now().getTime() - t0).toBe(10_000);
    const retrying = (await t.store.listEvents(r.runId, 0, 100)).filter((e) => e.type === "step.retrying");
    expect(retrying.map((e) => e.data.delayMs)).toEqual([5000, 5000]);
  });

  it("backs off by factor up to maxBackoffMs, then gives up", async () => {
    const t = createTestEngine();
    const d = workflow([trigger(), agent("a", { failTimes: 10, failWith: "server_error" }, {})], [edge("start", "a")]);
    d.nodes[1]!.retry = { maxAttempts: 4, backoffMs: 100, factor: 3, maxBackoffMs: 500 };
    const r = await t.engine.execute({ document: d }, {});
    expect(r.status).toBe("failed");
    expect(r.error).toMatchObject({ code: "retryable", message: "Simulated server error (500)." });
    const delays = (await t.store.listEvents(r.runId, 0, 100))
      .filter((e) => e.type === "step.retrying")
      .map((e) => e.data.delayMs);
    expect(delays).toEqual([100, 300, 500]);
    expect(r.steps.filter((s) => s.nodeId === "a")).toHaveLength(4);
  });

  it("does not retry non-retryable errors; non-agents default to one attempt", async () => {
    const t = createTestEngine();
    const d = workflow([trigger(), node("tool", "tool", { server: "files", tool: "read" })], [edge("start", "tool")]);
    const r = await t.engine.execute({ document: d }, {});
    expect(r.status).toBe("failed");
    expect(r.error).toMatchObject({ code: "not_available" });
    expect(r.steps.filter((s) => s.nodeId === "tool")).toHaveLength(1);
  });

  it("a step past its timeoutMs fails with a timeout (and is retried as one)", async () => {
    const t = createTestEngine();
    const d = workflow([trigger(), agent("slow", { latencyMs: 60_000 })], [edge("start", "slow")]);
    d.nodes[1]!.timeoutMs = 1000;
    d.nodes[1]!.retry = { maxAttempts: 2, backoffMs: 10 };
    const r = await t.engine.execute({ document: d }, {});
    expect(r.status).toBe("failed");
    expect(r.error).toMatchObject({ code: "timeout", details: { timeoutMs: 1000 } });
    expect(r.steps.filter((s) => s.nodeId === "slow").map((s) => s.status)).toEqual(["failed", "failed"]);
  });

  it("a run past limits.timeoutMs fails with the reason", async () => {
    const t = createTestEngine();
    const d = workflow([trigger(), agent("slow", { latencyMs: 60_000 })], [edge("start", "slow")], {
      limits: { timeoutMs: 5000 },
    });
    const r = await t.engine.execute({ document: d }, {});
    expect(r.status).toBe("failed");
    expect(r.error).toMatchObject({ code: "run_timeout" });
    expect(r.steps.find((s) => s.nodeId === "slow")!.status).toBe("cancelled");
  });
});

describe("engine: cancellation", () => {
  it("cancels a run mid-step", async () => {
    const t = createTestEngine({ autoAdvance: false });
    const d = workflow(
      [trigger(), agent("slow", { latencyMs: 60_000 }), agent("after")],
      [edge("start", "slow"), edge("slow", "after")],
    );
    const running = t.engine.execute({ document: d }, {});
    await settle();
    const runId = t.store.dump().runs[0]!.id;
    expect((await t.store.listSteps(runId)).map((s) => `${s.nodeId}:${s.status}`)).toContain("slow:running");
    const cancelled = await t.engine.cancel(runId, "alice");
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.error).toMatchObject({ code: "cancelled", details: { by: "alice" } });
    expect(await running).toEqual(cancelled);
    const steps = await t.store.listSteps(runId);
    expect(steps.find((s) => s.nodeId === "slow")!.status).toBe("cancelled");
    expect(steps.find((s) => s.nodeId === "after")).toBeUndefined();
    const events = await t.store.listEvents(runId, 0, 100);
    expect(events.at(-1)!.type).toBe("run.cancelled");
  });

  it("an AbortSignal cancels the run", async () => {
    const t = createTestEngine({ autoAdvance: false });
    const ac = new AbortController();
    const d = workflow([trigger(), agent("slow", { latencyMs: 60_000 })], [edge("start", "slow")]);
    const running = t.engine.execute({ document: d }, {}, { signal: ac.signal });
    await settle();
    ac.abort();
    expect((await running).status).toBe("cancelled");
  });
});

describe("engine: budgets", () => {
  const spendy = (limits: Record<string, unknown>) =>
    workflow(
      [
        trigger(),
        agent("a", { output: "a", usage: { inputTokens: 8, outputTokens: 4 } }),
        agent("b", { output: "b", usage: { inputTokens: 8, outputTokens: 4 } }),
        node("done", "end", { output: "{{ nodes.b.output }}" }),
      ],
      [edge("start", "a"), edge("a", "b"), edge("b", "done")],
      { limits },
    );

  it("pauses with a budget approval when the run passes maxTokens, and goes on when approved", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute({ document: spendy({ maxTokens: 10 }) }, {});
    expect(r.status).toBe("waiting");
    expect(r.steps.map((s) => s.nodeId)).not.toContain("b");
    expect(r.approvals).toEqual([{ id: expect.any(String), nodeId: "__budget", kind: "budget", status: "pending" }]);
    const a = (await t.store.getApproval(r.approvals[0]!.id))!;
    expect(a.payload).toMatchObject({ limitKind: "tokens", limit: 10, spent: 12 });
    const run = await t.store.loadRun(r.runId);
    expect(run!.waitingOnPerson).toBe(true);
    const done = await t.engine.decide(a.id, { decision: "approve", by: "boss", data: { maxTokens: 100 } });
    expect(done.status).toBe("succeeded");
    expect(done.output).toBe("b");
  });

  it("fails the run when the budget approval is rejected", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute({ document: spendy({ maxCostUsd: 0.00001 }) }, {});
    expect(r.status).toBe("waiting");
    const done = await t.engine.decide(r.approvals[0]!.id, { decision: "reject", by: "boss" });
    expect(done.status).toBe("failed");
    expect(done.error).toMatchObject({ code: "budget_exceeded" });
  });

  it("fails at once with onBudgetExceeded: fail", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute({ document: spendy({ maxTokens: 10, onBudgetExceeded: "fail" }) }, {});
    expect(r.status).toBe("failed");
    expect(r.error).toMatchObject({ code: "budget_exceeded", details: { limitKind: "tokens", limit: 10, spent: 12 } });
    expect(r.approvals).toEqual([]);
  });

  it("honours a workspace budget passed in settings", async () => {
    const t = createTestEngine({ settings: { getWorkspaceBudget: async () => ({ limitUsd: 1, spentUsd: 1 }) } });
    const r = await t.engine.execute({ document: spendy({}) }, {});
    expect(r.status).toBe("waiting");
    const a = (await t.store.getApproval(r.approvals[0]!.id))!;
    expect(a.payload).toMatchObject({ limitKind: "workspaceUsd", limit: 1 });
    // the inbox row and the event say which budget stopped the run
    expect(a.title).toBe("Workspace budget reached");
    const requested = t.published.find((e) => e.type === "approval.requested");
    expect(requested?.data).toMatchObject({ kind: "budget", title: "Workspace budget reached" });
    expect((await t.engine.decide(a.id, { decision: "approve", by: "admin" })).status).toBe("succeeded");
  });
});

describe("engine: handoffs, conversation and vars", () => {
  it("a choosing agent hands off to one target; the next agent gets the conversation and the reason", async () => {
    const models = recordingModel(createModelGateway({ clock: { now: () => new Date(), sleep: async () => {} } }));
    const t = createTestEngine({ models });
    const d = workflow(
      [
        trigger(),
        node(
          "triage",
          "agent",
          {
            prompt: "Customer says: {{ input.message }}",
            routing: "choose",
            writes: { topic: "{{ output }}" },
            simulate: { output: "billing question", route: "Billing", reason: "They want their money back." },
          },
          { name: "Triage" },
        ),
        node(
          "billing",
          "agent",
          { prompt: "Handle it ({{ vars.topic }})", simulate: { output: "refunded" } },
          { name: "Billing" },
        ),
        node("support", "agent", { prompt: "Help" }, { name: "Support" }),
      ],
      [edge("start", "triage"), edge("triage", "billing"), edge("triage", "support")],
    );
    const r = await t.engine.execute({ document: d }, { message: "I want a refund" });
    expect(r.status).toBe("succeeded");
    const status = Object.fromEntries(r.steps.map((s) => [s.nodeId, s.status]));
    expect(status).toMatchObject({ triage: "succeeded", billing: "succeeded", support: "skipped" });
    const handoff = (await t.store.listEvents(r.runId, 0, 100)).find((e) => e.type === "handoff")!;
    expect(handoff.data).toMatchObject({ from: "triage", to: "billing", reason: "They want their money back." });
    const triageReq = models.requests.find((q) => q.messages.at(-1)!.content.startsWith("Customer says"))!;
    expect(triageReq.handoffs!.map((h) => h.name)).toEqual(["Billing", "Support"]);
    const billingReq = models.requests.find((q) => q.messages.at(-1)!.content.startsWith("Handle it"))!;
    expect(billingReq.messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "Customer says: I want a refund"],
      ["assistant", "billing question"],
      ["system", "Handed off to you by Triage: They want their money back."],
      ["user", "Handle it (billing question)"],
    ]);
    const state = (await t.store.loadRun(r.runId))!.state as { vars: Record<string, unknown> };
    expect(state.vars).toEqual({ topic: "billing question" });
    // Each message is stored once, on the step that added it, with its position.
    const billingStep = (await t.store.listSteps(r.runId)).find((s) => s.nodeId === "billing")!;
    expect(billingStep.input).toMatchObject({
      conversation: {
        at: 2,
        messages: [
          { role: "user", content: "Handle it (billing question)" },
          { role: "assistant", content: "refunded" },
        ],
      },
    });
  });
});
