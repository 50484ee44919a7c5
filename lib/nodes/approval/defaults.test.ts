// What an approval shows and what a run ends with when nobody wrote a template: the previous
// step's output, the approved (edited) data, and a rejection with nowhere to go that fails the run.
import { describe, expect, it } from "vitest";
import { edge, node, trigger, workflow } from "@/lib/engine/testing/builders";
import { createTestEngine } from "@/lib/testing/test-engine";

const HOUR = 3_600_000;

/** trigger → draft (agent) → review (approval) → done (end, no output), plus extra nodes/edges. */
function draftReviewEnd(approval: Record<string, unknown> = {}, extra: { rejectedTo?: boolean } = {}) {
  const nodes = [
    trigger(),
    node("draft", "agent", { model: "simulated", prompt: "Write to {{ input.name }}", simulate: { output: "Hi Ann" } }),
    node("review", "approval", { title: "Send it?", allowEdit: true, timeoutMs: 2 * 24 * HOUR, ...approval }),
    node("done", "end", {}),
  ];
  const edges = [edge("start", "draft"), edge("draft", "review"), edge("review", "done", "approved")];
  if (extra.rejectedTo) {
    nodes.push(node("stopped", "end", { output: { sent: false } }));
    edges.push(edge("review", "stopped", "rejected"));
  }
  return workflow(nodes, edges);
}

describe("approval and end defaults", () => {
  it("an approval without `data` shows the previous step's output, not the run input", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute({ document: draftReviewEnd() }, { name: "Ann" });
    expect(r.status).toBe("waiting");
    const [a] = await t.store.listApprovals({ runId: r.runId });
    expect(a!.payload).toBe("Hi Ann");
  });

  it("right after the trigger it shows the run input (the trigger's output)", async () => {
    const t = createTestEngine();
    const doc = workflow(
      [trigger(), node("review", "approval", { title: "OK?" }), node("done", "end", {})],
      [edge("start", "review"), edge("review", "done", "approved")],
    );
    const r = await t.engine.execute({ document: doc }, { amount: 5 });
    const [a] = await t.store.listApprovals({ runId: r.runId });
    expect(a!.payload).toEqual({ amount: 5 });
  });

  it("an end without `output` makes the approved, edited data the run's output", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute({ document: draftReviewEnd() }, { name: "Ann" });
    const done = await t.engine.decide(r.approvals[0]!.id, { decision: "approve", by: "u1", data: "Hello Ann!" });
    expect(done.status).toBe("succeeded");
    expect(done.output).toBe("Hello Ann!");
  });

  it("approved without an edit: the run's output is the data the person saw", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute({ document: draftReviewEnd() }, { name: "Ann" });
    const done = await t.engine.decide(r.approvals[0]!.id, { decision: "approve", by: "u1" });
    expect(done.output).toBe("Hi Ann");
  });

  it("an end without `output` after an agent outputs the agent's answer; an explicit output still wins", async () => {
    const t = createTestEngine();
    const agentThenEnd = (end: Record<string, unknown>) =>
      workflow(
        [
          trigger(),
          node("a", "agent", { model: "simulated", prompt: "x", simulate: { output: "answer" } }),
          node("e", "end", end),
        ],
        [edge("start", "a"), edge("a", "e")],
      );
    expect((await t.engine.execute({ document: agentThenEnd({}) }, {})).output).toBe("answer");
    expect((await t.engine.execute({ document: agentThenEnd({ output: "{{ input.k }}" }) }, { k: 7 })).output).toBe(7);
  });

  it("a run without an End step outputs what its last step produced (after an approval: the approved data)", async () => {
    const t = createTestEngine();
    const doc = workflow(
      [
        trigger(),
        node("draft", "agent", { model: "simulated", prompt: "x", simulate: { output: "draft text" } }),
        node("review", "approval", { title: "OK?", allowEdit: true }),
      ],
      [edge("start", "draft"), edge("draft", "review")],
    );
    const r = await t.engine.execute({ document: doc }, {});
    const done = await t.engine.decide(r.approvals[0]!.id, { decision: "approve", by: "u1", data: "final text" });
    expect(done.status).toBe("succeeded");
    expect(done.output).toBe("final text");
    const agentOnly = workflow(
      [trigger(), node("a", "agent", { model: "simulated", prompt: "x", simulate: { output: "answer" } })],
      [edge("start", "a")],
    );
    expect((await t.engine.execute({ document: agentOnly }, {})).output).toBe("answer");
    // an End that outputs null on purpose keeps null
    const explicitNull = workflow(
      [trigger(), node("a", "agent", { model: "simulated", prompt: "x" }), node("e", "end", { output: null })],
      [edge("start", "a"), edge("a", "e")],
    );
    expect((await t.engine.execute({ document: explicitNull }, {})).output).toBeNull();
  });

  it("a rejection whose `rejected` outcome leads nowhere fails the run and says why", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute({ document: draftReviewEnd() }, { name: "Ann" });
    const done = await t.engine.decide(r.approvals[0]!.id, { decision: "reject", by: "u1", comment: "Too curt" });
    expect(done.status).toBe("failed");
    expect(done.output).toBeNull();
    expect(done.error).toMatchObject({
      code: "approval_rejected",
      message: '"review" was rejected by a person: Too curt',
    });
    expect(done.steps.find((s) => s.nodeId === "review")!.status).toBe("failed");
    expect(done.steps.some((s) => s.nodeId === "done" && s.status === "succeeded")).toBe(false);
  });

  it("a rejection with a `rejected` path follows it and the run succeeds", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute({ document: draftReviewEnd({}, { rejectedTo: true }) }, { name: "Ann" });
    const done = await t.engine.decide(r.approvals[0]!.id, { decision: "reject", by: "u1", comment: "no" });
    expect(done.status).toBe("succeeded");
    expect(done.output).toEqual({ sent: false });
  });

  it("a deadline that rejects, with nowhere to go, fails the run too", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute({ document: draftReviewEnd({ timeoutMs: HOUR }) }, { name: "Ann" });
    t.clock.set(t.clock.now().getTime() + HOUR + 1);
    const [done] = await t.engine.expireApprovals();
    expect(done!.runId).toBe(r.runId);
    expect(done!.status).toBe("failed");
    expect(done!.error).toMatchObject({ code: "approval_rejected" });
    expect(done!.error!.message).toContain("deadline");
  });
});
