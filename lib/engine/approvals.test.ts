import { describe, expect, it } from "vitest";
import { ApprovalNotPendingError, InputValidationError } from "@/lib/contracts/errors";
import { createTestEngine } from "@/lib/testing/test-engine";
import { edge, node, trigger, workflow } from "./testing/builders";

const HOUR = 3_600_000;

function approvalFlow(config: Record<string, unknown> = {}) {
  return workflow(
    [
      trigger(),
      node("ask", "approval", {
        title: "Refund {{ input.amount }} USD to {{ input.customer }}?",
        details: "Reason: {{ input.reason }}",
        data: { amount: "{{ input.amount }}", customer: "{{ input.customer }}" },
        assignees: { roles: ["approver"], users: ["u-lead"] },
        timeoutMs: HOUR,
        ...config,
      }),
      node("yes", "end", {
        output: { approved: true, data: "{{ nodes.ask.output.data }}", by: "{{ nodes.ask.output.decidedBy }}" },
      }),
      node("no", "end", { output: { approved: false, via: "{{ nodes.ask.output.via }}" } }),
    ],
    [edge("start", "ask"), edge("ask", "yes", "approved"), edge("ask", "no", "rejected")],
  );
}

const input = { amount: 120, customer: "ada@example.com", reason: "broken" };

describe("approvals", () => {
  it("pauses with a rendered approval, then goes on when approved", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute({ document: approvalFlow() }, input);
    expect(r.status).toBe("waiting");
    expect(r.steps.find((s) => s.nodeId === "ask")!.status).toBe("waiting");
    const [pending] = await t.store.listApprovals({ runId: r.runId, status: "pending" });
    expect(pending).toMatchObject({
      title: "Refund 120 USD to ada@example.com?",
      details: "Reason: broken",
      payload: { amount: 120, customer: "ada@example.com" },
      assignees: { roles: ["approver"], users: ["u-lead"] },
      kind: "approval",
    });
    expect(pending!.deadlineAt!.getTime() - t.clock.now().getTime()).toBe(HOUR);
    const run = await t.store.loadRun(r.runId);
    expect(run).toMatchObject({ status: "waiting", waitingOnPerson: true, leaseOwner: null });

    const done = await t.engine.decide(pending!.id, { decision: "approve", by: "u-lead", comment: "fine" });
    expect(done.status).toBe("succeeded");
    expect(done.output).toEqual({ approved: true, data: { amount: 120, customer: "ada@example.com" }, by: "u-lead" });
    const ask = done.steps.find((s) => s.nodeId === "ask")!;
    expect(ask.output).toMatchObject({ decision: "approved", comment: "fine", decidedBy: "u-lead", edited: false });
    expect(done.steps.find((s) => s.nodeId === "no")!.status).toBe("skipped");
    const types = (await t.store.listEvents(r.runId, 0, 100)).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(["approval.requested", "run.waiting", "approval.decided", "run.resumed", "run.succeeded"]),
    );
  });

  it("takes the rejected branch when rejected", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute({ document: approvalFlow() }, input);
    const done = await t.engine.decide(r.approvals[0]!.id, { decision: "reject", by: "u2" });
    expect(done.output).toEqual({ approved: false, via: "person" });
  });

  it("decisions are single-use and say who decided", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute({ document: approvalFlow() }, input);
    const id = r.approvals[0]!.id;
    await t.engine.decide(id, { decision: "approve", by: "alice" });
    const err = await t.engine.decide(id, { decision: "reject", by: "bob" }).catch((e) => e);
    expect(err).toBeInstanceOf(ApprovalNotPendingError);
    expect(err).toMatchObject({ status: "approved", decidedBy: "alice" });
    expect(err.message).toMatch(/already decided \(approved by alice/);
  });

  it("edited data must match the edit schema and becomes the output", async () => {
    const t = createTestEngine();
    const doc = approvalFlow({
      allowEdit: true,
      editSchema: {
        type: "object",
        properties: { amount: { type: "number", maximum: 100 }, customer: { type: "string" } },
        required: ["amount"],
      },
    });
    const r = await t.engine.execute({ document: doc }, input);
    const id = r.approvals[0]!.id;
    const bad = await t.engine.decide(id, { decision: "approve", by: "u", data: { amount: 150 } }).catch((e) => e);
    expect(bad).toBeInstanceOf(InputValidationError);
    expect(bad.issues).toEqual([{ path: "data.amount", message: "This must be <= 100." }]);
    expect((await t.store.getApproval(id))!.status).toBe("pending");
    const done = await t.engine.decide(id, {
      decision: "approve",
      by: "u",
      data: { amount: 100, customer: "ada@example.com" },
    });
    expect(done.output).toMatchObject({ data: { amount: 100, customer: "ada@example.com" } });
    expect(done.steps.find((s) => s.nodeId === "ask")!.output).toMatchObject({ edited: true });
  });

  it("refuses edited data when editing is not allowed", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute({ document: approvalFlow() }, input);
    await expect(
      t.engine.decide(r.approvals[0]!.id, { decision: "approve", by: "u", data: { amount: 1 } }),
    ).rejects.toMatchObject({
      issues: [{ path: "data", message: "This approval does not allow editing the data." }],
    });
  });

  it("on timeout: reject (the default)", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute({ document: approvalFlow() }, input);
    expect(await t.engine.expireApprovals()).toEqual([]);
    t.clock.set(t.clock.now().getTime() + HOUR + 1);
    const [done] = await t.engine.expireApprovals();
    expect(done!.runId).toBe(r.runId);
    expect(done!.output).toEqual({ approved: false, via: "timeout" });
    expect((await t.store.getApproval(r.approvals[0]!.id))!.status).toBe("expired");
  });

  it("on timeout: approve", async () => {
    const t = createTestEngine();
    await t.engine.execute({ document: approvalFlow({ onTimeout: "approve" }) }, input);
    t.clock.set(t.clock.now().getTime() + HOUR + 1);
    const [done] = await t.engine.expireApprovals();
    expect(done!.status).toBe("succeeded");
    expect(done!.output).toMatchObject({ approved: true, by: null });
  });

  it("on timeout: escalates along the chain, then rejects", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute(
      {
        document: approvalFlow({
          onTimeout: "escalate",
          escalateTo: [{ roles: ["admin"], users: [], timeoutMs: 2 * HOUR }],
        }),
      },
      input,
    );
    const id = r.approvals[0]!.id;
    t.clock.set(t.clock.now().getTime() + HOUR + 1);
    expect(await t.engine.expireApprovals()).toEqual([]);
    const escalated = (await t.store.getApproval(id))!;
    expect(escalated).toMatchObject({
      status: "pending",
      escalationLevel: 1,
      assignees: { roles: ["admin"], users: [] },
    });
    expect(escalated.deadlineAt!.getTime()).toBe(t.clock.now().getTime() + 2 * HOUR);
    expect((await t.store.listEvents(r.runId, 0, 100)).some((e) => e.type === "approval.escalated")).toBe(true);
    t.clock.set(t.clock.now().getTime() + 2 * HOUR + 1);
    const [done] = await t.engine.expireApprovals();
    expect(done!.output).toEqual({ approved: false, via: "timeout" });
  });

  it("handles a deadline that passed while no engine was running", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute({ document: approvalFlow() }, input);
    t.clock.set(t.clock.now().getTime() + 30 * 24 * HOUR); // a month offline
    const restarted = t.restart();
    const [done] = await restarted.expireApprovals();
    expect(done!.runId).toBe(r.runId);
    expect(done!.status).toBe("succeeded");
    expect(done!.output).toEqual({ approved: false, via: "timeout" });
  });

  it("an explicit 'no deadline' never expires", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute({ document: approvalFlow({ timeoutMs: null }) }, input);
    expect((await t.store.getApproval(r.approvals[0]!.id))!.deadlineAt).toBeNull();
    t.clock.set(t.clock.now().getTime() + 365 * 24 * HOUR);
    expect(await t.engine.expireApprovals()).toEqual([]);
  });

  it("waits for parallel approvals one by one", async () => {
    const t = createTestEngine();
    const d = workflow(
      [
        trigger(),
        node("legal", "approval", { title: "Legal", timeoutMs: HOUR }),
        node("finance", "approval", { title: "Finance", timeoutMs: HOUR }),
        node("done", "end", { output: "both" }),
      ],
      [edge("start", "legal"), edge("start", "finance"), edge("legal", "done"), edge("finance", "done")],
    );
    const r = await t.engine.execute({ document: d }, {});
    expect(r.approvals).toHaveLength(2);
    const first = await t.engine.decide(r.approvals[0]!.id, { decision: "approve", by: "a" });
    expect(first.status).toBe("waiting");
    const second = await t.engine.decide(r.approvals[1]!.id, { decision: "approve", by: "b" });
    expect(second.status).toBe("succeeded");
    expect(second.output).toBe("both");
  });

  it("an approval wait survives a restart", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute({ document: approvalFlow() }, input);
    const other = t.restart();
    const done = await other.decide(r.approvals[0]!.id, { decision: "approve", by: "u" });
    expect(done.status).toBe("succeeded");
  });

  it("cancelling a waiting run cancels its approval", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute({ document: approvalFlow() }, input);
    const c = await t.engine.cancel(r.runId, "ops");
    expect(c.status).toBe("cancelled");
    expect((await t.store.getApproval(r.approvals[0]!.id))!.status).toBe("cancelled");
    const err = await t.engine.decide(r.approvals[0]!.id, { decision: "approve", by: "u" }).catch((e) => e);
    expect(err).toBeInstanceOf(ApprovalNotPendingError);
    expect(err.message).toMatch(/cancelled/);
  });

  it("the reaper fails a waiting run past its deadline, with the reason", async () => {
    const t = createTestEngine();
    const d = { ...approvalFlow({ timeoutMs: null }), limits: { timeoutMs: 2 * HOUR } };
    const r = await t.engine.execute({ document: d }, input);
    expect(await t.engine.reap()).toEqual([]);
    t.clock.set(t.clock.now().getTime() + 3 * HOUR);
    const [reaped] = await t.engine.reap();
    expect(reaped!.status).toBe("failed");
    expect(reaped!.error).toMatchObject({ code: "run_timeout" });
    expect(reaped!.error!.message).toMatch(/still unfinished/);
    expect((await t.store.getApproval(r.approvals[0]!.id))!.status).toBe("cancelled");
  });
});
