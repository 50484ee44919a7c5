import { describe, expect, it } from "vitest";
import { edge, node, trigger, workflow } from "@/lib/engine/testing/builders";
import { createTestEngine } from "@/lib/testing/test-engine";
import { createLiveRunStore, emptyRun, type RunEventMessage, reduceRunEvents, takenKey } from "./run-state";

const ev = (seq: number, type: string, data: Record<string, unknown> = {}) => ({ seq, type, data });

describe("live run state from the event log", () => {
  it("follows steps, edges and usage, and ignores replayed events after a reconnect", () => {
    const events = [
      ev(1, "run.started"),
      ev(2, "step.started", { nodeId: "start", visit: 1, attempt: 1 }),
      ev(3, "step.succeeded", { nodeId: "start", visit: 1, attempt: 1, outcome: "default" }),
      ev(4, "edge.taken", { source: "start", outcome: "default", edges: [{ id: "e1", target: "draft" }] }),
      ev(5, "step.started", { nodeId: "draft", visit: 1, attempt: 1 }),
      ev(6, "step.retrying", { nodeId: "draft", attempt: 1, nextAttempt: 2, error: { message: "rate limited" } }),
      ev(7, "step.succeeded", { nodeId: "draft", visit: 1, attempt: 2, simulated: true }),
      ev(8, "usage", {
        nodeId: "draft",
        inputTokens: 10,
        outputTokens: 5,
        costUsd: 0.01,
        total: { inputTokens: 10, outputTokens: 5, costUsd: 0.01 },
      }),
      ev(9, "step.started", { nodeId: "ok" }),
      ev(10, "approval.requested", { nodeId: "ok", approvalId: "ap1" }),
      ev(11, "step.waiting", { nodeId: "ok", approvalId: "ap1" }),
      ev(12, "run.waiting", { usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.01 } }),
    ];
    let s = reduceRunEvents(emptyRun("r1"), events.slice(0, 7));
    s = reduceRunEvents(s, events.slice(4)); // a reconnect replays 5..12; 5..7 are ignored
    expect(s.lastSeq).toBe(12);
    expect(s.status).toBe("waiting");
    expect(s.steps.start.status).toBe("succeeded");
    expect(s.steps.draft).toMatchObject({
      status: "succeeded",
      attempt: 2,
      simulated: true,
      inputTokens: 10,
      outputTokens: 5,
    });
    expect(s.steps.ok).toMatchObject({ status: "waiting", approvalId: "ap1" });
    expect(s.taken[takenKey("start", "default", "draft")]).toBe(true);
    expect(s.taken.e1).toBe(true);
    expect(s.inputTokens + s.outputTokens).toBe(15);
    expect(s.costUsd).toBeCloseTo(0.01);
  });

  it("reads usage, the run's total and the taken edges from step.succeeded (one event per finished step)", () => {
    const s = reduceRunEvents(emptyRun("r1"), [
      ev(1, "run.started"),
      ev(2, "step.started", { nodeId: "a1", visit: 1, attempt: 1 }),
      ev(3, "step.succeeded", {
        nodeId: "a1",
        visit: 1,
        attempt: 1,
        outcome: "default",
        usage: { inputTokens: 8, outputTokens: 4, costUsd: 0.02 },
        total: { inputTokens: 8, outputTokens: 4, costUsd: 0.02 },
        edges: [{ id: "e2", target: "a2" }],
      }),
    ]);
    expect(s.steps.a1).toMatchObject({ status: "succeeded", inputTokens: 8, outputTokens: 4 });
    expect(s.steps.a1.costUsd).toBeCloseTo(0.02);
    expect(s.inputTokens + s.outputTokens).toBe(12);
    expect(s.taken[takenKey("a1", "default", "a2")]).toBe(true);
    expect(s.taken["a1|*|a2"]).toBe(true);
    expect(s.taken.e2).toBe(true);
  });

  it("keeps a failed step's error and the run's", () => {
    const s = reduceRunEvents(emptyRun("r"), [
      ev(1, "step.started", { nodeId: "a" }),
      ev(2, "step.failed", { nodeId: "a", error: { code: "x", message: "boom" } }),
      ev(3, "run.failed", { error: { message: "Step a failed: boom" } }),
    ]);
    expect(s.steps.a.status).toBe("failed");
    expect(s.steps.a.error?.message).toBe("boom");
    expect(s.status).toBe("failed");
    expect(s.error?.message).toMatch(/boom/);
  });

  it("marks skipped and cancelled steps", () => {
    const s = reduceRunEvents(emptyRun("r"), [
      ev(1, "step.skipped", { nodeId: "b" }),
      ev(2, "step.cancelled", { nodeId: "c" }),
      ev(3, "run.cancelled"),
    ]);
    expect(s.steps.b.status).toBe("skipped");
    expect(s.steps.c.status).toBe("cancelled");
    expect(s.status).toBe("cancelled");
  });
});

describe("watching an existing run (the editor's ?run= view)", () => {
  const refund = workflow(
    [
      trigger(),
      node("approve", "approval", { title: "Refund {{ input.amount }}", assignees: { roles: ["approver"] } }),
      node("paid", "end", { output: { outcome: "refunded" } }),
      node("refused", "end", { output: { outcome: "refused" } }),
    ],
    [edge("start", "approve"), edge("approve", "paid", "approved"), edge("approve", "refused", "rejected")],
  );
  const messages = (events: { seq: number; type: string; data: unknown }[]): RunEventMessage[] =>
    events.map((e) => ({ seq: e.seq, type: e.type, data: (e.data ?? {}) as Record<string, unknown> }));

  it("replays a waiting run's log from seq 0, then follows it live to the end", async () => {
    const t = createTestEngine();
    const started = await t.engine.execute({ document: refund }, { amount: 80 });
    expect(started.status).toBe("waiting");

    // opened later on the canvas: the store is attached to the run before any event arrives
    const live = createLiveRunStore(started.runId);
    expect(live.getState()).toMatchObject({ runId: started.runId, status: "queued", lastSeq: 0 });
    const past = await t.store.listEvents(started.runId, 0, 500);
    live.getState().apply(messages(past));
    const waiting = live.getState();
    expect(waiting.status).toBe("waiting");
    expect(waiting.lastSeq).toBe(past.at(-1)?.seq);
    expect(waiting.steps.start.status).toBe("succeeded");
    expect(waiting.steps.approve).toMatchObject({ status: "waiting", approvalId: started.approvals[0]?.id });
    expect(waiting.steps.paid).toBeUndefined();

    // someone approves in the inbox; the stream sends what follows (and a reconnect may resend some)
    await t.engine.decide(started.approvals[0]!.id, { decision: "approve", by: "approver" });
    const after = await t.store.listEvents(started.runId, waiting.lastSeq - 2, 500);
    live.getState().apply(messages(after));
    const done = live.getState();
    expect(done.status).toBe("succeeded");
    expect(done.steps.approve.status).toBe("succeeded");
    expect(done.steps.paid.status).toBe("succeeded");
    expect(done.steps.refused?.status).toBe("skipped");
    expect(done.taken[takenKey("approve", "approved", "paid")]).toBe(true);

    // replaying the whole log at once gives the same state as following it
    const all = await t.store.listEvents(started.runId, 0, 500);
    const replayed = reduceRunEvents(emptyRun(started.runId), messages(all));
    expect(replayed.status).toBe(done.status);
    expect(replayed.steps).toEqual(done.steps);
    expect(replayed.taken).toEqual(done.taken);
  });
});
