import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "./client";
import { getDashboard } from "./dashboard";
import { type FixtureStep, type HistoryFixture, insertHistoryFixture, percentileCont } from "./history-fixture";
import { rollUpFinishedRuns } from "./rollup";
import { TEST_DATABASES } from "./testing";

type TestDb = Db & { dispose(): Promise<void> };

function sumBy<T>(rows: T[], key: (r: T) => string, val: (r: T) => number): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + val(r));
  return m;
}

describe.each(TEST_DATABASES)("dashboard aggregations on $name", ({ open }) => {
  let db: TestDb;
  let fx: HistoryFixture;
  beforeAll(async () => {
    db = await open();
    fx = await insertHistoryFixture(db, { count: 300, seed: 7 });
    // One rollup pass of 100 runs: the step figures below then come partly from StepDailyUsage,
    // partly from the live steps of the runs not rolled up yet (and of unfinished runs).
    const pass = await rollUpFinishedRuns(db, { batchSize: 100, maxBatches: 1 });
    expect(pass.runs).toBe(100);
  });

  /** Step charts against figures computed from the fixture's steps of the runs in [from, to). */
  function expectStepFigures(d: Awaited<ReturnType<typeof getDashboard>>, from: Date, to: Date) {
    const inRange = new Set(fx.runs.filter((r) => r.createdAt >= from && r.createdAt < to).map((r) => r.id));
    const steps: FixtureStep[] = fx.steps.filter((s) => inRange.has(s.runId));
    const modelTokens = sumBy(
      steps.filter((s) => s.model),
      (s) => s.model!,
      (s) => s.inputTokens,
    );
    expect(new Map(d.byModel.map((g) => [g.key, g.inputTokens]))).toEqual(modelTokens);
    const wfOf = new Map(fx.runs.map((r) => [r.id, r.workflowId]));
    const agentCost = sumBy(
      steps.filter((s) => s.nodeType === "agent"),
      (s) => `${wfOf.get(s.runId)}:${s.nodeId}`,
      (s) => s.costUsd,
    );
    const agentSteps = sumBy(
      steps.filter((s) => s.nodeType === "agent"),
      (s) => `${wfOf.get(s.runId)}:${s.nodeId}`,
      () => 1,
    );
    expect(d.byAgentNode.length).toBe(Math.min(20, agentCost.size));
    for (const g of d.byAgentNode) {
      expect(g.costUsd).toBeCloseTo(agentCost.get(g.key)!, 9);
      expect(g.steps).toBe(agentSteps.get(g.key));
    }
    const failures = sumBy(
      steps.filter((s) => s.status === "failed"),
      (s) => `${wfOf.get(s.runId)}:${s.nodeId}`,
      () => 1,
    );
    const top = [...failures.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
    expect(d.failingNodes.map((n) => n.failures)).toEqual(top.map(([, n]) => n));
    for (const n of d.failingNodes) expect(failures.get(`${n.workflowId}:${n.nodeId}`)).toBe(n.failures);
    return failures;
  }
  afterAll(async () => {
    await db?.dispose();
  });

  it("matches figures computed independently from the inserted rows (day buckets)", async () => {
    const from = new Date(fx.start.getTime() + 86400000);
    const to = new Date(fx.end.getTime() - 86400000);
    const now = new Date(fx.end.getTime() + 3600000);
    const d = await getDashboard(db, fx.workspaceId, { from, to }, now);
    const runs = fx.runs.filter((r) => r.createdAt >= from && r.createdAt < to);
    const count = (st: string) => runs.filter((r) => r.status === st).length;
    const finished = count("succeeded") + count("failed") + count("cancelled");
    expect(d.range.bucket).toBe("day");
    expect(d.summary.runs).toBe(runs.length);
    expect(d.summary.succeeded).toBe(count("succeeded"));
    expect(d.summary.failed).toBe(count("failed"));
    expect(d.summary.successRate).toBeCloseTo(count("succeeded") / finished, 10);
    const durations = runs
      .map((r) => r.durationMs)
      .filter((x): x is number => x !== null)
      .sort((a, b) => a - b);
    expect(d.summary.p50DurationMs).toBeCloseTo(percentileCont(durations, 0.5)!, 6);
    expect(d.summary.p95DurationMs).toBeCloseTo(percentileCont(durations, 0.95)!, 6);
    expect(d.summary.inputTokens).toBe(runs.reduce((a, r) => a + r.inputTokens, 0));
    expect(d.summary.costUsd).toBeCloseTo(
      runs.reduce((a, r) => a + r.costUsd, 0),
      9,
    );

    const byStatus = sumBy(
      runs,
      (r) => `${r.createdAt.toISOString().slice(0, 10)}|${r.status}`,
      () => 1,
    );
    expect(new Map(d.statusOverTime.map((b) => [`${b.bucket}|${b.status}`, b.runs]))).toEqual(byStatus);

    const costByDay = sumBy(
      runs,
      (r) => r.createdAt.toISOString().slice(0, 10),
      (r) => r.costUsd,
    );
    expect(d.usageOverTime.map((b) => b.bucket)).toEqual([...costByDay.keys()].sort());
    for (const b of d.usageOverTime) expect(b.costUsd).toBeCloseTo(costByDay.get(b.bucket)!, 9);

    const wfRuns = sumBy(
      runs,
      (r) => r.workflowId,
      () => 1,
    );
    expect(new Map(d.byWorkflow.map((g) => [g.key, g.runs]))).toEqual(wfRuns);
    expect(d.byWorkflow.find((g) => g.key === fx.workflows[0]!.id)?.label).toBe(fx.workflows[0]!.name);

    const userRuns = sumBy(
      runs,
      (r) => r.startedById ?? "",
      () => 1,
    );
    expect(new Map(d.byUser.map((g) => [g.key, g.runs]))).toEqual(userRuns);

    expectStepFigures(d, from, to);

    const pending = fx.approvals.filter((a) => a.status === "pending");
    expect(d.approvals.waiting).toBe(pending.length);
    expect(d.approvals.oldestWaitingMs).toBeCloseTo(
      Math.max(...pending.map((a) => now.getTime() - a.createdAt.getTime())),
      -1,
    );
    const decided = fx.approvals.filter((a) => a.decidedAt && a.createdAt >= from && a.createdAt < to);
    expect(d.approvals.decided).toBe(decided.length);
    const meanWait = decided.reduce((a, x) => a + (x.decidedAt!.getTime() - x.createdAt.getTime()), 0) / decided.length;
    expect(d.approvals.meanWaitMs).toBeCloseTo(meanWait, -1);
  });

  it("counts a run that ended after the last rollup pass exactly once, before and after the next pass", async () => {
    // Whole days in the middle (from the rollup) and partial first/last days (live).
    const from = new Date(fx.start.getTime() + 86400000 + 3 * 3600000);
    const to = new Date(fx.end.getTime() - 86400000 - 5 * 3600000);
    const run = fx.runs.find(
      (r) => r.status === "waiting" && r.createdAt >= new Date(from.getTime() + 86400000) && r.createdAt < to,
    );
    expect(run).toBeDefined();
    const step = fx.steps.find((s) => s.runId === run!.id && s.status === "waiting")!;
    // The run fails now, after the rollup pass of beforeAll.
    const endedAt = new Date(run!.createdAt.getTime() + 1000);
    await db.prisma.step.update({
      where: { id: step.id },
      data: { status: "failed", endedAt, error: { message: "boom" } },
    });
    await db.prisma.run.update({ where: { id: run!.id }, data: { status: "failed", endedAt, durationMs: 1000 } });
    Object.assign(step, { status: "failed", endedAt });
    Object.assign(run!, { status: "failed", endedAt, durationMs: 1000 });

    const before = await getDashboard(db, fx.workspaceId, { from, to });
    const failures = expectStepFigures(before, from, to);
    expect(failures.get(`${run!.workflowId}:${step.nodeId}`)).toBeGreaterThan(0);
    const pending = await db.prisma.run.count({
      where: { rolledUpAt: null, status: { in: ["succeeded", "failed", "cancelled"] } },
    });
    expect(pending).toBeGreaterThan(0);

    // The next passes roll up everything that ended (this run included); figures do not change.
    const pass = await rollUpFinishedRuns(db, { batchSize: 64 });
    expect(pass.runs).toBe(pending);
    expect(await db.prisma.run.findUnique({ where: { id: run!.id }, select: { rolledUpAt: true } })).not.toEqual({
      rolledUpAt: null,
    });
    expect((await rollUpFinishedRuns(db)).runs).toBe(0);
    const after = await getDashboard(db, fx.workspaceId, { from, to });
    expectStepFigures(after, from, to);
    // Run-level figures too: from RunDailyUsage now, from the live rows before; same numbers.
    const runsIn = fx.runs.filter((r) => r.createdAt >= from && r.createdAt < to);
    const userRuns = sumBy(
      runsIn,
      (r) => r.startedById ?? "",
      () => 1,
    );
    for (const d of [before, after]) {
      expect(d.summary.runs).toBe(runsIn.length);
      expect(d.summary.failed).toBe(runsIn.filter((r) => r.status === "failed").length);
      expect(d.summary.inputTokens).toBe(runsIn.reduce((a, r) => a + r.inputTokens, 0));
      expect(d.summary.costUsd).toBeCloseTo(
        runsIn.reduce((a, r) => a + r.costUsd, 0),
        9,
      );
      expect(new Map(d.byUser.map((g) => [g.key, g.runs]))).toEqual(userRuns);
      expect(d.summary.prunedRuns).toBe(0);
    }
    expect(after.statusOverTime).toEqual(before.statusOverTime);
    expect(after.failingNodes).toEqual(before.failingNodes);
    expect(after.byModel.map((g) => [g.key, g.steps, g.inputTokens, g.outputTokens])).toEqual(
      before.byModel.map((g) => [g.key, g.steps, g.inputTokens, g.outputTokens]),
    );
    // The rollup holds the finished runs' steps: its failed-step total equals the fixture's.
    const rolled = await db.prisma.stepDailyUsage.aggregate({
      where: { workspaceId: fx.workspaceId, status: "failed" },
      _sum: { steps: true },
    });
    const finished = new Set(
      fx.runs.filter((r) => ["succeeded", "failed", "cancelled"].includes(r.status)).map((r) => r.id),
    );
    expect(rolled._sum.steps).toBe(fx.steps.filter((s) => s.status === "failed" && finished.has(s.runId)).length);
  });

  it("buckets by hour for short ranges", async () => {
    const from = new Date(fx.start.getTime() + 3 * 86400000);
    const to = new Date(from.getTime() + 86400000);
    const d = await getDashboard(db, fx.workspaceId, { from, to });
    expect(d.range.bucket).toBe("hour");
    const runs = fx.runs.filter((r) => r.createdAt >= from && r.createdAt < to);
    const want = sumBy(
      runs,
      (r) => r.createdAt.toISOString().slice(0, 13),
      () => 1,
    );
    expect(new Map(d.usageOverTime.map((b) => [b.bucket, b.runs]))).toEqual(want);
  });

  it("adds the aggregates of pruned runs to the totals (RunDailyUsage for whole days, DailyUsage counts them)", async () => {
    const from = new Date(fx.start.getTime() - 5 * 86400000);
    const to = fx.end;
    const before = await getDashboard(db, fx.workspaceId, { from, to });
    const day = new Date(fx.start.getTime() - 3 * 86400000).toISOString().slice(0, 10);
    // What retention leaves behind for 40 pruned runs of one day: their rollup (written before
    // pruning) and their DailyUsage row.
    const usage = { runs: 40, inputTokens: 1000, outputTokens: 500, costUsd: 2.5, durationMs: 40000 };
    const key = { workspaceId: fx.workspaceId, day, workflowId: fx.workflows[0]!.id, status: "succeeded" };
    await db.prisma.dailyUsage.create({ data: { ...key, ...usage } });
    await db.prisma.runDailyUsage.create({ data: { ...key, startedById: "", ...usage, durationCount: 40 } });
    const after = await getDashboard(db, fx.workspaceId, { from, to });
    expect(after.summary.runs).toBe(before.summary.runs + 40);
    expect(after.summary.succeeded).toBe(before.summary.succeeded + 40);
    expect(after.summary.prunedRuns).toBe(40);
    expect(after.summary.costUsd).toBeCloseTo(before.summary.costUsd + 2.5, 9);
    expect(after.usageOverTime.find((b) => b.bucket === day)?.runs).toBe(40);
    expect(after.statusOverTime.find((b) => b.bucket === day && b.status === "succeeded")?.runs).toBe(40);
    const wf = (x: typeof before) => x.byWorkflow.find((g) => g.key === fx.workflows[0]!.id)!.runs;
    expect(wf(after)).toBe(wf(before) + 40);
    // p50/p95 cover stored runs only (DailyUsage keeps sums, not distributions).
    expect(after.summary.p95DurationMs).toBe(before.summary.p95DurationMs);
  });

  it("counts nothing from another workspace", async () => {
    const d = await getDashboard(db, fx.otherWorkspaceId, { from: fx.start, to: fx.end });
    expect(d.summary.runs).toBe(1);
    expect(d.summary.costUsd).toBe(99);
  });
});
