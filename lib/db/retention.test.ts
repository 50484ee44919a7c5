import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "./client";
import { getDashboard, getStepDashboard } from "./dashboard";
import { type HistoryFixture, insertHistoryFixture } from "./history-fixture";
import { pruneAllWorkspaces, pruneWorkspaceRuns, retentionDaysOf } from "./retention";
import { TEST_DATABASES } from "./testing";

type TestDb = Db & { dispose(): Promise<void> };
const FINISHED = ["succeeded", "failed", "cancelled"];

describe.each(TEST_DATABASES)("retention on $name", ({ open }) => {
  let db: TestDb;
  let fx: HistoryFixture;
  beforeAll(async () => {
    db = await open();
    fx = await insertHistoryFixture(db, { count: 200, seed: 11 });
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it("prunes finished runs past the cut-off and keeps the dashboard totals", async () => {
    const range = { from: fx.start, to: fx.end };
    const before = await getDashboard(db, fx.workspaceId, range);
    // Whole UTC days: the step charts of pruned runs come from StepDailyUsage.
    const DAY = 86400000;
    const days = {
      from: new Date(Math.floor(fx.start.getTime() / DAY) * DAY),
      to: new Date(Math.ceil(fx.end.getTime() / DAY) * DAY),
    };
    const stepsBefore = await getStepDashboard(db, fx.workspaceId, days);
    expect(stepsBefore.failingNodes.length).toBeGreaterThan(0);
    const now = new Date(fx.start.getTime() + 5 * 86400000 + 3 * 3600000);
    const cutoff = new Date(now.getTime() - 2 * 86400000);
    const doomed = fx.runs.filter((r) => r.createdAt < cutoff && FINISHED.includes(r.status));
    const kept = fx.runs.filter((r) => !doomed.includes(r));
    expect(doomed.length).toBeGreaterThan(10);
    expect(kept.some((r) => r.createdAt < cutoff)).toBe(true); // old runs still going are kept

    const result = await pruneWorkspaceRuns(db, fx.workspaceId, 2, now, 7);
    expect(result.runsDeleted).toBe(doomed.length);
    expect(result.batches).toBeGreaterThan(1);
    const left = await db.prisma.run.findMany({ where: { workspaceId: fx.workspaceId }, select: { id: true } });
    expect(left.map((r) => r.id).sort()).toEqual(kept.map((r) => r.id).sort());
    expect(await db.prisma.step.count({ where: { runId: { in: doomed.map((r) => r.id) } } })).toBe(0);

    const after = await getDashboard(db, fx.workspaceId, range);
    expect(after.summary.runs).toBe(before.summary.runs);
    expect(after.summary.succeeded).toBe(before.summary.succeeded);
    expect(after.summary.prunedRuns).toBe(doomed.length);
    expect(after.summary.costUsd).toBeCloseTo(before.summary.costUsd, 9);
    expect(after.summary.inputTokens).toBe(before.summary.inputTokens);
    expect(after.usageOverTime.map((b) => [b.bucket, b.runs])).toEqual(
      before.usageOverTime.map((b) => [b.bucket, b.runs]),
    );
    expect(after.statusOverTime).toEqual(before.statusOverTime);
    expect(after.byWorkflow.map((g) => [g.key, g.runs])).toEqual(before.byWorkflow.map((g) => [g.key, g.runs]));

    const stepsAfter = await getStepDashboard(db, fx.workspaceId, days);
    const shape = (x: typeof stepsBefore) => ({
      failing: x.failingNodes,
      models: x.byModel.map((g) => [g.key, g.steps, g.inputTokens, g.outputTokens]),
      nodes: x.byAgentNode.map((g) => [g.key, g.steps, g.inputTokens]),
    });
    expect(shape(stepsAfter)).toEqual(shape(stepsBefore));

    // Pruning again changes nothing and counts nothing twice.
    const again = await pruneWorkspaceRuns(db, fx.workspaceId, 2, now);
    expect(again.runsDeleted).toBe(0);
    expect((await getDashboard(db, fx.workspaceId, range)).summary.runs).toBe(before.summary.runs);
    // The other workspace was not touched.
    expect(await db.prisma.run.count({ where: { workspaceId: fx.otherWorkspaceId } })).toBe(1);
  });

  it("reads the workspace setting; no setting keeps everything", async () => {
    expect(retentionDaysOf({ retentionDays: 30, budgets: {} })).toBe(30);
    expect(retentionDaysOf(null)).toBeNull();
    expect(retentionDaysOf({ retentionDays: -1 })).toBeNull();
    const before = await db.prisma.run.count();
    const results = await pruneAllWorkspaces(db, new Date("2030-01-01T00:00:00Z"));
    expect(results).toEqual([]);
    expect(await db.prisma.run.count()).toBe(before);
    await db.prisma.workspace.update({ where: { id: fx.otherWorkspaceId }, data: { settings: { retentionDays: 1 } } });
    const pruned = await pruneAllWorkspaces(db, new Date("2030-01-01T00:00:00Z"));
    expect(pruned.map((p) => [p.workspaceId, p.runsDeleted])).toEqual([[fx.otherWorkspaceId, 1]]);
  });
});
