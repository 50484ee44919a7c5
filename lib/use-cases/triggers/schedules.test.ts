import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, openDb } from "@/lib/db/client";
import { seedUser, seedWorkspaceRow } from "@/lib/db/fixtures";
import { findSchedule, listFires } from "@/lib/db/schedules";
import { openTestPostgres, TEST_DATABASES } from "@/lib/db/testing";
import { edge, node, workflow } from "@/lib/engine/testing/builders";
import { createTestHost, type TestHost } from "@/lib/host-testing";
import type { Scope } from "../scope";
import { deleteWorkflow, importWorkflow, publishWorkflow } from "../workflows";
import { nextFireTimes, pauseSchedule, planFires, tickSchedules } from "./schedules";
import type { TriggerStartDeps } from "./start";

function doc(trigger: Record<string, unknown>) {
  return workflow(
    [node("tick", "trigger", trigger), node("done", "end", { output: { at: "{{ input.scheduledAt }}" } })],
    [edge("tick", "done")],
    { name: `Scheduled ${Math.random()}` },
  );
}

const depsOf = (h: TestHost): TriggerStartDeps => ({
  db: h.db,
  engine: h.engine,
  dispatcher: h.dispatcher,
  store: h.store,
});

describe("cron fire times", () => {
  it("computes the next five in the time zone", () => {
    const from = new Date("2026-03-28T12:00:00Z");
    const paris = nextFireTimes("0 9 * * *", "Europe/Paris", from).map((d) => d.toISOString());
    // 09:00 Paris is 08:00 UTC before the clocks change on 29 March, 07:00 UTC after
    expect(paris).toEqual([
      "2026-03-29T07:00:00.000Z",
      "2026-03-30T07:00:00.000Z",
      "2026-03-31T07:00:00.000Z",
      "2026-04-01T07:00:00.000Z",
      "2026-04-02T07:00:00.000Z",
    ]);
    expect(nextFireTimes("30 8 * * 1", undefined, from, 1)[0]?.toISOString()).toBe("2026-03-30T08:30:00.000Z");
  });

  it("plans missed fires per the setting", () => {
    const s = { cron: "0 * * * *", timezone: "UTC", nextFireAt: new Date("2026-12-07T01:00:00Z") };
    const now = new Date("2026-12-07T03:30:00Z");
    expect(planFires({ ...s, missedPolicy: "skip" }, now, 60_000)).toEqual({
      fires: [{ fireAt: new Date("2026-12-07T03:00:00Z"), outcome: "skipped" }],
      nextFireAt: new Date("2026-12-07T04:00:00Z"),
    });
    expect(planFires({ ...s, missedPolicy: "run_once" }, now, 60_000).fires).toEqual([
      { fireAt: new Date("2026-12-07T03:00:00Z"), outcome: "claimed" },
    ]);
    // on time: fires normally
    expect(planFires({ ...s, missedPolicy: "skip" }, new Date("2026-12-07T01:00:20Z"), 60_000).fires).toEqual([
      { fireAt: new Date("2026-12-07T01:00:00Z"), outcome: "claimed" },
    ]);
  });
});

describe.each(TEST_DATABASES)("schedules on $name", ({ open }) => {
  let db: Db & { dispose(): Promise<void> };
  let host: TestHost;
  let scope: Scope;

  beforeAll(async () => {
    db = await open();
    host = await createTestHost({ db });
    const ws = await seedWorkspaceRow(db, "Sched");
    const ada = await seedUser(db, "Ada");
    scope = { workspaceId: ws.id, userId: ada.id, actor: { label: "ada@x.test", userId: ada.id } };
  });
  afterAll(async () => {
    await host.dispose();
    await db.dispose();
  });

  async function publishedSchedule(trigger: Record<string, unknown>, firstFire: Date) {
    const wf = await importWorkflow(db, scope, doc(trigger));
    await publishWorkflow(db, scope, { id: wf.id });
    // the fake clock: the next fire time as if published just before firstFire
    await db.prisma.schedule.update({ where: { workflowId: wf.id }, data: { nextFireAt: firstFire } });
    return wf.id;
  }
  const runsOf = (workflowId: string) =>
    db.prisma.run.findMany({ where: { workflowId, trigger: "schedule" }, select: { id: true, input: true } });

  it("publishing creates the schedule; a fire during downtime runs once with run_once", async () => {
    const id = await publishedSchedule(
      { kind: "schedule", cron: "0 * * * *", missed: "run_once" },
      new Date("2026-12-07T01:00:00Z"),
    );
    expect(await findSchedule(db, id)).toMatchObject({ cron: "0 * * * *", timezone: "UTC", missedPolicy: "run_once" });
    // the servers were down from 00:30 to 03:30: 01:00, 02:00 and 03:00 were missed
    const r1 = await tickSchedules(depsOf(host), { now: new Date("2026-12-07T03:30:00Z") });
    expect(r1.started).toHaveLength(1);
    expect(await runsOf(id)).toEqual([{ id: r1.started[0], input: { scheduledAt: "2026-12-07T03:00:00.000Z" } }]);
    // nothing more until 04:00
    expect((await tickSchedules(depsOf(host), { now: new Date("2026-12-07T03:59:00Z") })).started).toHaveLength(0);
    const r2 = await tickSchedules(depsOf(host), { now: new Date("2026-12-07T04:00:03Z") });
    expect(r2.started).toHaveLength(1);
    expect(await runsOf(id)).toHaveLength(2);
    expect((await findSchedule(db, id))?.nextFireAt).toEqual(new Date("2026-12-07T05:00:00Z"));
  });

  it("a fire during downtime is skipped with skip", async () => {
    const id = await publishedSchedule({ kind: "schedule", cron: "0 * * * *" }, new Date("2026-12-07T01:00:00Z"));
    const r = await tickSchedules(depsOf(host), { now: new Date("2026-12-07T03:30:00Z") });
    expect(r).toMatchObject({ started: [], skipped: 1 });
    expect(await runsOf(id)).toHaveLength(0);
    const fires = await listFires(db, (await findSchedule(db, id))!.id);
    expect(fires.map((f) => [f.fireAt.toISOString(), f.outcome])).toEqual([["2026-12-07T03:00:00.000Z", "skipped"]]);
  });

  it("pause and resume; resuming does not make up paused fire times; deleting removes it", async () => {
    const id = await publishedSchedule({ kind: "schedule", cron: "*/5 * * * *" }, new Date("2026-12-07T10:00:00Z"));
    await pauseSchedule(db, scope.workspaceId, id, true, new Date("2026-12-07T09:59:00Z"));
    await tickSchedules(depsOf(host), { now: new Date("2026-12-07T10:00:10Z") });
    expect(await runsOf(id)).toHaveLength(0);
    const resumed = await pauseSchedule(db, scope.workspaceId, id, false, new Date("2026-12-07T10:07:00Z"));
    expect(resumed).toMatchObject({ paused: false, nextFireAt: "2026-12-07T10:10:00.000Z" });
    await tickSchedules(depsOf(host), { now: new Date("2026-12-07T10:10:01Z") });
    expect(await runsOf(id)).toEqual([{ id: expect.any(String), input: { scheduledAt: "2026-12-07T10:10:00.000Z" } }]);
    await deleteWorkflow(db, scope, id);
    expect(await findSchedule(db, id)).toBeNull();
  });

  it("publishing a version without a schedule trigger removes the schedule", async () => {
    const id = await publishedSchedule({ kind: "schedule", cron: "0 9 * * *" }, new Date("2026-12-08T09:00:00Z"));
    const wf = await db.prisma.workflow.findUniqueOrThrow({ where: { id } });
    const draft = structuredClone(wf.draft) as { nodes: { config: Record<string, unknown> }[] };
    (draft.nodes[0] as { config: Record<string, unknown> }).config = { kind: "manual" };
    await db.prisma.workflow.update({ where: { id }, data: { draft: JSON.parse(JSON.stringify(draft)) } });
    await publishWorkflow(db, scope, { id });
    expect(await findSchedule(db, id)).toBeNull();
  });
});

describe("two servers on PostgreSQL", () => {
  let db: Db & { dispose(): Promise<void> };
  let db2: Db;
  let a: TestHost;
  let b: TestHost;
  let scope: Scope;

  beforeAll(async () => {
    db = await openTestPostgres();
    db2 = await openDb(db.target); // a second connection pool: another server on the same database
    a = await createTestHost({ db });
    b = await createTestHost({ db: db2 });
    const ws = await seedWorkspaceRow(db, "Two");
    const ada = await seedUser(db, "Ada");
    scope = { workspaceId: ws.id, userId: ada.id, actor: { label: "ada@x.test", userId: ada.id } };
  });
  afterAll(async () => {
    await a.dispose();
    await b.dispose();
    await db2.close();
    await db.dispose();
  });

  it("fire each time exactly once", async () => {
    const wf = await importWorkflow(db, scope, doc({ kind: "schedule", cron: "* * * * *" }));
    await publishWorkflow(db, scope, { id: wf.id });
    const t0 = new Date("2026-12-07T12:00:00Z").getTime();
    await db.prisma.schedule.update({ where: { workflowId: wf.id }, data: { nextFireAt: new Date(t0) } });
    const started: string[] = [];
    for (let minute = 0; minute < 6; minute++) {
      const now = new Date(t0 + minute * 60_000 + 2_000);
      // both servers tick at the same moment, twice each
      const results = await Promise.all([
        tickSchedules(depsOf(a), { now }),
        tickSchedules(depsOf(b), { now }),
        tickSchedules(depsOf(a), { now }),
        tickSchedules(depsOf(b), { now }),
      ]);
      for (const r of results) started.push(...r.started);
    }
    const runs = await db.prisma.run.findMany({ where: { workflowId: wf.id }, select: { id: true, input: true } });
    expect(runs).toHaveLength(6);
    expect(new Set(started).size).toBe(6);
    expect(started).toHaveLength(6);
    const times = runs.map((r) => (r.input as { scheduledAt: string }).scheduledAt).sort();
    expect(times).toEqual([0, 1, 2, 3, 4, 5].map((m) => new Date(t0 + m * 60_000).toISOString()));
    const schedule = await findSchedule(db, wf.id);
    const fires = await listFires(db, schedule!.id);
    expect(fires.every((f) => f.outcome === "started")).toBe(true);
    expect(fires).toHaveLength(6);
  });
});
