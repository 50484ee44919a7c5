// The Settings page's "Keep run history for N days": the server action through authedAction with
// a test session (admins only, zod-validated, audited, other settings kept), on both databases.
import { beforeAll, describe, expect, it } from "vitest";

process.env.SWITCHBOARD_NOTIFICATIONS = "0";

import { setRetentionAction } from "@/app/(app)/settings/actions";
import { type Fixture, seedWorkspace, seedWorkspaceSettings } from "@/lib/db/fixtures";
import { retentionDaysOf } from "@/lib/db/retention";
import { TEST_DATABASES } from "@/lib/db/testing";
import { serverHarness, type TestDb } from "@/lib/server/testing";

describe.each(TEST_DATABASES)("retention setting on $name", ({ open }) => {
  const server = serverHarness(open, async (d) => {
    const seeded = await seedWorkspace(d);
    await seedWorkspaceSettings(d, seeded.workspaceId, { budgets: { maxCostUsd: 5 } });
    return seeded;
  });
  const { as } = server;
  let db: TestDb;
  let fx: Fixture;
  beforeAll(() => {
    ({ db, fx } = server);
  });
  const settings = async () =>
    (await db.prisma.workspace.findUniqueOrThrow({ where: { id: fx.workspaceId } })).settings as Record<
      string,
      unknown
    >;
  const audits = () =>
    db.prisma.auditEntry.findMany({
      where: { workspaceId: fx.workspaceId, action: "workspace.retention_changed" },
      orderBy: { createdAt: "asc" },
    });

  it("refuses non-admins and saves nothing", async () => {
    for (const role of ["editor", "approver", "viewer"] as const) {
      as(role);
      const r = await setRetentionAction({ retentionDays: 30 });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe("forbidden:settings");
    }
    as(null);
    const anon = await setRetentionAction({ retentionDays: 30 });
    expect(!anon.ok && anon.error.code).toBe("unauthenticated");
    expect(retentionDaysOf(await settings())).toBeNull();
    expect(await audits()).toHaveLength(0);
  });

  it("validates the number of days, naming the field, and saves nothing", async () => {
    as("admin");
    for (const bad of [0, -3, 2.5, 3651, "30", Number.NaN]) {
      const r = await setRetentionAction({ retentionDays: bad });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe("invalid:input");
        expect(r.error.fieldErrors?.map((f) => f.path)).toEqual(["retentionDays"]);
      }
    }
    expect(retentionDaysOf(await settings())).toBeNull();
    expect(await audits()).toHaveLength(0);
  });

  it("lets an admin set and clear it, keeping the other settings, with an audit entry each time", async () => {
    as("admin");
    const set = await setRetentionAction({ retentionDays: 30 });
    expect(set).toEqual({ ok: true, data: { retentionDays: 30 } });
    expect(await settings()).toEqual({ budgets: { maxCostUsd: 5 }, retentionDays: 30 });
    const cleared = await setRetentionAction({ retentionDays: null });
    expect(cleared).toEqual({ ok: true, data: { retentionDays: null } });
    expect(await settings()).toEqual({ budgets: { maxCostUsd: 5 } });
    const entries = await audits();
    expect(entries.map((e) => e.summary)).toEqual([
      "Run history kept 30 days (was forever)",
      "Run history kept forever (was 30 days)",
    ]);
    expect(entries[0]!.actorId).toBe(fx.users.admin.userId);
  });
});
