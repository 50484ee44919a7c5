import { describe, expect, it } from "vitest";
import { emptyRun, reduceRunEvents, takenKey } from "./run-state";

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
