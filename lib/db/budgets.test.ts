// The monthly budget ledger on SQLite and on the real PostgreSQL server: reservations against the
// workspace's and the workflow's budgets, the race two callers (two connections) run at once,
// crash re-runs that replace their own reservation, expiry, settling, and the month's start.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { budgetUse, createBudgetLedger, listBudgetRows, saveBudgetRow } from "./budgets";
import { openDb } from "./client";
import { type SeededVersion, seedRun, seedWorkflowVersion } from "./fixtures";
import { TEST_DATABASES } from "./testing";

const NOW = new Date("2026-12-07T10:00:00Z");
const LATER = new Date(NOW.getTime() + 600_000);

describe.each(TEST_DATABASES)("budget ledger on $name", ({ open }) => {
  let db: Awaited<ReturnType<typeof open>>;
  let ledger: ReturnType<typeof createBudgetLedger>;
  beforeAll(async () => {
    db = await open();
    ledger = createBudgetLedger(db);
  });
  afterAll(async () => {
    await ledger.release();
    await db.dispose();
  });

  let n = 0;
  const reserve = (v: SeededVersion, amountUsd: number, extra: { key?: string; now?: Date; ignore?: object } = {}) =>
    ledger.reserve({
      workspaceId: v.workspaceId,
      workflowId: v.workflowId,
      runId: "run1",
      key: extra.key ?? `run1:agent:1:1:${++n}`,
      amountUsd,
      now: extra.now ?? NOW,
      expiresAt: LATER,
      ignore: { workspace: false, workflow: false, ...extra.ignore },
    });
  const budget = (
    v: SeededVersion,
    monthlyUsd: number | null,
    workflow = false,
    onExceeded: "pause" | "fail" = "pause",
  ) =>
    saveBudgetRow(db, {
      workspaceId: v.workspaceId,
      workflowId: workflow ? v.workflowId : null,
      monthlyUsd,
      onExceeded,
      by: null,
      now: NOW,
    });

  it("without a budget nothing is reserved or written", async () => {
    const v = await seedWorkflowVersion(db);
    expect(await reserve(v, 5)).toEqual({ ok: true, reserved: false, month: "2026-12" });
    expect(await db.prisma.budgetReservation.count({ where: { workspaceId: v.workspaceId } })).toBe(0);
    expect(await db.prisma.budgetMonth.count({ where: { workspaceId: v.workspaceId } })).toBe(0);
  });

  it("knows without I/O that no budget covers a workspace once it has looked, until a budget is saved", async () => {
    const v = await seedWorkflowVersion(db);
    const uncovered = () => ledger.knownUncovered?.(v.workspaceId, v.workflowId);
    expect(uncovered()).toBe(false); // not looked yet
    await reserve(v, 1);
    expect(uncovered()).toBe(true);
    await budget(v, 10, true);
    expect(uncovered()).toBe(false);
    expect(await reserve(v, 1)).toMatchObject({ ok: true, reserved: true });
  });

  it("reserves up to the workspace budget, refuses past it, and settles to the actual cost", async () => {
    const v = await seedWorkflowVersion(db);
    await budget(v, 1, false, "fail");
    expect(await listBudgetRows(db, v.workspaceId)).toEqual([{ workflowId: null, monthlyUsd: 1, onExceeded: "fail" }]);
    const a = await reserve(v, 0.6, { key: "a" });
    expect(a).toEqual({ ok: true, reserved: true, month: "2026-12" });
    expect(await reserve(v, 0.6, { key: "b" })).toEqual({
      ok: false,
      scope: "workspace",
      limitUsd: 1,
      spentUsd: 0,
      reservedUsd: 0.6,
      onExceeded: "fail",
      month: "2026-12",
    });
    const [use] = await budgetUse(db, v.workspaceId, NOW);
    expect(use).toMatchObject({ workflowId: null, spentUsd: 0, reservedUsd: 0.6, month: "2026-12" });
    await ledger.settle({
      workspaceId: v.workspaceId,
      workflowId: v.workflowId,
      key: "a",
      month: "2026-12",
      actualUsd: 0.25,
    });
    expect((await reserve(v, 0.6, { key: "c" })).ok).toBe(true);
    const after = await budgetUse(db, v.workspaceId, NOW);
    expect(after[0]).toMatchObject({ spentUsd: 0.25, reservedUsd: 0.6 });
    // A call of zero cost (a model without a price) is never refused.
    expect((await reserve(v, 0, { key: "d" })).ok).toBe(true);
  });

  it("a workflow budget is checked on its own, and both scopes count the workflow's spend", async () => {
    const v = await seedWorkflowVersion(db);
    await budget(v, 10);
    await budget(v, 0.5, true);
    const refused = await reserve(v, 0.6);
    expect(refused).toMatchObject({ ok: false, scope: "workflow", limitUsd: 0.5, onExceeded: "pause" });
    // an admin let this run go past the workflow budget: the workspace budget still applies
    expect((await reserve(v, 0.6, { key: "w1", ignore: { workflow: true } })).ok).toBe(true);
    expect(await reserve(v, 9.6, { ignore: { workflow: true } })).toMatchObject({ ok: false, scope: "workspace" });
    await ledger.settle({
      workspaceId: v.workspaceId,
      workflowId: v.workflowId,
      key: "w1",
      month: "2026-12",
      actualUsd: 0.4,
    });
    const use = await budgetUse(db, v.workspaceId, NOW);
    expect(use.map((u) => [u.workflowId === null ? "workspace" : "workflow", u.spentUsd, u.reservedUsd])).toEqual([
      ["workspace", 0.4, 0],
      ["workflow", 0.4, 0],
    ]);
    expect(use[1]!.workflowName).toBe("Fixture");
  });

  it("a crash re-run of the same call replaces its reservation; an expired one stops counting", async () => {
    const v = await seedWorkflowVersion(db);
    await budget(v, 1);
    expect((await reserve(v, 0.7, { key: "k" })).ok).toBe(true);
    // the same key again (the call re-run after a crash): not 1.4
    expect((await reserve(v, 0.7, { key: "k" })).ok).toBe(true);
    expect(await db.prisma.budgetReservation.count({ where: { workspaceId: v.workspaceId } })).toBe(1);
    expect((await reserve(v, 0.7, { key: "other" })).ok).toBe(false);
    // past the first reservation's expiry (its process died), it no longer holds money
    const late = new Date(LATER.getTime() + 1);
    expect((await reserve(v, 0.7, { key: "other", now: late })).ok).toBe(true);
  });

  it("the month starts from what the month's runs already cost", async () => {
    const v = await seedWorkflowVersion(db);
    const run = await seedRun(db, { ...v, status: "succeeded" });
    await db.prisma.run.update({
      where: { id: run.id },
      data: { costUsd: 0.9, createdAt: new Date("2026-12-02T00:00:00Z") },
    });
    const old = await seedRun(db, { ...v, status: "succeeded" });
    await db.prisma.run.update({
      where: { id: old.id },
      data: { costUsd: 5, createdAt: new Date("2026-11-30T23:00:00Z") },
    });
    await budget(v, 1);
    expect((await budgetUse(db, v.workspaceId, NOW))[0]).toMatchObject({ spentUsd: 0.9 });
    expect(await reserve(v, 0.2)).toMatchObject({ ok: false, spentUsd: 0.9 });
    expect((await reserve(v, 0.05)).ok).toBe(true);
    // a new month starts from zero
    expect((await reserve(v, 0.5, { now: new Date("2027-01-01T00:00:00Z") })).ok).toBe(true);
  });

  it("parallel callers on two connections cannot overspend together: budget for one", async () => {
    const v = await seedWorkflowVersion(db);
    await budget(v, 1, true);
    // a second client on the same database, as a second process would have
    const other = await openDb(db.target);
    const otherLedger = createBudgetLedger(other);
    try {
      const input = (key: string) => ({
        workspaceId: v.workspaceId,
        workflowId: v.workflowId,
        runId: "run2",
        key,
        amountUsd: 0.6,
        now: NOW,
        expiresAt: LATER,
        ignore: { workspace: false, workflow: false },
      });
      for (let round = 0; round < 5; round++) {
        const results = await Promise.all([
          ledger.reserve(input(`r${round}:a`)),
          otherLedger.reserve(input(`r${round}:b`)),
          ledger.reserve(input(`r${round}:c`)),
        ]);
        expect(results.filter((r) => r.ok)).toHaveLength(1);
        for (const k of ["a", "b", "c"])
          await ledger.settle({
            workspaceId: v.workspaceId,
            workflowId: v.workflowId,
            key: `r${round}:${k}`,
            month: "2026-12",
            actualUsd: 0,
          });
      }
    } finally {
      await otherLedger.release();
      await other.close();
    }
  });

  it("removing a budget stops reservations; an unknown workflow is refused", async () => {
    const v = await seedWorkflowVersion(db);
    await budget(v, 0.1);
    expect((await reserve(v, 1)).ok).toBe(false);
    await budget(v, null);
    expect(await reserve(v, 1)).toMatchObject({ ok: true, reserved: false });
    await expect(
      saveBudgetRow(db, {
        workspaceId: v.workspaceId,
        workflowId: "nope",
        monthlyUsd: 1,
        onExceeded: "pause",
        by: null,
      }),
    ).rejects.toMatchObject({ code: "not_found:workflow" });
  });
});
