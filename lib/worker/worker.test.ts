// Scale-out on the real PostgreSQL server: two workers (one in this process, one a real
// `switchboard worker` child process) share one database and every queued run completes exactly
// once. Also: a worker takes over a run whose executor died, and works on SQLite.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Db, openDb } from "../db/client";
import { seedWorkflowVersion } from "../db/fixtures";
import { enqueueRuns } from "../db/jobs";
import { PrismaRunStore } from "../db/run-store";
import { openTestPostgres, openTestSqlite } from "../db/testing";
import { agentChain } from "../engine/testing/builders";
import { createRuntime } from "../runtime/engine";
import { startWorker, type Worker } from "./worker";

const BIN = join(process.cwd(), "bin/switchboard.mjs");

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

async function enqueue(db: Db, count: number, latencyMs = 5) {
  const document = agentChain(3, { output: "ok", latencyMs });
  const ids = await seedWorkflowVersion(db, document);
  const producer = createRuntime(db, { role: "test" });
  cleanups.push(() => producer.close());
  const runIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const { runId } = await producer.engine.startRun({ document, ...ids }, {}, { trigger: "api" });
    runIds.push(runId);
  }
  return runIds;
}

async function expectExactlyOnce(db: Db, runIds: string[]) {
  const runs = await db.prisma.run.findMany({ where: { id: { in: runIds } } });
  expect(runs.map((r) => r.status)).toEqual(runIds.map(() => "succeeded"));
  for (const r of runs) expect(r.leaseOwner).toBeNull();
  const steps = await db.prisma.step.findMany({ where: { runId: { in: runIds } } });
  // trigger, three agents, end: each exactly once, first attempt
  expect(steps).toHaveLength(runIds.length * 5);
  for (const s of steps) expect([s.attempt, s.status]).toEqual([1, "succeeded"]);
  const keys = new Set(steps.map((s) => `${s.runId}/${s.nodeId}/${s.visit}`));
  expect(keys.size).toBe(steps.length);
  const started = await db.prisma.runEvent.count({ where: { runId: { in: runIds }, type: "step.started" } });
  expect(started).toBe(runIds.length * 5);
}

describe("switchboard worker on PostgreSQL", () => {
  it("two workers (in-process and a child process) complete 60 queued runs exactly once", async () => {
    const db = await openTestPostgres();
    cleanups.push(() => db.dispose());
    if (db.target.provider !== "postgresql") throw new Error("expected PostgreSQL");

    const executedByA = new Set<string>();
    const a = await startWorker(db, {
      owner: "worker-a",
      concurrency: 3,
      pollMs: 200,
      sweeps: false,
      onRun: (r) => executedByA.add(r.runId),
    });
    cleanups.push(() => a.stop());

    const child: ChildProcess = spawn(process.execPath, [BIN, "worker", "--concurrency", "3"], {
      env: { ...process.env, DATABASE_URL: db.target.url, SWITCHBOARD_SEED: "0", NODE_OPTIONS: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let childLog = "";
    child.stderr!.on("data", (d) => (childLog += d));
    const childExit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
    });
    await until("the child worker to start", async () => childLog.includes("started"));

    const runIds = await enqueue(db, 60);
    await until("all runs to finish", async () => {
      const done = await db.prisma.run.count({ where: { id: { in: runIds }, status: "succeeded" } });
      return done === runIds.length;
    });
    await expectExactlyOnce(db, runIds);
    // Both took part; together they executed each run once.
    expect(executedByA.size).toBeGreaterThan(0);
    expect(executedByA.size).toBeLessThan(runIds.length);

    child.kill("SIGTERM");
    expect(await childExit).toBe(0);
    expect(childLog).toMatch(/stopped after (\d+) run/);
    const childRuns = Number(/stopped after (\d+) run/.exec(childLog)![1]);
    expect(childRuns + executedByA.size).toBe(runIds.length);
  }, 180_000);

  it("two in-process workers with separate connections race for the same runs without double execution", async () => {
    const db = await openTestPostgres();
    cleanups.push(() => db.dispose());
    const db2 = await openDb(db.target);
    cleanups.push(() => db2.close());
    const seen = new Map<string, string[]>();
    const record = (owner: string) => (r: { runId: string }) =>
      seen.set(r.runId, [...(seen.get(r.runId) ?? []), owner]);
    const workers: Worker[] = [];
    for (const [name, d] of [
      ["w1", db],
      ["w2", db2],
    ] as const) {
      const w = await startWorker(d, { owner: name, concurrency: 4, pollMs: 100, sweeps: false, onRun: record(name) });
      workers.push(w);
      cleanups.push(() => w.stop());
    }
    const runIds = await enqueue(db, 40, 1);
    await until("all runs to finish", async () => seen.size === runIds.length);
    await expectExactlyOnce(db, runIds);
    for (const owners of seen.values()) expect(owners).toHaveLength(1);
    expect(workers[0].executed + workers[1].executed).toBe(runIds.length);
  }, 180_000);

  it("a second job for a run this worker is executing neither executes it again nor loses its count", async () => {
    // The sweep queues a run again when its job is locked but the run has no lease yet (a job
    // waiting in a worker's local batch looks like one whose worker died); that worker may then
    // hold two jobs for one run.
    const db = await openTestPostgres();
    cleanups.push(() => db.dispose());
    const results: string[] = [];
    const w = await startWorker(db, {
      owner: "solo",
      concurrency: 3,
      pollMs: 100,
      sweeps: false,
      onRun: (r) => results.push(r.runId),
    });
    cleanups.push(() => w.stop());
    const [runId] = await enqueue(db, 1, 700);
    await until("the run to execute", async () => {
      const r = await db.prisma.run.findUniqueOrThrow({ where: { id: runId! } });
      return r.leaseOwner === "solo";
    });
    await enqueueRuns(db, [runId!]);
    await until("the run to finish", async () => w.executed > 0 || results.length > 0, 30_000);
    await new Promise((r) => setTimeout(r, 500)); // the second job, had it executed anything
    await expectExactlyOnce(db, [runId!]);
    expect(results).toEqual([runId]);
    expect(w.executed).toBe(1);
  }, 60_000);

  it("takes over a run whose executor died (expired lease) and finishes it", async () => {
    const db = await openTestPostgres();
    cleanups.push(() => db.dispose());
    const document = agentChain(2);
    const ids = await seedWorkflowVersion(db, document);
    const store = new PrismaRunStore(db);
    cleanups.push(() => store.close());
    const { run } = await store.createRun({
      id: `r-dead-${Date.now()}`,
      ...ids,
      document,
      input: {},
      trigger: "api",
      status: "running",
      state: (await import("../engine/state")).initialState("start", document.limits, 0),
      createdAt: new Date(),
      startedAt: new Date(),
      lease: { owner: "web:elsewhere:1", ttlMs: 300 },
    });
    const w = await startWorker(db, { owner: "rescuer", concurrency: 1, pollMs: 100, sweeps: false });
    cleanups.push(() => w.stop());
    const done = await until("the run to be carried on", async () => {
      const r = await db.prisma.run.findUniqueOrThrow({ where: { id: run.id } });
      return r.status === "succeeded" ? r : null;
    });
    expect(done.fence).toBe(2);
    expect(w.executed).toBe(1);
  }, 60_000);
});

describe("switchboard worker on SQLite", () => {
  it("executes queued runs from the embedded database", async () => {
    const db = await openTestSqlite();
    cleanups.push(() => db.dispose());
    const w = await startWorker(db, { owner: "solo", concurrency: 2, pollMs: 50, sweeps: false });
    cleanups.push(() => w.stop());
    const runIds = await enqueue(db, 10, 1);
    await until("all runs to finish", async () => w.executed === runIds.length);
    await expectExactlyOnce(db, runIds);
  }, 60_000);
});
