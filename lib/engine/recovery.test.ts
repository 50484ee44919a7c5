import { describe, expect, it } from "vitest";
import { isFencedError } from "@/lib/contracts/errors";
import type { NodeRegistry } from "@/lib/contracts/node-registry";
import type { ModelGateway } from "@/lib/contracts/ports";
import { builtinNodes as nodes } from "@/lib/nodes/builtin";
import { createSequentialIds, createTestEngine } from "@/lib/testing/test-engine";
import { createEngine } from "./engine";
import { createModelGateway } from "./models/gateway";
import { createRunEventHub } from "./notifier";
import { edge, node, trigger, workflow } from "./testing/builders";
import { crashable } from "./testing/crash";
import { FakeClock, settle } from "./testing/fake-clock";
import { createMemoryStore, InjectedFault } from "./testing/memory-store";
import { recordingModel } from "./testing/recording-model";

const slowChain = (extra: Record<string, unknown> = {}) =>
  workflow(
    [
      trigger(),
      node("fetch", "agent", { prompt: "fetch", simulate: { output: "fetched", latencyMs: 1000 } }),
      node("write", "agent", { prompt: "write", simulate: { output: "written", latencyMs: 1000 } }, extra),
      node("done", "end", { output: "{{ nodes.write.output }}" }),
    ],
    [edge("start", "fetch"), edge("fetch", "write"), edge("write", "done")],
  );

/** Two "processes" on one store and clock: the first one dies mid-run. */
function twoProcesses() {
  const store = createMemoryStore();
  const clock = new FakeClock();
  const ids = createSequentialIds();
  const models = recordingModel(createModelGateway({ clock }));
  const crash = crashable(store);
  const first = createEngine({ nodes, store: crash.store, clock, ids, models, owner: "p1", leaseTtlMs: 10_000 });
  const second = createEngine({ nodes, store, clock, ids, models, owner: "p2", leaseTtlMs: 10_000 });
  return { store, clock, models, crash, first, second };
}

describe("crash recovery", () => {
  it("resumes a run after its executor died: completed steps don't run again, the interrupted one re-runs with the same idempotency key", async () => {
    const { store, clock, models, crash, first, second } = twoProcesses();
    void first.execute({ document: slowChain() }, {});
    await clock.advance(1500); // fetch done (t=1000), write running
    const runId = store.dump().runs[0]!.id;
    expect((await store.listSteps(runId)).map((s) => `${s.nodeId}:${s.status}`)).toEqual([
      "start:succeeded",
      "fetch:succeeded",
      "write:running",
    ]);
    crash.crash();
    await clock.advance(500);

    // The lease is still live: nobody may take the run yet.
    expect(await second.recover(clock.now())).toEqual([]);
    clock.set(clock.now().getTime() + 10_000);
    const recovering = second.recover(clock.now());
    await clock.advance(1000);
    const [result] = await recovering;
    expect(result!.status).toBe("succeeded");
    expect(result!.output).toBe("written");

    const steps = await store.listSteps(runId);
    const succeeded = steps.filter((s) => s.status === "succeeded").map((s) => s.nodeId);
    expect(succeeded.sort()).toEqual(["done", "fetch", "start", "write"]);
    expect(steps.filter((s) => s.nodeId === "fetch")).toHaveLength(1);
    const writes = steps.filter((s) => s.nodeId === "write");
    expect(writes.map((s) => [s.attempt, s.status, s.error?.code ?? null])).toEqual([
      [1, "failed", "interrupted"],
      [2, "succeeded", null],
    ]);
    expect(new Set(writes.map((s) => s.idempotencyKey))).toEqual(new Set([`${runId}:write:1`]));

    // What the model saw: fetch once, write twice with the same key.
    const calls = models.requests.map((q) => [q.messages.at(-1)!.content, q.idempotencyKey]);
    expect(calls.filter(([p]) => p === "fetch")).toHaveLength(1);
    expect(calls.filter(([p]) => p === "write")).toEqual([
      ["write", `${runId}:write:1`],
      ["write", `${runId}:write:1`],
    ]);
    const events = await store.listEvents(runId, 0, 1000);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.find((e) => e.type === "step.interrupted")!.data).toMatchObject({ nodeId: "write", rerun: true });
  });

  it("an atMostOnce node that was interrupted is marked failed and routed to failure, not re-run", async () => {
    const { clock, models, crash, first, second } = twoProcesses();
    void first.execute({ document: slowChain({ atMostOnce: true }) }, {});
    await clock.advance(1500);
    crash.crash();
    clock.set(clock.now().getTime() + 20_000);
    const [result] = await second.recover(clock.now());
    expect(result!.status).toBe("failed");
    expect(result!.error).toMatchObject({ code: "interrupted" });
    expect(result!.error!.message).toMatch(/may run at most once/);
    expect(models.requests.filter((q) => q.messages.at(-1)!.content === "write")).toHaveLength(1);
  });

  it("an interrupted atMostOnce http node takes its error edge", async () => {
    const store = createMemoryStore();
    const clock = new FakeClock();
    const crash = crashable(store);
    let calls = 0;
    const http = {
      fetch: async (req: { signal: AbortSignal }) => {
        calls++;
        await clock.sleep(1000, req.signal);
        return { status: 200, headers: {}, body: "{}", bytes: 2, url: "" };
      },
    };
    const doc = workflow(
      [
        trigger(),
        node("pay", "http", { method: "POST", url: "https://pay.example.com/charge" }, { atMostOnce: true }),
        node("ok", "end", { output: "paid" }),
        node("check", "end", { output: "{{ 'check payment: ' & nodes.pay.output.error.code }}" }),
      ],
      [edge("start", "pay"), edge("pay", "ok"), edge("pay", "check", "error")],
    );
    const first = createEngine({ nodes, store: crash.store, clock, http, owner: "p1", leaseTtlMs: 1000 });
    void first.execute({ document: doc }, {});
    await clock.advance(500);
    crash.crash();
    clock.set(clock.now().getTime() + 5000);
    const second = createEngine({ nodes, store, clock, http, owner: "p2" });
    const [result] = await second.recover(clock.now());
    expect(result!.status).toBe("succeeded");
    expect(result!.output).toBe("check payment: interrupted");
    expect(calls).toBe(1);
  });

  it("a failure inside a commit leaves the stored run consistent; recovery finishes it without re-running completed steps", async () => {
    const t = createTestEngine();
    t.store.faults.failCommitWhen = (input) => (input.events ?? []).some((e) => e.type === "run.succeeded");
    const err = await t.engine.execute({ document: slowChain() }, {}).catch((e) => e);
    expect(err).toBeInstanceOf(InjectedFault);
    const run = t.store.dump().runs[0]!;
    // Nothing of the failed commit is visible: the run is still running, the end step not recorded.
    expect(run.status).toBe("running");
    const events = await t.store.listEvents(run.id, 0, 1000);
    expect(events.map((e) => e.type)).not.toContain("run.succeeded");
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const before = (await t.store.listSteps(run.id)).filter((s) => s.status === "succeeded").map((s) => s.nodeId);

    t.store.faults.failCommitWhen = undefined;
    t.clock.set(t.clock.now().getTime() + 60_000);
    const [result] = await t.restart().recover(t.clock.now());
    expect(result!.status).toBe("succeeded");
    const steps = await t.store.listSteps(run.id);
    for (const id of before) expect(steps.filter((s) => s.nodeId === id && s.status === "succeeded")).toHaveLength(1);
  });

  it("fencing: a stale executor cannot overwrite the newer state", async () => {
    const store = createMemoryStore();
    const clock = new FakeClock();
    const a = createEngine({ nodes, store, clock, owner: "a", leaseTtlMs: 1000 });
    const b = createEngine({ nodes, store, clock, owner: "b", leaseTtlMs: 1000 });
    const doc = workflow(
      [
        trigger(),
        node("slow", "agent", { prompt: "x", simulate: { latencyMs: 5000 } }),
        node("e", "end", { output: "from a" }),
      ],
      [edge("start", "slow"), edge("slow", "e")],
    );
    const running = a.execute({ document: doc }, {}).catch((e) => e);
    await settle();
    const runId = store.dump().runs[0]!.id;
    // Another executor takes over (e.g. an admin cancel through another process).
    const cancelled = await b.cancel(runId, "admin");
    expect(cancelled.status).toBe("cancelled");
    await clock.advance(6000);
    const err = await running;
    expect(isFencedError(err)).toBe(true);
    const run = await store.loadRun(runId);
    expect(run!.status).toBe("cancelled");
    expect((await store.listSteps(runId)).some((s) => s.nodeId === "e")).toBe(false);
  });

  it("recover carries on a run whose approval was decided but never continued", async () => {
    const t = createTestEngine();
    const doc = workflow(
      [trigger(), node("ask", "approval", { title: "ok?", timeoutMs: 60_000 }), node("e", "end", { output: "yes" })],
      [edge("start", "ask"), edge("ask", "e")],
    );
    const r = await t.engine.execute({ document: doc }, {});
    // The deciding process died right after the decision was stored.
    await t.store.decideApproval(r.approvals[0]!.id, {
      status: "approved",
      by: "u",
      at: t.clock.now(),
      decision: { via: "person" },
    });
    expect((await t.store.loadRun(r.runId))!.status).toBe("queued");
    const [done] = await t.restart().recover();
    expect(done!.status).toBe("succeeded");
  });

  it("shutdown leaves running runs recoverable", async () => {
    const store = createMemoryStore();
    const clock = new FakeClock();
    const hub = createRunEventHub();
    const a = createEngine({ nodes, store, clock, owner: "a", notifier: hub });
    const running = a.execute({ document: slowChain() }, {});
    await clock.advance(500);
    await a.shutdown();
    await running.catch(() => {});
    const runId = store.dump().runs[0]!.id;
    expect((await store.loadRun(runId))!.leaseOwner).toBeNull();
    const b = createEngine({ nodes, store, clock, owner: "b" });
    const recovering = b.recover();
    await clock.advance(3000);
    const [r] = await recovering;
    expect(r!.status).toBe("succeeded");
  });

  it("a model that never answers is stopped by the node timeout, even after a restart", async () => {
    const never: ModelGateway = {
      generate: (req) =>
        new Promise((_, reject) => req.signal.addEventListener("abort", () => reject(req.signal.reason))),
    };
    const t = createTestEngine({ models: never });
    const doc = workflow(
      [
        trigger(),
        node("a", "agent", { model: "simulated", prompt: "x" }, { timeoutMs: 500, retry: { maxAttempts: 1 } }),
      ],
      [edge("start", "a")],
    );
    const r = await t.engine.execute({ document: doc }, {});
    expect(r.error).toMatchObject({ code: "timeout" });
  });

  it("the shared conversation is rebuilt from the steps after a restart", async () => {
    const store = createMemoryStore();
    const clock = new FakeClock(undefined, { autoAdvance: true });
    const models = recordingModel(createModelGateway({ clock }));
    const doc = workflow(
      [
        trigger(),
        node("triage", "agent", { prompt: "Customer: {{ input.msg }}", simulate: { output: "needs a refund" } }),
        node("ask", "approval", { title: "ok?", timeoutMs: 60_000 }),
        node("billing", "agent", { prompt: "Refund it", useConversation: true, simulate: { output: "done" } }),
      ],
      [edge("start", "triage"), edge("triage", "ask"), edge("ask", "billing")],
    );
    const first = createEngine({ nodes, store, clock, models, owner: "p1" });
    const r = await first.execute({ document: doc }, { msg: "broken toaster" });
    expect(r.status).toBe("waiting");
    const second = createEngine({ nodes, store, clock, models, owner: "p2" });
    const done = await second.decide(r.approvals[0]!.id, { decision: "approve", by: "u" });
    expect(done.status).toBe("succeeded");
    const billing = models.requests.find((q) => q.messages.at(-1)!.content === "Refund it")!;
    expect(billing.messages.map((m) => m.content)).toEqual(["Customer: broken toaster", "needs a refund", "Refund it"]);
  });

  it("a parent recovered while its child is runnable finishes both (no deadlock)", async () => {
    const child = workflow(
      [
        trigger(),
        node("ask", "approval", { title: "child?", timeoutMs: 60_000 }),
        node("e", "end", { output: "from child" }),
      ],
      [edge("start", "ask"), edge("ask", "e")],
    );
    const t = createTestEngine({ workflows: { child } });
    const parent = workflow(
      [
        trigger(),
        node("sub", "subworkflow", { workflow: "child" }),
        node("e", "end", { output: "{{ nodes.sub.output }}" }),
      ],
      [edge("start", "sub"), edge("sub", "e")],
    );
    // The parent dies right when it would record that it waits for the child.
    t.store.faults.failCommitWhen = (input) =>
      (input.events ?? []).some((e) => e.type === "step.waiting" && e.data.nodeId === "sub");
    await expect(t.engine.execute({ document: parent }, {})).rejects.toBeInstanceOf(InjectedFault);
    t.store.faults.failCommitWhen = undefined;
    const [childApproval] = await t.store.listApprovals({ status: "pending" });
    await t.store.decideApproval(childApproval!.id, { status: "approved", by: "u", at: t.clock.now(), decision: {} });
    const results = await t.restart().recover();
    const parentResult = results.find((r) => r.steps.some((s) => s.nodeId === "sub"))!;
    expect(parentResult.status).toBe("succeeded");
    expect(parentResult.output).toBe("from child");
    const subSteps = parentResult.steps.filter((s) => s.nodeId === "sub");
    expect(subSteps.map((s) => s.status)).toContain("succeeded");
    expect(t.store.dump().runs.filter((r) => r.parentRunId)).toHaveLength(1);
  });
});

describe("runs that can never be carried on", () => {
  /** The built-in node types but one: a stored version using it can no longer be executed here. */
  const without = (type: string): NodeRegistry => ({
    definitions: nodes.definitions.filter((d) => d.type !== type),
    definition: (t) => (t === type ? undefined : nodes.definition(t)),
    executor: (t) => (t === type ? undefined : nodes.executor(t)),
  });
  const hitl = workflow(
    [
      trigger(),
      node("approve", "approval", { title: "Send it?", timeoutMs: null }),
      node("send", "agent", { prompt: "send", simulate: { output: "Sent" } }),
    ],
    [edge("start", "approve"), edge("approve", "send", "approved")],
  );

  /** A run waiting on a person, whose approval is then decided outside any execution (queued, recoverable). */
  async function decidedWhileAway(t: ReturnType<typeof createTestEngine>) {
    const paused = await t.engine.execute({ document: hitl }, {});
    expect(paused.status).toBe("waiting");
    await t.store.decideApproval(paused.approvals[0]!.id, {
      status: "approved",
      by: "someone",
      at: t.clock.now(),
      decision: { via: "person" },
    });
    expect((await t.store.findRunsToRecover(t.clock.now())).includes(paused.runId)).toBe(true);
    return paused.runId;
  }

  it("ends failed, saying why, recorded like any failure; recovery does not pick it up again", async () => {
    const t = createTestEngine();
    const runId = await decidedWhileAway(t);
    const run0 = (await t.store.loadRun(runId))!;
    const later = t.restart({ nodes: without("approval") });
    const [result] = await later.recover(t.clock.now());
    expect(result).toMatchObject({ runId, status: "failed", error: { code: "non_retryable", retryable: false } });
    expect(result!.error!.message).toMatch(
      /^This run's workflow version cannot be executed: The workflow is not valid/,
    );
    // the validation issues, for the run page: the node type this installation does not have
    expect(result!.error!.details).toMatchObject({ workflowVersionId: run0.workflowVersionId });
    expect(result!.error!.details?.issues).toEqual([
      expect.objectContaining({
        path: "nodes[1].type",
        message: expect.stringContaining('"approval" is not a known node type'),
      }),
    ]);
    const run = (await t.store.loadRun(runId))!;
    expect(run).toMatchObject({ status: "failed", leaseOwner: null, waitingOnPerson: false });
    expect(run.endedAt).not.toBeNull();
    const events = await t.store.listEvents(runId, 0, 1000);
    expect(events.at(-1)).toMatchObject({ type: "run.failed", data: { error: { message: result!.error!.message } } });
    expect(t.published.at(-1)).toMatchObject({ runId, type: "run.failed" });
    expect(await t.store.findRunsToRecover(t.clock.now())).toEqual([]);
    expect(await later.recover(t.clock.now())).toEqual([]);
  });

  it("cancels its open steps and pending approvals, and can be cancelled by a person", async () => {
    const t = createTestEngine();
    const paused = await t.engine.execute({ document: hitl }, {});
    expect(paused.status).toBe("waiting");
    const later = t.restart({ nodes: without("approval") });
    const cancelled = await later.cancel(paused.runId, "ada");
    expect(cancelled).toMatchObject({ status: "cancelled", error: { code: "cancelled" } });
    expect((await t.store.listApprovals({ runId: paused.runId })).map((a) => a.status)).toEqual(["cancelled"]);
    expect((await t.store.listSteps(paused.runId)).find((s) => s.nodeId === "approve")?.status).toBe("cancelled");
    expect((await t.store.loadRun(paused.runId))!.leaseOwner).toBeNull();
  });

  it("a run whose engine state cannot be read ends failed too", async () => {
    const t = createTestEngine();
    const runId = await decidedWhileAway(t);
    // what an older or damaged row holds
    const { lease } = await t.store.createRun({
      id: "r-no-state",
      workspaceId: "w",
      workflowId: "wf",
      workflowVersionId: "wf@1",
      document: hitl,
      input: {},
      trigger: "api",
      status: "running",
      state: {},
      createdAt: t.clock.now(),
      startedAt: t.clock.now(),
      lease: { owner: "gone", ttlMs: 1 },
    });
    expect(lease).not.toBeNull();
    t.clock.set(t.clock.now().getTime() + 1000);
    const results = await t.restart().recover(t.clock.now());
    expect(results.map((r) => [r.runId, r.status])).toEqual([
      [runId, "succeeded"],
      ["r-no-state", "failed"],
    ]);
    expect(results[1]!.error!.message).toMatch(/^This run cannot be carried on: The run's engine state is missing/);
  });

  it("a passing store failure while loading it is not permanent: the lease is given back and it is retried", async () => {
    const t = createTestEngine();
    const runId = await decidedWhileAway(t);
    const later = t.restart();
    const listSteps = t.store.listSteps;
    t.store.listSteps = async () => {
      throw new InjectedFault();
    };
    await expect(later.runUntilPauseOrEnd(runId)).rejects.toBeInstanceOf(InjectedFault);
    t.store.listSteps = listSteps;
    expect((await t.store.loadRun(runId))!).toMatchObject({ status: "queued", leaseOwner: null });
    expect(await t.store.findRunsToRecover(t.clock.now())).toEqual([runId]);
    const [result] = await later.recover(t.clock.now());
    expect(result).toMatchObject({ runId, status: "succeeded" });
  });
});
