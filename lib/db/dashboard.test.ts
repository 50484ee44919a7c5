import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "./client";
import { getDashboard } from "./dashboard";
import { type HistoryFixture, insertHistoryFixture, percentileCont } from "./history-fixture";
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
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it("matches figures computed independently from the inserted rows (day buckets)", async () => {
    const from = new Date(fx.start.getTime() + 86400000);
    const to = new Date(fx.end.getTime() - 86400000);
    const now = new Date(fx.end.getTime() + 3600000);
    const d = await getDashboard(db, fx.workspaceId, { from, to }, now);
    const runs = fx.runs.filter((r) => r.createdAt >= from && r.createdAt < to);
    // Step figures cover the steps of the runs created in the range.
    const inRange = new Set(runs.map((r) => r.id));
    const steps = fx.steps.filter((s) => inRange.has(s.runId));
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
    expect(d.byAgentNode.length).toBe(agentCost.size);
    for (const g of d.byAgentNode) expect(g.costUsd).toBeCloseTo(agentCost.get(g.key)!, 9);

    const failures = sumBy(
      steps.filter((s) => s.status === "failed"),
      (s) => `${wfOf.get(s.runId)}:${s.nodeId}`,
      () => 1,
    );
    const top = [...failures.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
    expect(d.failingNodes.map((n) => n.failures)).toEqual(top.map(([, n]) => n));
    for (const n of d.failingNodes) expect(failures.get(`${n.workflowId}:${n.nodeId}`)).toBe(n.failures);

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

  it("adds DailyUsage aggregates of pruned runs to the totals", async () => {
    const from = new Date(fx.start.getTime() - 5 * 86400000);
    const to = fx.end;
    const before = await getDashboard(db, fx.workspaceId, { from, to });
    const day = new Date(fx.start.getTime() - 3 * 86400000).toISOString().slice(0, 10);
    await db.prisma.dailyUsage.create({
      data: {
        workspaceId: fx.workspaceId,
        day,
        workflowId: fx.workflows[0]!.id,
        status: "succeeded",
        runs: 40,
        inputTokens: 1000,
        outputTokens: 500,
        costUsd: 2.5,
        durationMs: 40000,
      },
    });
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
