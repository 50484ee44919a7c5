// Settings → Budgets: the monthly budget action through authedAction with a test session (admins
// only, zod-validated with the field named, audited, the workflow checked to be the workspace's),
// and what the dashboard reads back, on both databases.
import { beforeAll, describe, expect, it } from "vitest";

process.env.SWITCHBOARD_NOTIFICATIONS = "0";

import { setBudgetAction } from "@/app/(app)/settings/budget-actions";
import type { Fixture } from "@/lib/db/fixtures";
import { TEST_DATABASES } from "@/lib/db/testing";
import { serverHarness, type TestDb } from "@/lib/server/testing";
import { listBudgets } from "@/lib/use-cases/budgets";

describe.each(TEST_DATABASES)("budget settings on $name", ({ open }) => {
  const server = serverHarness(open);
  const { as } = server;
  let db: TestDb;
  let fx: Fixture;
  beforeAll(() => {
    ({ db, fx } = server);
  });
  const budgets = () => db.prisma.budget.findMany({ where: { workspaceId: fx.workspaceId } });

  it("refuses non-admins and saves nothing", async () => {
    for (const role of ["editor", "approver", "viewer"] as const) {
      as(role);
      const r = await setBudgetAction({ monthlyUsd: 10, onExceeded: "pause" });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe("forbidden:settings");
    }
    expect(await budgets()).toEqual([]);
  });

  it("names the field of a bad amount and saves nothing", async () => {
    as("admin");
    const r = await setBudgetAction({ monthlyUsd: -1, onExceeded: "pause" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.fieldErrors?.map((f) => f.path)).toEqual(["monthlyUsd"]);
    const bad = await setBudgetAction({ monthlyUsd: 5, onExceeded: "explode" } as never);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.fieldErrors?.map((f) => f.path)).toEqual(["onExceeded"]);
    expect(await budgets()).toEqual([]);
  });

  it("sets the workspace's and a workflow's budget, audited; the dashboard lists their use; null removes", async () => {
    as("admin");
    const ws = await setBudgetAction({ monthlyUsd: 100, onExceeded: "fail" });
    expect(ws).toEqual({ ok: true, data: { workflowId: null, monthlyUsd: 100 } });
    const wf = await setBudgetAction({ workflowId: fx.workflowId, monthlyUsd: 25.5, onExceeded: "pause" });
    expect(wf.ok).toBe(true);
    const list = await listBudgets(db, fx.users.admin);
    expect(list.map((b) => [b.workflowName, b.monthlyUsd, b.onExceeded, b.spentUsd, b.reservedUsd])).toEqual([
      [null, 100, "fail", 0, 0],
      ["Refunds", 25.5, "pause", 0, 0],
    ]);
    const audit = await db.prisma.auditEntry.findMany({
      where: { workspaceId: fx.workspaceId, action: "budget.changed" },
      orderBy: { createdAt: "asc" },
    });
    expect(audit.map((a) => a.summary)).toEqual([
      "Set the workspace's budget to $100.00 a month, fail when reached (was none)",
      "Set the workflow's budget to $25.50 a month, pause when reached (was none)",
    ]);
    const removed = await setBudgetAction({ workflowId: fx.workflowId, monthlyUsd: null });
    expect(removed.ok).toBe(true);
    expect((await budgets()).map((b) => b.workflowId)).toEqual([""]);
  });

  it("refuses a workflow of another workspace (or none)", async () => {
    as("admin");
    const r = await setBudgetAction({ workflowId: "not-a-workflow", monthlyUsd: 1, onExceeded: "pause" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe("not_found:workflow");
  });
});
