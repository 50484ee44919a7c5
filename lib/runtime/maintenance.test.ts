// The runner's maintenance: the dashboard rollup every tick, retention pruning about daily (the
// first time a delay after start), driven by an injected clock.
import { afterAll, describe, expect, it } from "vitest";
import type { Db } from "../db/client";
import { seedWorkspaceRow, seedWorkspaceSettings } from "../db/fixtures";
import { insertHistoryFixture } from "../db/history-fixture";
import type { PruneResult } from "../db/retention";
import { openTestSqlite } from "../db/testing";
import type { Runtime } from "./engine";
import { intervalSchedule, startRunner } from "./runner";

const MIN = 60_000;
const HOUR = 60 * MIN;

describe("intervalSchedule", () => {
  it("is due first after the delay, then every interval after the last run", () => {
    const s = intervalSchedule(1_000, 5 * MIN, 24 * HOUR);
    expect(s.due(1_000)).toBe(false);
    expect(s.due(1_000 + 5 * MIN - 1)).toBe(false);
    expect(s.due(1_000 + 5 * MIN)).toBe(true);
    s.ran(1_000 + 5 * MIN + 300);
    expect(s.due(1_000 + 5 * MIN + 301)).toBe(false);
    expect(s.due(1_000 + 5 * MIN + 300 + 24 * HOUR - 1)).toBe(false);
    expect(s.due(1_000 + 5 * MIN + 300 + 24 * HOUR)).toBe(true);
    expect(s.nextAt).toBe(1_000 + 5 * MIN + 300 + 24 * HOUR);
  });
});

describe("runner maintenance", () => {
  const fakeRuntime = { db: {} as Db, engine: {}, store: {} } as unknown as Runtime;

  it("rolls up on every tick and prunes once a day, the first time after the start-up delay", async () => {
    let t = Date.parse("2026-11-25T00:00:00Z");
    const prunedAt: string[] = [];
    let rollups = 0;
    const runner = startRunner(fakeRuntime, {
      recoverOnStart: false,
      sweepIntervalMs: 0,
      recoverIntervalMs: 0,
      maintenanceIntervalMs: 0,
      now: () => new Date(t),
      rollUp: async () => ({ runs: ++rollups, batches: 1 }),
      prune: async (_db, at) => {
        prunedAt.push(at.toISOString());
        return [] as PruneResult[];
      },
    });
    const r1 = await runner.maintain();
    expect(r1).toEqual({ rolledUp: 1, pruned: null });
    t += 4 * MIN;
    expect((await runner.maintain()).pruned).toBeNull();
    t += MIN; // 5 min after start
    expect((await runner.maintain()).pruned).toEqual([]);
    expect(prunedAt).toEqual(["2026-11-25T00:05:00.000Z"]);
    t += 23 * HOUR;
    await runner.maintain();
    expect(prunedAt).toHaveLength(1);
    t += HOUR;
    await runner.maintain();
    expect(prunedAt).toEqual(["2026-11-25T00:05:00.000Z", "2026-11-26T00:05:00.000Z"]);
    expect(rollups).toBe(5);
    await runner.stop();
  });

  it("a failing prune is logged, does not stop the rollup, and waits for the next interval", async () => {
    let t = 0;
    const lines: string[] = [];
    let prunes = 0;
    const runner = startRunner(fakeRuntime, {
      recoverOnStart: false,
      sweepIntervalMs: 0,
      recoverIntervalMs: 0,
      maintenanceIntervalMs: 0,
      retentionFirstDelayMs: 0,
      now: () => new Date(t),
      rollUp: async () => ({ runs: 0, batches: 0 }),
      prune: async () => {
        prunes++;
        throw new Error("database is locked");
      },
      log: (l) => lines.push(l),
    });
    expect((await runner.maintain()).pruned).toEqual([]);
    expect(lines.some((l) => l.includes("retention failed: database is locked"))).toBe(true);
    t += HOUR;
    await runner.maintain();
    expect(prunes).toBe(1);
    await runner.stop();
  });

  describe("on a real database", () => {
    let db: Awaited<ReturnType<typeof openTestSqlite>>;
    afterAll(async () => {
      await db?.dispose();
    });

    it("rolls ended runs up and prunes a workspace with a retention setting", async () => {
      db = await openTestSqlite();
      const fx = await insertHistoryFixture(db, { count: 60, seed: 5 });
      await seedWorkspaceSettings(db, fx.workspaceId, { retentionDays: 2 });
      const finished = fx.runs.filter((r) => ["succeeded", "failed", "cancelled"].includes(r.status));
      const now = new Date(fx.end.getTime() + HOUR);
      const old = finished.filter((r) => r.createdAt.getTime() < now.getTime() - 2 * 24 * HOUR);
      expect(old.length).toBeGreaterThan(0);
      const runtime = { db, engine: {}, store: {} } as unknown as Runtime;
      const runner = startRunner(runtime, {
        recoverOnStart: false,
        sweepIntervalMs: 0,
        recoverIntervalMs: 0,
        maintenanceIntervalMs: 0,
        retentionFirstDelayMs: 0,
        now: () => now,
      });
      const r = await runner.maintain();
      // finished runs of both workspaces (the fixture's other workspace has one succeeded run)
      expect(r.rolledUp).toBe(finished.length + 1);
      const mine = r.pruned?.find((p) => p.workspaceId === fx.workspaceId);
      expect(mine?.runsDeleted).toBe(old.length);
      expect(await db.prisma.run.count({ where: { id: { in: old.map((x) => x.id) } } })).toBe(0);
      expect(await db.prisma.stepDailyUsage.count({ where: { workspaceId: fx.workspaceId } })).toBeGreaterThan(0);
      await runner.stop();
    });

    it("deletes Idempotency-Key rows older than 24 h every hour and keeps fresh ones", async () => {
      const kdb = await openTestSqlite();
      try {
        const ws = await seedWorkspaceRow(kdb, "Keys");
        let t = Date.parse("2026-12-07T12:00:00Z");
        const row = (key: string, ageMs: number) =>
          kdb.prisma.idempotencyKey.create({
            data: { workspaceId: ws.id, key, requestHash: "h", runId: "", createdAt: new Date(t - ageMs) },
          });
        await row("old", 25 * HOUR);
        await row("fresh", 23 * HOUR);
        const runtime = { db: kdb, engine: {}, store: {} } as unknown as Runtime;
        const runner = startRunner(runtime, {
          recoverOnStart: false,
          sweepIntervalMs: 0,
          recoverIntervalMs: 0,
          maintenanceIntervalMs: 0,
          now: () => new Date(t),
          rollUp: async () => ({ runs: 0, batches: 0 }),
          prune: async () => [],
        });
        const keys = async () =>
          (await kdb.prisma.idempotencyKey.findMany({ select: { key: true }, orderBy: { key: "asc" } })).map(
            (k) => k.key,
          );
        // not in the first minute after start
        expect((await runner.maintain()).idempotencyKeysPruned).toBeUndefined();
        expect(await keys()).toEqual(["fresh", "old"]);
        t += MIN;
        expect((await runner.maintain()).idempotencyKeysPruned).toBe(1);
        expect(await keys()).toEqual(["fresh"]);
        // an hour later "fresh" is past 24 h too
        t += 30 * MIN;
        expect((await runner.maintain()).idempotencyKeysPruned).toBeUndefined();
        t += 30 * MIN;
        expect((await runner.maintain()).idempotencyKeysPruned).toBe(1);
        expect(await keys()).toEqual([]);
        await runner.stop();
      } finally {
        await kdb.dispose();
      }
    });
  });
});
