// SWITCHBOARD_EXECUTE=workers on the real PostgreSQL server: a web server's host only enqueues —
// starts, decisions and retries add the run's job in their own transaction and the web server
// executes nothing — and a worker (graphile-worker) carries every one of them on. A cancel from
// the web server applies at once to a run a worker is executing. On SQLite the mode is refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, openDb } from "../db/client";
import { seedWorkflowVersion } from "../db/fixtures";
import { jobsSchemaOf, RUN_TASK } from "../db/jobs";
import { openTestPostgres, openTestSqlite } from "../db/testing";
import { edge, node, trigger, workflow } from "../engine/testing/builders";
import { createHost, type Host } from "../host";
import { startWorker, type Worker } from "./worker";

const HITL = workflow(
  [
    trigger(),
    node("draft", "agent", { model: "simulated", prompt: "draft", simulate: { output: "Draft" } }),
    node("ask", "approval", { title: "Send?", assignees: { roles: ["approver"], users: [] }, timeoutMs: null }),
    node("send", "agent", { model: "simulated", prompt: "send", simulate: { output: "Sent" } }),
    node("done", "end", { output: "{{ nodes.send.output }}" }),
  ],
  [edge("start", "draft"), edge("draft", "ask"), edge("ask", "send", "approved"), edge("send", "done")],
  { name: "Draft, ask, send" },
);
const SLOW = workflow(
  [
    trigger(),
    node("slow", "agent", { model: "simulated", prompt: "slow", simulate: { output: "late", latencyMs: 20_000 } }),
    node("done", "end", { output: "{{ nodes.slow.output }}" }),
  ],
  [edge("start", "slow"), edge("slow", "done")],
  { name: "Slow" },
);
const FAILS = workflow(
  [trigger(), node("boom", "transform", { expression: "$error('boom')" }), node("done", "end", {})],
  [edge("start", "boom"), edge("boom", "done")],
  { name: "Fails" },
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

describe("web servers that enqueue, workers that execute (PostgreSQL)", () => {
  let db: Db & { dispose(): Promise<void> };
  let webDb: Db;
  let web: Host;
  let worker: Worker;
  const jobs = async (runId: string) => {
    const js = jobsSchemaOf(db.target)!;
    const rows = await db.prisma.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM "${js}"._private_jobs j JOIN "${js}"._private_tasks t ON t.id = j.task_id WHERE t.identifier = $1 AND j.payload->>'runId' = $2`,
      RUN_TASK,
      runId,
    );
    return Number(rows[0]?.n ?? 0);
  };
  const status = async (runId: string) =>
    (await db.prisma.run.findUniqueOrThrow({ where: { id: runId }, select: { status: true } })).status;

  beforeAll(async () => {
    db = await openTestPostgres();
    // the web server and the worker are separate processes with their own connections
    webDb = await openDb(db.target);
    web = await createHost({ role: "web", db: webDb, execution: "workers", log: () => {} });
  });
  afterAll(async () => {
    await worker?.stop();
    await web?.close();
    await webDb?.close();
    await db?.dispose();
  });

  it("a start adds the run's job in its transaction and the web server does not execute it", async () => {
    expect(web.execution).toBe("workers");
    const ids = await seedWorkflowVersion(webDb, HITL);
    const { runId } = await web.engine.startRun({ document: HITL, ...ids }, {}, { trigger: "api" });
    expect(await jobs(runId)).toBe(1);
    web.dispatcher.carryOn(runId); // nothing more to do here
    // the web server's engine takes no lease: asked to run it, it returns the snapshot
    const snapshot = await web.engine.runUntilPauseOrEnd(runId);
    expect(snapshot.status).toBe("queued");
    expect(snapshot.steps).toEqual([]);
    expect(await status(runId)).toBe("queued");
  });

  it("a worker carries started and decided runs on; the decision enqueues, the web server does not execute", async () => {
    const ids = await seedWorkflowVersion(webDb, HITL);
    const { runId } = await web.engine.startRun({ document: HITL, ...ids }, {}, { trigger: "api" });
    worker = await startWorker(db, { owner: "worker-1", concurrency: 2, pollMs: 100, sweeps: false, graceMs: 500 });
    await until("the run to wait for its approval", async () => (await status(runId)) === "waiting");
    const approval = await db.prisma.approval.findFirstOrThrow({ where: { runId } });
    const decided = await web.engine.decide(approval.id, { decision: "approve", by: "test" });
    // decided and requeued by the web server, which stopped there
    expect(decided.status).toBe("queued");
    const run = await until("the worker to finish the run", async () => {
      const r = await db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
      return r.status === "succeeded" ? r : null;
    });
    expect(run.output).toBe("Sent");
    expect(run.leaseOwner).toBeNull();
    const steps = await db.prisma.step.findMany({ where: { runId } });
    for (const s of steps) expect([s.attempt, s.status]).toEqual([1, "succeeded"]);
    // the first test's run too (its job was waiting): the worker executed both, twice for this one
    expect(await status((await db.prisma.run.findFirstOrThrow({ orderBy: { createdAt: "asc" } })).id)).not.toBe(
      "queued",
    );
    expect(worker.executed).toBeGreaterThanOrEqual(3);
  });

  it("a retry from the web server is enqueued by the commit that seeds it", async () => {
    const ids = await seedWorkflowVersion(webDb, FAILS);
    const { runId } = await web.engine.startRun({ document: FAILS, ...ids }, {}, { trigger: "api" });
    await until("the run to fail", async () => (await status(runId)) === "failed");
    const retry = await web.engine.retryFromFailed(runId, {});
    expect(await jobs(retry.runId)).toBe(1);
    web.dispatcher.carryOn(retry.runId);
    const again = await until("the worker to execute the retry", async () => {
      const r = await db.prisma.run.findUniqueOrThrow({ where: { id: retry.runId } });
      return r.status === "failed" ? r : null;
    });
    expect(again.retryOfRunId).toBe(runId);
    const boom = await db.prisma.step.findMany({ where: { runId: retry.runId, nodeId: "boom" } });
    expect(boom.map((s) => s.status)).toEqual(["failed"]);
  });

  it("a cancel from the web server stops a run a worker is executing, at once", async () => {
    const ids = await seedWorkflowVersion(webDb, SLOW);
    const { runId } = await web.engine.startRun({ document: SLOW, ...ids }, {}, { trigger: "api" });
    await until("the worker to be in the slow step", () =>
      db.prisma.step.findFirst({ where: { runId, nodeId: "slow", status: "running" } }),
    );
    const started = Date.now();
    const cancelled = await web.engine.cancel(runId, "someone");
    expect(cancelled.status).toBe("cancelled");
    expect(Date.now() - started).toBeLessThan(10_000);
    // the worker's execution is fenced out; nothing it does later changes the run
    await new Promise((r) => setTimeout(r, 500));
    const run = await db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("cancelled");
  });
});

describe("workers mode on SQLite", () => {
  it("is refused with a clear error", async () => {
    const db = await openTestSqlite();
    try {
      await expect(createHost({ role: "web", db, execution: "workers", log: () => {} })).rejects.toThrow(
        /SWITCHBOARD_EXECUTE=workers needs PostgreSQL/,
      );
    } finally {
      await db.dispose();
    }
  });
});
