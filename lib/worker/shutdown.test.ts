// A worker's operations on the real PostgreSQL server: its health port (live, ready, metrics),
// and a graceful stop — runs that finish within the grace period finish; the others are handed
// back (lease given up and job queued again in one commit) and another worker carries them on
// at once, re-running the interrupted step with the same idempotency key.
import { afterEach, describe, expect, it } from "vitest";
import { seedWorkflowVersion } from "../db/fixtures";
import { openTestPostgres } from "../db/testing";
import { edge, node, trigger, workflow } from "../engine/testing/builders";
import { createRuntime } from "../runtime/engine";
import { startWorker } from "./worker";

const chain = (latencyMs: number) =>
  workflow(
    [
      trigger(),
      node("first", "agent", { model: "simulated", prompt: "a", simulate: { output: "one", latencyMs: 10 } }),
      node("second", "agent", { model: "simulated", prompt: "b", simulate: { output: "two", latencyMs } }),
      node("done", "end", { output: "{{ nodes.second.output }}" }),
    ],
    [edge("start", "first"), edge("first", "second"), edge("second", "done")],
    { name: `Chain ${latencyMs}` },
  );

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

async function setup(latencyMs: number) {
  const db = await openTestPostgres();
  cleanups.push(() => db.dispose());
  const doc = chain(latencyMs);
  const ids = await seedWorkflowVersion(db, doc);
  const producer = createRuntime(db, { role: "test", enqueue: true });
  cleanups.push(() => producer.close());
  const { runId } = await producer.engine.startRun({ document: doc, ...ids }, {}, { trigger: "api" });
  return { db, runId };
}

describe("a worker's health port and graceful stop (PostgreSQL)", () => {
  it("serves live, ready, health and Prometheus metrics", async () => {
    const { db, runId } = await setup(10);
    const w = await startWorker(db, { concurrency: 1, pollMs: 100, sweeps: false, healthPort: 0 });
    cleanups.push(() => w.stop());
    const base = `http://127.0.0.1:${w.healthPort}`;
    expect((await fetch(`${base}/live`)).status).toBe(200);
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true });
    const health = (await (await fetch(`${base}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({
      live: true,
      ready: true,
      role: "worker",
      database: { migrated: true, queue: true },
    });
    await until("the run to finish", async () => w.executed === 1);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^# TYPE switchboard_runs_finished_total counter$/m);
    expect(metrics).toMatch(/^switchboard_runs_finished_total\{status="succeeded"\} [1-9]/m);
    expect(metrics).toMatch(/^switchboard_jobs_executed_total\{result="executed"\} [1-9]/m);
    expect(metrics).toMatch(/^switchboard_queue_depth\{state="waiting"\} 0$/m);
    expect(metrics).toMatch(/^switchboard_step_duration_milliseconds_bucket\{le="\+Inf"\} [1-9]/m);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect(runId).toBeTruthy();
  }, 60_000);

  it("keeps taking runs after graphile-worker hears of another schema's migration", async () => {
    const { db, runId } = await setup(10);
    const lines: string[] = [];
    const w = await startWorker(db, { concurrency: 1, pollMs: 100, sweeps: false, log: (l) => lines.push(l) });
    cleanups.push(() => w.stop());
    await until("the first run", async () => w.executed === 1);
    // what every new schema's migrator sends on the server-wide channel; graphile-worker stops on
    // it. Six in a row (a test suite creating schemas): more than the five stops a minute after
    // which a worker gives up, but notices do not count towards those.
    const restarts = () => lines.filter((l) => /starting it again/.test(l)).length;
    for (let i = 1; i <= 6; i++) {
      await db.prisma.$executeRawUnsafe(`SELECT pg_notify('worker:migrate', '{"migrationNumber":19,"breaking":true}')`);
      await until(`restart ${i} of the queue`, async () => restarts() >= i);
    }
    expect(process.exitCode).not.toBe(57);
    const producer = createRuntime(db, { role: "test", enqueue: true });
    cleanups.push(() => producer.close());
    const doc = chain(10);
    const run = await db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    await producer.engine.startRun(
      {
        document: doc,
        workspaceId: run.workspaceId,
        workflowId: run.workflowId,
        workflowVersionId: run.workflowVersionId,
      },
      {},
      { trigger: "api" },
    );
    await until("the run after the restart", async () => w.executed === 2);
    expect(w.failure).toBeNull();
  }, 60_000);

  it("lets a run in progress finish within the grace period", async () => {
    const { db, runId } = await setup(1500);
    const w = await startWorker(db, { owner: "patient", concurrency: 1, pollMs: 100, sweeps: false, graceMs: 20_000 });
    await until("the second step to run", () =>
      db.prisma.step.findFirst({ where: { runId, nodeId: "second", status: "running" } }),
    );
    await w.stop();
    const run = await db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    expect([run.status, run.output, run.leaseOwner]).toEqual(["succeeded", "two", null]);
    expect(w.executed).toBe(1);
  }, 60_000);

  it("hands a run that outlasts the grace period back; another worker carries it on at once", async () => {
    const { db, runId } = await setup(4000);
    const first = await startWorker(db, { owner: "leaving", concurrency: 1, pollMs: 100, sweeps: false, graceMs: 200 });
    await until("the second step to run", () =>
      db.prisma.step.findFirst({ where: { runId, nodeId: "second", status: "running" } }),
    );
    await first.stop();
    const handedBack = await db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    expect(handedBack.status).toBe("running");
    expect(handedBack.leaseOwner).toBeNull();
    const second = await startWorker(db, { owner: "arriving", concurrency: 1, pollMs: 100, sweeps: false });
    cleanups.push(() => second.stop());
    const run = await until("the second worker to finish the run", async () => {
      const r = await db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
      return r.status === "succeeded" ? r : null;
    });
    expect(run.output).toBe("two");
    // the interrupted step ran again as a new attempt with the same idempotency key; the first step did not
    const steps = await db.prisma.step.findMany({ where: { runId }, orderBy: [{ nodeId: "asc" }, { attempt: "asc" }] });
    const byNode = (id: string) => steps.filter((s) => s.nodeId === id).map((s) => [s.attempt, s.status]);
    expect(byNode("first")).toEqual([[1, "succeeded"]]);
    expect(byNode("second")).toEqual([
      [1, "failed"],
      [2, "succeeded"],
    ]);
    const keys = new Set(steps.filter((s) => s.nodeId === "second").map((s) => s.idempotencyKey));
    expect(keys.size).toBe(1);
    expect(second.executed).toBe(1);
  }, 60_000);
});
