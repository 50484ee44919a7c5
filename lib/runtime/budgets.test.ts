// Monthly budgets through the whole runtime on SQLite and PostgreSQL: two agents on parallel
// branches while the workflow's budget has room for one call. The ledger lets exactly one call
// through; the other is refused before it is made, then the run fails or waits on a budget
// escalation (by the budget's setting), and an admin's approval lets the run finish.
import { afterEach, describe, expect, it } from "vitest";
import { saveBudgetRow } from "../db/budgets";
import { seedWorkflowVersion } from "../db/fixtures";
import { TEST_DATABASES } from "../db/testing";
import { edge, node, trigger, workflow } from "../engine/testing/builders";
import { createRuntime } from "./engine";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

// The simulated model's nominal price is $1 / $2 per million tokens: a call reserves about
// 1,000 output tokens × $2/M = $0.002 (+ its short prompt); it costs 100 + 200 tokens = $0.0005.
const agent = (id: string) =>
  node(id, "agent", {
    model: "simulated",
    prompt: `branch ${id}`,
    maxOutputTokens: 1000,
    simulate: { output: `answer ${id}`, latencyMs: 30, usage: { inputTokens: 100, outputTokens: 200 } },
  });
const TWO_BRANCHES = workflow(
  [trigger(), agent("left"), agent("right"), node("done", "end", { output: "{{ nodes.left.output }}" })],
  [edge("start", "left"), edge("start", "right"), edge("left", "done"), edge("right", "done")],
  { name: "Two branches" },
);

describe.each(TEST_DATABASES)("monthly budgets in the runtime on $name", ({ open }) => {
  async function setup(onExceeded: "pause" | "fail") {
    const db = await open();
    cleanups.push(() => db.dispose());
    const rt = createRuntime(db, { role: "test" });
    cleanups.push(() => rt.close());
    const ids = await seedWorkflowVersion(db, TWO_BRANCHES);
    // room for one call's reservation ($0.0021), not for two
    await saveBudgetRow(db, {
      workspaceId: ids.workspaceId,
      workflowId: ids.workflowId,
      monthlyUsd: 0.003,
      onExceeded,
      by: null,
    });
    return { db, rt, source: { document: TWO_BRANCHES, ...ids }, ids };
  }

  it("fail: one branch's call goes through, the other is refused before it is made and the run fails", async () => {
    const { db, rt, source, ids } = await setup("fail");
    const r = await rt.engine.execute(source, {});
    expect(r.status).toBe("failed");
    expect(r.error).toMatchObject({
      code: "budget_exceeded",
      details: { limitKind: "workflowUsd", limit: 0.003, onExceeded: "fail" },
    });
    const steps = r.steps.filter((s) => s.nodeId === "left" || s.nodeId === "right");
    const refused = steps.filter((s) => s.error?.code === "budget_exceeded");
    expect(refused).toHaveLength(1);
    // the refused step spent nothing; the other's call was made (and settled) or, still in flight
    // when the run failed, cancelled (settled at 0)
    expect(refused[0]!.usage.costUsd).toBe(0);
    const other = steps.find((s) => s !== refused[0])!;
    expect(["succeeded", "cancelled"]).toContain(other.status);
    const month = await db.prisma.budgetMonth.findMany({ where: { workspaceId: ids.workspaceId } });
    const spent = Object.fromEntries(month.map((m) => [m.workflowId === "" ? "workspace" : "workflow", m.spentUsd]));
    const expected = other.status === "succeeded" ? 0.0005 : 0;
    expect(spent.workflow).toBeCloseTo(expected, 9);
    expect(spent.workspace).toBeCloseTo(expected, 9);
    expect(await db.prisma.budgetReservation.count({ where: { workspaceId: ids.workspaceId } })).toBe(0);
  });

  it("pause: the run waits on one budget escalation; approving lets the refused branch run again", async () => {
    const { db, rt, source, ids } = await setup("pause");
    const r = await rt.engine.execute(source, {});
    expect(r.status).toBe("waiting");
    const budgetApprovals = r.approvals.filter((a) => a.kind === "budget");
    expect(budgetApprovals).toHaveLength(1);
    const stored = await db.prisma.approval.findUniqueOrThrow({ where: { id: budgetApprovals[0]!.id } });
    expect(stored).toMatchObject({ title: "Workflow budget reached", status: "pending" });
    expect(stored.payload).toMatchObject({ limitKind: "workflowUsd", limit: 0.003 });
    const succeeded = r.steps.filter((s) => s.status === "succeeded" && (s.nodeId === "left" || s.nodeId === "right"));
    expect(succeeded).toHaveLength(1);

    const done = await rt.engine.decide(budgetApprovals[0]!.id, { decision: "approve", by: "admin" });
    expect(done.status).toBe("succeeded");
    const agents = done.steps.filter((s) => s.status === "succeeded" && (s.nodeId === "left" || s.nodeId === "right"));
    expect(agents.map((s) => s.nodeId).sort()).toEqual(["left", "right"]);
    // the refused attempt is on record; the re-run is its next attempt and not counted as a retry
    const refused = done.steps.find((s) => s.error?.code === "budget_exceeded")!;
    expect(done.steps.find((s) => s.nodeId === refused.nodeId && s.status === "succeeded")!.attempt).toBe(
      refused.attempt + 1,
    );
    // both calls were made and counted: the approval let this run go past the budget
    const month = await db.prisma.budgetMonth.findFirstOrThrow({
      where: { workspaceId: ids.workspaceId, workflowId: ids.workflowId },
    });
    expect(month.spentUsd).toBeCloseTo(0.001, 9);
  });
});
