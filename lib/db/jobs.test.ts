// The run queue's database side on the real PostgreSQL server: an enqueueing run store adds a
// run's job in the very transaction that makes the run runnable (and only then), a re-queue
// replaces a pending job instead of adding one, a rolled-back (fenced) commit adds none, and the
// sweep's queries find runs that need a job.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initialState } from "../engine/state";
import { agentChain, edge, node, trigger, workflow } from "../engine/testing/builders";
import { createRuntime } from "../runtime/engine";
import { seedWorkflowVersion } from "./fixtures";
import {
  deleteSupersededJobs,
  enqueueRuns,
  findRunsWithoutJob,
  jobQueueReady,
  jobsSchemaOf,
  queueStats,
  RUN_TASK,
} from "./jobs";
import { PrismaRunStore } from "./run-store";
import { openTestPostgres, openTestSqlite } from "./testing";

type TestDb = Awaited<ReturnType<typeof openTestPostgres>>;
let db: TestDb;
let js: string;

interface JobRow {
  id: string;
  key: string | null;
  payload: { runId: string };
  attempts: number;
  max_attempts: number;
  locked_at: Date | null;
}

async function jobsOf(runId: string): Promise<JobRow[]> {
  return db.prisma.$queryRawUnsafe<JobRow[]>(
    `SELECT j.id::text, j.key, j.payload, j.attempts, j.max_attempts, j.locked_at FROM "${js}"._private_jobs j JOIN "${js}"._private_tasks t ON t.id = j.task_id
     WHERE t.identifier = $1 AND j.payload->>'runId' = $2 ORDER BY j.id`,
    RUN_TASK,
    runId,
  );
}

const doc = agentChain(2);
let ids: Awaited<ReturnType<typeof seedWorkflowVersion>>;

function runInput(id: string, opts: { lease?: boolean } = {}) {
  return {
    id,
    ...ids,
    document: doc,
    input: {},
    trigger: "api",
    status: opts.lease ? ("running" as const) : ("queued" as const),
    state: initialState("start", doc.limits, 0),
    createdAt: new Date(),
    events: [{ type: "run.started" as const, data: {} }],
    ...(opts.lease ? { lease: { owner: "test:x:1", ttlMs: 30_000 } } : {}),
  };
}

beforeAll(async () => {
  db = await openTestPostgres();
  js = jobsSchemaOf(db.target)!;
  ids = await seedWorkflowVersion(db, doc);
});
afterAll(async () => {
  await db?.dispose();
});

describe("the run queue (graphile-worker) on PostgreSQL", () => {
  it("is installed by the migrator, in a schema of its own per app schema", async () => {
    expect(js).toBe(`${(db.target as { schema: string }).schema}_jobs`);
    expect(await jobQueueReady(db)).toBe(true);
  });

  it("adds a queued run's job in the transaction that creates it; not for a run created with its lease, nor by a store that does not enqueue", async () => {
    const enqueuing = new PrismaRunStore(db, { enqueue: true });
    const plain = new PrismaRunStore(db);
    try {
      await enqueuing.createRun(runInput("r-queued-1"));
      await enqueuing.createRun(runInput("r-leased-1", { lease: true }));
      await plain.createRun(runInput("r-plain-1"));
      const jobs = await jobsOf("r-queued-1");
      expect(jobs).toHaveLength(1);
      expect(jobs[0]).toMatchObject({ key: "run:r-queued-1", payload: { runId: "r-queued-1" }, attempts: 0 });
      expect(await jobsOf("r-leased-1")).toEqual([]);
      expect(await jobsOf("r-plain-1")).toEqual([]);
      // the creation failing (the id exists) adds no job either
      await expect(enqueuing.createRun(runInput("r-leased-1"))).rejects.toThrow();
      expect(await jobsOf("r-leased-1")).toEqual([]);
    } finally {
      await enqueuing.close();
      await plain.close();
    }
  });

  it("a re-queue replaces the pending job instead of adding one; next to a started job it adds a new one", async () => {
    const store = new PrismaRunStore(db, { enqueue: true });
    try {
      await store.createRun(runInput("r-replace"));
      await enqueueRuns(db, ["r-replace"]);
      await enqueueRuns(db, ["r-replace"]);
      const pending = await jobsOf("r-replace");
      expect(pending).toHaveLength(1);
      // a worker takes the job (locks it); adding it again now adds a second job and retires the first
      await db.prisma.$executeRawUnsafe(
        `UPDATE "${js}"._private_jobs SET locked_at = now(), locked_by = 'pool-test', attempts = 1 WHERE id = $1::bigint`,
        pending[0].id,
      );
      await enqueueRuns(db, ["r-replace"]);
      const after = await jobsOf("r-replace");
      expect(after).toHaveLength(2);
      expect(after[0]).toMatchObject({ key: null }); // the started one keeps running, but never again
      expect(after[0].attempts).toBe(after[0].max_attempts);
      expect(after[1]).toMatchObject({ key: "run:r-replace", attempts: 0, locked_at: null });
      // the retired job is tidied up once its worker is presumed dead
      expect(await deleteSupersededJobs(db, 60_000)).toBe(0);
      await db.prisma.$executeRawUnsafe(
        `UPDATE "${js}"._private_jobs SET locked_at = now() - interval '2 hours' WHERE id = $1::bigint`,
        after[0].id,
      );
      expect(await deleteSupersededJobs(db, 60_000)).toBe(1);
      expect(await jobsOf("r-replace")).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it("a commit that gives up the lease of a still runnable run adds its job (both commit paths); a finished or fenced one does not", async () => {
    const store = new PrismaRunStore(db, { enqueue: true });
    try {
      // one statement: a shutdown leaves the run running without a lease
      const a = await store.createRun(runInput("r-release-1", { lease: true }));
      await store.commit(a.lease!, { events: [{ type: "run.resumed", data: {} }], releaseLease: true }, new Date());
      expect(await jobsOf("r-release-1")).toHaveLength(1);
      // a transaction (an approval update that must throw does not fit one statement)
      const b = await store.createRun(runInput("r-release-2", { lease: true }));
      await store.commit(b.lease!, { run: { status: "queued" }, releaseLease: true }, new Date());
      expect(await jobsOf("r-release-2")).toHaveLength(1);
      // finished: no job
      const c = await store.createRun(runInput("r-release-3", { lease: true }));
      await store.commit(c.lease!, { run: { status: "succeeded" }, releaseLease: true }, new Date());
      expect(await jobsOf("r-release-3")).toEqual([]);
      // a commit that keeps the lease: no job
      const d = await store.createRun(runInput("r-release-4", { lease: true }));
      await store.commit(
        d.lease!,
        { events: [{ type: "run.resumed", data: {} }], renewLease: { ttlMs: 1000 } },
        new Date(),
      );
      expect(await jobsOf("r-release-4")).toEqual([]);
      // fenced: nothing written, no job
      const taken = await store.acquireLease("r-release-4", "other", 30_000, new Date(), { force: true });
      expect(taken).not.toBeNull();
      await expect(store.commit(d.lease!, { releaseLease: true }, new Date())).rejects.toThrow(/fence/i);
      expect(await jobsOf("r-release-4")).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it("a decision that requeues its run adds the run's job in the same transaction", async () => {
    const hitl = workflow(
      [
        trigger(),
        node("ask", "approval", { title: "OK?", assignees: { roles: ["approver"], users: [] }, timeoutMs: null }),
        node("done", "end", { output: "{{ 'done' }}" }),
      ],
      [edge("start", "ask"), edge("ask", "done", "approved")],
      { name: "Ask" },
    );
    const hitlIds = await seedWorkflowVersion(db, hitl);
    const rt = createRuntime(db, { role: "test" });
    const store = new PrismaRunStore(db, { enqueue: true });
    try {
      const paused = await rt.engine.execute({ document: hitl, ...hitlIds }, {});
      expect(paused.status).toBe("waiting");
      expect(await jobsOf(paused.runId)).toEqual([]);
      await store.decideApproval(paused.approvals[0]!.id, {
        status: "approved",
        by: "test",
        at: new Date(),
        decision: { via: "person", comment: null },
        events: [{ type: "approval.decided" as const, data: {} }],
      });
      expect(await jobsOf(paused.runId)).toHaveLength(1);
    } finally {
      await store.close();
      await rt.close();
    }
  });

  it("finds the runs that need a job and have none a worker could take; counts the queue", async () => {
    const plain = new PrismaRunStore(db);
    try {
      await plain.createRun(runInput("r-orphan"));
      const found = await findRunsWithoutJob(db, new Date());
      expect(found).toContain("r-orphan");
      expect(found).not.toContain("r-queued-1"); // has a pending job
      expect(found).not.toContain("r-leased-1"); // held by a live lease
      await enqueueRuns(db, found);
      expect(await findRunsWithoutJob(db, new Date())).toEqual([]);
      const stats = await queueStats(db);
      expect(stats.waiting).toBeGreaterThanOrEqual(found.length);
      expect(stats.running).toBe(0);
    } finally {
      await plain.close();
    }
  });

  it("refuses to enqueue on SQLite", async () => {
    const sqlite = await openTestSqlite();
    try {
      expect(() => new PrismaRunStore(sqlite, { enqueue: true })).toThrow(/PostgreSQL/);
    } finally {
      await sqlite.dispose();
    }
  });
});
