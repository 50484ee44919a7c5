// The process-level runner on SQLite and PostgreSQL: start-up recovery, the reaper, approval
// deadlines, runs decided while nobody was executing them, and dead-executor takeover.
import { afterEach, describe, expect, it } from "vitest";
import type { Clock } from "@/lib/contracts/ports";
import type { WorkflowDocument } from "@/lib/contracts/workflow-document";
import { HITL_DOCUMENT } from "../cli/fixtures";
import type { Db } from "../db/client";
import { seedWorkflowVersion } from "../db/fixtures";
import { insertHistoryFixture } from "../db/history-fixture";
import { PrismaRunStore } from "../db/run-store";
import { TEST_DATABASES } from "../db/testing";
import { systemClock } from "../engine/clock";
import { initialState } from "../engine/state";
import { agentChain, edge, node, trigger, workflow } from "../engine/testing/builders";
import { createRuntime } from "./engine";
import { expireDeadLocalLeases, parseExecutorName } from "./recovery";
import { startRunner } from "./runner";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

/** Real time shifted by `offset` ms, so a test can jump past a deadline. */
function shiftedClock(): Clock & { jump(ms: number): void } {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    sleep: systemClock.sleep,
    jump(ms) {
      offset += ms;
    },
  };
}

/** A run stored as `running` under a lease whose executor is gone, as a crash leaves it. */
async function orphanedRun(db: Db, document: WorkflowDocument, owner: string, ttlMs = 1) {
  const ids = await seedWorkflowVersion(db, document);
  const store = new PrismaRunStore(db);
  cleanups.push(() => store.close());
  const { run } = await store.createRun({
    id: `r-orphan-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`,
    ...ids,
    document,
    input: {},
    trigger: "api",
    status: "running",
    state: initialState("start", document.limits, 0),
    createdAt: new Date(),
    startedAt: new Date(),
    events: [{ type: "run.started", data: {} }],
    lease: { owner, ttlMs },
  });
  return run.id;
}

describe.each(TEST_DATABASES)("runner on $name", ({ open }) => {
  async function setup(clock?: Clock) {
    const db = await open();
    cleanups.push(() => db.dispose());
    const rt = createRuntime(db, { role: "test", clock });
    cleanups.push(() => rt.close());
    return { db, rt };
  }

  it("carries on runs left running by a crash when it starts", async () => {
    const { db, rt } = await setup();
    const runId = await orphanedRun(db, agentChain(3), "web:gone:1");
    await new Promise((r) => setTimeout(r, 20)); // the 1 ms lease has expired
    const lines: string[] = [];
    const runner = startRunner(rt, { sweepIntervalMs: 0, recoverIntervalMs: 0, log: (l) => lines.push(l) });
    cleanups.push(() => runner.stop());
    const results = await runner.ready;
    expect(results.map((r) => [r.runId, r.status])).toEqual([[runId, "succeeded"]]);
    expect(lines.join("\n")).toContain(`carried on run ${runId}: succeeded`);
  });

  it("leaves a run alone while its executor's lease is live", async () => {
    const { db, rt } = await setup();
    const runId = await orphanedRun(db, agentChain(1), "web:busy:1", 60_000);
    const runner = startRunner(rt, { sweepIntervalMs: 0, recoverIntervalMs: 0 });
    cleanups.push(() => runner.stop());
    expect(await runner.ready).toEqual([]);
    expect((await db.prisma.run.findUniqueOrThrow({ where: { id: runId } })).status).toBe("running");
  });

  it("fails a run stuck past its deadline, saying why (reaper)", async () => {
    const clock = shiftedClock();
    const { db, rt } = await setup(clock);
    const doc = { ...HITL_DOCUMENT, limits: { timeoutMs: 60_000 } };
    const ids = await seedWorkflowVersion(db, doc);
    const paused = await rt.engine.execute({ document: doc, ...ids }, {});
    expect(paused.status).toBe("waiting");
    const runner = startRunner(rt, { recoverOnStart: false, sweepIntervalMs: 0, recoverIntervalMs: 0 });
    cleanups.push(() => runner.stop());
    expect((await runner.sweep()).reaped).toEqual([]);
    clock.jump(61_000);
    const { reaped } = await runner.sweep();
    expect(reaped).toHaveLength(1);
    expect(reaped[0]).toMatchObject({ runId: paused.runId, status: "failed" });
    expect(reaped[0].error?.message).toMatch(/limits\.timeoutMs/);
  });

  it("applies onTimeout to an approval past its deadline and carries the run on", async () => {
    const clock = shiftedClock();
    const { db, rt } = await setup(clock);
    const doc = workflow(
      [
        trigger(),
        node("approve", "approval", { title: "OK?", timeoutMs: 1000, onTimeout: "reject" }),
        node("yes", "end", { output: "approved" }),
        node("no", "end", { output: "rejected" }),
      ],
      [edge("start", "approve"), edge("approve", "yes", "approved"), edge("approve", "no", "rejected")],
    );
    const ids = await seedWorkflowVersion(db, doc);
    const paused = await rt.engine.execute({ document: doc, ...ids }, {});
    expect(paused.status).toBe("waiting");
    const runner = startRunner(rt, { recoverOnStart: false, sweepIntervalMs: 0, recoverIntervalMs: 0 });
    cleanups.push(() => runner.stop());
    clock.jump(2000);
    const { expired } = await runner.sweep();
    expect(expired.map((r) => [r.runId, r.status, r.output])).toEqual([[paused.runId, "succeeded", "rejected"]]);
    const approval = await db.prisma.approval.findFirstOrThrow({ where: { runId: paused.runId } });
    expect(approval.status).toBe("expired");
  });

  it("carries on a run whose approval was decided while no executor ran it", async () => {
    const { db, rt } = await setup();
    const ids = await seedWorkflowVersion(db, HITL_DOCUMENT);
    const paused = await rt.engine.execute({ document: HITL_DOCUMENT, ...ids }, {});
    // the decision is stored (e.g. by another server) but nobody continued the run
    await rt.store.decideApproval(paused.approvals[0].id, {
      status: "approved",
      by: "someone",
      at: new Date(),
      decision: { via: "person" },
    });
    expect((await db.prisma.run.findUniqueOrThrow({ where: { id: paused.runId } })).status).toBe("queued");
    const runner = startRunner(rt, { recoverOnStart: false, sweepIntervalMs: 0, recoverIntervalMs: 0 });
    cleanups.push(() => runner.stop());
    const { recovering } = await runner.sweep();
    expect(recovering).toEqual([paused.runId]);
    const [done] = await runner.idle();
    expect(done).toMatchObject({ runId: paused.runId, status: "succeeded", output: "Sent" });
  });

  it("fails a run whose workflow version cannot be executed, once, saying why; no later sweep picks it up", async () => {
    const { db, rt } = await setup();
    // a stored version the engine refuses: a node type this installation does not have
    const doc = workflow(
      [trigger(), node("gone", "no-such-node-type", {}), node("done", "end", {})],
      [edge("start", "gone"), edge("gone", "done")],
    );
    const runId = await orphanedRun(db, doc, "web:gone:1");
    await new Promise((r) => setTimeout(r, 20)); // the 1 ms lease has expired
    const lines: string[] = [];
    const runner = startRunner(rt, { sweepIntervalMs: 0, recoverIntervalMs: 0, log: (l) => lines.push(l) });
    cleanups.push(() => runner.stop());
    const [result] = await runner.ready;
    expect(result).toMatchObject({ runId, status: "failed", error: { code: "non_retryable", retryable: false } });
    expect(result!.error!.message).toMatch(
      /^This run's workflow version cannot be executed: The workflow is not valid/,
    );
    expect(result!.error!.message).toContain("no-such-node-type");
    const row = await db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    expect(row).toMatchObject({ status: "failed", leaseOwner: null });
    expect(row.endedAt).not.toBeNull();
    const events = await rt.store.listEvents(runId, 0, 100);
    expect(events.map((e) => e.type)).toEqual(["run.started", "run.failed"]);
    expect(events[1]!.data.error).toMatchObject({ message: result!.error!.message });
    // Later sweeps have nothing to carry on: the run is not tried again.
    for (let i = 0; i < 3; i++) expect((await runner.sweep()).recovering).toEqual([]);
    expect(lines.filter((l) => l.includes(runId))).toEqual([`[runner] carried on run ${runId}: failed`]);
  });

  it("retries later a run whose carrying on failed for a passing reason (the database)", async () => {
    const { db, rt } = await setup();
    const runId = await orphanedRun(db, agentChain(1), "web:gone:1");
    await new Promise((r) => setTimeout(r, 20));
    const lines: string[] = [];
    const loadRun = rt.store.loadRun.bind(rt.store);
    let outage = true;
    // the database is unavailable while the run is loaded (after its lease was taken)
    rt.store.loadRun = async (id) => {
      if (outage && id === runId) throw new Error("connection refused");
      return loadRun(id);
    };
    const runner = startRunner(rt, {
      recoverOnStart: false,
      sweepIntervalMs: 0,
      recoverIntervalMs: 0,
      log: (l) => lines.push(l),
    });
    cleanups.push(() => runner.stop());
    expect((await runner.sweep()).recovering).toEqual([runId]);
    expect(await runner.idle()).toEqual([]);
    expect(lines).toContain(`[runner] carrying on run ${runId} failed: connection refused`);
    expect(await db.prisma.run.findUniqueOrThrow({ where: { id: runId } })).toMatchObject({ status: "running" });
    outage = false;
    expect((await runner.sweep()).recovering).toEqual([runId]);
    expect((await runner.idle()).map((r) => [r.runId, r.status])).toEqual([[runId, "succeeded"]]);
  });

  it("finds nothing to carry on in a seeded run history (the e2e server's database)", async () => {
    const { db, rt } = await setup();
    const fx = await insertHistoryFixture(db, { count: 60, seed: 2026 });
    expect(fx.runs.some((r) => !["succeeded", "failed", "cancelled"].includes(r.status))).toBe(true);
    const lines: string[] = [];
    const runner = startRunner(rt, { sweepIntervalMs: 0, recoverIntervalMs: 0, log: (l) => lines.push(l) });
    cleanups.push(() => runner.stop());
    expect(await runner.ready).toEqual([]);
    expect((await runner.sweep()).recovering).toEqual([]);
    expect(lines).toEqual([]);
    const rows = await db.prisma.run.findMany({
      where: { workspaceId: fx.workspaceId },
      select: { id: true, status: true },
    });
    expect(new Map(rows.map((r) => [r.id, r.status]))).toEqual(new Map(fx.runs.map((r) => [r.id, r.status])));
  });

  it("takes over at once a run whose executor on this machine is gone", async () => {
    const { db, rt } = await setup();
    const { hostname } = await import("node:os");
    // pid 2^22 + 1 is above Linux's pid_max: no such process
    const dead = `cli:${hostname()}:${2 ** 22 + 1}`;
    const alive = `cli:${hostname()}:${process.pid}`;
    const deadRun = await orphanedRun(db, agentChain(1), dead, 60_000);
    const liveRun = await orphanedRun(db, agentChain(1), alive, 60_000);
    expect(await expireDeadLocalLeases(db)).toEqual([deadRun]);
    const results = await rt.engine.recover();
    expect(results.map((r) => [r.runId, r.status])).toEqual([[deadRun, "succeeded"]]);
    expect((await db.prisma.run.findUniqueOrThrow({ where: { id: liveRun } })).status).toBe("running");
  });
});

describe("executor names", () => {
  it("parse back into role, host and pid", () => {
    expect(parseExecutorName("cli:my-host:123")).toEqual({ role: "cli", host: "my-host", pid: 123 });
    expect(parseExecutorName("worker:a:b:c:9")).toEqual({ role: "worker", host: "a:b:c", pid: 9 });
    expect(parseExecutorName("engine:abc")).toBeNull();
    expect(parseExecutorName("rescuer")).toBeNull();
  });
});
