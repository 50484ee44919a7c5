// The runs history's trigger filter, for every trigger a run can have: one run per trigger, and
// each filter value (alone, and in a comma-separated list, as the URL carries it) finds exactly its runs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "./client";
import { seedRun, seedWorkflowVersion } from "./fixtures";
import { listRuns, RUN_TRIGGERS, RunsFilterSchema } from "./runs-queries";
import { TEST_DATABASES } from "./testing";

type TestDb = Db & { dispose(): Promise<void> };

describe.each(TEST_DATABASES)("runs history trigger filter on $name", ({ open }) => {
  let db: TestDb;
  let workspaceId: string;
  const byTrigger = new Map<string, string>();
  beforeAll(async () => {
    db = await open();
    const v = await seedWorkflowVersion(db);
    workspaceId = v.workspaceId;
    for (const trigger of RUN_TRIGGERS) {
      const run = await seedRun(db, { ...v, status: "succeeded" });
      await db.prisma.run.update({ where: { id: run.id }, data: { trigger } });
      byTrigger.set(trigger, run.id);
    }
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it("knows the triggers of issue 13 (webhook, schedule, api, chat, manual, cli)", () => {
    for (const t of ["webhook", "schedule", "api", "chat", "manual", "cli"]) expect(RUN_TRIGGERS).toContain(t);
  });

  it.each(RUN_TRIGGERS)("trigger=%s lists that run and no other; the list shows the trigger", async (trigger) => {
    const filter = RunsFilterSchema.parse({ trigger });
    const page = await listRuns(db, workspaceId, filter, { limit: 50 });
    expect(page.items.map((r) => r.id)).toEqual([byTrigger.get(trigger)]);
    expect(page.items[0]?.trigger).toBe(trigger);
  });

  it("takes several triggers at once and refuses an unknown one, naming the field", async () => {
    const page = await listRuns(db, workspaceId, RunsFilterSchema.parse({ trigger: "webhook,schedule,chat" }), {
      limit: 50,
    });
    expect(new Set(page.items.map((r) => r.trigger))).toEqual(new Set(["webhook", "schedule", "chat"]));
    const bad = RunsFilterSchema.safeParse({ trigger: "carrier-pigeon" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path[0]).toBe("trigger");
  });
});
