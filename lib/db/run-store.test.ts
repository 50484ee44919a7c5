// PrismaRunStore on SQLite (direct hot path and pure-Prisma path) and on the real PostgreSQL
// server. The engine's shared contract lives in run-store.contract.test.ts; these tests cover what
// is specific to this store: one-statement fencing, rollback on a failure inside a commit,
// single-use decisions under real concurrency, and the shared SQLite connection.
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApprovalNotPendingError, FencedError } from "@/lib/contracts/errors";
import type { ApprovalInput, CreateRunInput, StepUpsert } from "@/lib/contracts/ports";
import type { WorkflowDocument } from "@/lib/contracts/workflow-document";
import type { Db } from "./client";
import { MINIMAL_DOCUMENT, type SeededVersion, seedWorkflowVersion } from "./fixtures";
import { PrismaRunStore } from "./run-store";
import "./sqlite-direct";
import { openTestPostgres, openTestSqlite } from "./testing";

const VARIANTS = [
  { name: "sqlite (direct)", open: openTestSqlite, direct: true, backend: "sqlite-direct" },
  { name: "sqlite (prisma)", open: openTestSqlite, direct: false, backend: "prisma" },
  { name: "postgresql (direct)", open: openTestPostgres, direct: true, backend: "pg-direct" },
  { name: "postgresql (prisma)", open: openTestPostgres, direct: false, backend: "prisma" },
] as const;

const T0 = new Date("2026-01-01T00:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

describe.each(VARIANTS)("PrismaRunStore on $name", ({ open, direct, backend }) => {
  let db: Db & { dispose(): Promise<void> };
  let store: PrismaRunStore;
  let seeded: SeededVersion;
  const published: { runId: string; seqs: number[] }[] = [];

  beforeEach(async () => {
    db = await open();
    published.length = 0;
    store = new PrismaRunStore(db, {
      direct,
      onEvents: (runId, events) => published.push({ runId, seqs: events.map((e) => e.seq) }),
    });
    seeded = await seedWorkflowVersion(db);
  });
  afterEach(async () => {
    await store.close();
    await db.dispose();
  });

  function runInput(over: Partial<CreateRunInput> = {}): CreateRunInput {
    return {
      id: `run_${randomUUID()}`,
      ...seeded,
      document: MINIMAL_DOCUMENT as unknown as WorkflowDocument,
      input: { message: "hi" },
      trigger: "cli",
      status: "running",
      state: { frontier: ["start"] },
      createdAt: T0,
      startedAt: T0,
      events: [{ type: "run.started", data: { by: "test" } }],
      lease: { owner: "A", ttlMs: 30_000 },
      ...over,
    };
  }

  function step(runId: string, over: Partial<StepUpsert> = {}): StepUpsert {
    return {
      id: `step_${randomUUID()}`,
      runId,
      workspaceId: seeded.workspaceId,
      nodeId: "start",
      nodeType: "trigger",
      visit: 1,
      attempt: 1,
      status: "running",
      idempotencyKey: `${runId}:start:1`,
      input: { a: 1 },
      output: null,
      error: null,
      model: null,
      simulated: false,
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
      startedAt: at(1),
      endedAt: null,
      durationMs: null,
      ...over,
    };
  }

  function approval(runId: string, over: Partial<ApprovalInput> = {}): ApprovalInput {
    return {
      id: `appr_${randomUUID()}`,
      workspaceId: seeded.workspaceId,
      runId,
      nodeId: "approve",
      visit: 1,
      kind: "approval",
      title: "Refund $120?",
      details: "Customer asked twice",
      payload: { amount: 120 },
      allowEdit: true,
      editSchema: { type: "object" },
      assignees: { roles: ["approver"], users: [] },
      escalateTo: null,
      escalationLevel: 0,
      deadlineAt: at(60_000),
      onTimeout: "reject",
      createdAt: at(5),
      ...over,
    };
  }

  it(`uses the ${backend} write path`, () => {
    expect(store.backend).toBe(backend);
  });

  it("creates a run with its first events and the lease in one go", async () => {
    const { run, lease, events } = await store.createRun(runInput());
    expect(lease).toEqual({ runId: run.id, owner: "A", fence: 1 });
    expect(events.map((e) => e.seq)).toEqual([1]);
    const loaded = await store.loadRun(run.id);
    expect(loaded).toMatchObject({
      id: run.id,
      status: "running",
      input: { message: "hi" },
      state: { frontier: ["start"] },
      fence: 1,
      lastSeq: 1,
      leaseOwner: "A",
      leaseUntil: at(30_000),
      startedAt: T0,
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
    });
    expect(loaded?.document).toEqual(MINIMAL_DOCUMENT);
    expect(await store.listEvents(run.id, 0, 10)).toEqual([
      { runId: run.id, seq: 1, type: "run.started", data: { by: "test" }, createdAt: T0 },
    ]);
    expect(published).toEqual([{ runId: run.id, seqs: [1] }]);
  });

  it("commits steps, events and the run's new state together, with consecutive seq", async () => {
    const { run, lease } = await store.createRun(runInput());
    const s = step(run.id);
    const first = await store.commit(
      lease!,
      { steps: [s], events: [{ type: "step.started", data: { nodeId: "start" } }], run: { stepCount: 1 } },
      at(2),
    );
    expect(first.lastSeq).toBe(2);
    const second = await store.commit(
      lease!,
      {
        steps: [
          { ...s, status: "succeeded", output: { text: "ok", n: [1, 2] }, endedAt: at(3), durationMs: 2 },
          step(run.id, { nodeId: "done", nodeType: "end", idempotencyKey: `${run.id}:done:1`, startedAt: at(3) }),
        ],
        events: [
          { type: "step.succeeded", data: { nodeId: "start" } },
          { type: "step.started", data: { nodeId: "done" } },
          { type: "run.succeeded", data: {} },
        ],
        run: {
          status: "succeeded",
          output: { answer: 42 },
          state: { frontier: [] },
          usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.0125 },
          stepCount: 2,
          endedAt: at(4),
          durationMs: 4,
        },
        releaseLease: true,
      },
      at(4),
    );
    expect(second.events.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(second.lastSeq).toBe(5);
    const loaded = await store.loadRun(run.id);
    expect(loaded).toMatchObject({
      status: "succeeded",
      output: { answer: 42 },
      state: { frontier: [] },
      usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.0125 },
      stepCount: 2,
      endedAt: at(4),
      lastSeq: 5,
      leaseOwner: null,
      leaseUntil: null,
    });
    const steps = await store.listSteps(run.id);
    expect(steps.map((x) => [x.nodeId, x.status])).toEqual([
      ["start", "succeeded"],
      ["done", "running"],
    ]);
    expect(steps[0]).toMatchObject({ id: s.id, output: { text: "ok", n: [1, 2] }, endedAt: at(3), durationMs: 2 });
    expect((await store.listEvents(run.id, 2, 100)).map((e) => [e.seq, e.type])).toEqual([
      [3, "step.succeeded"],
      [4, "step.started"],
      [5, "run.succeeded"],
    ]);
    expect(published.map((p) => p.seqs)).toEqual([[1], [2], [3, 4, 5]]);
  });

  it("keeps the last write when one commit carries a step twice", async () => {
    const { run, lease } = await store.createRun(runInput());
    const s = step(run.id);
    await store.commit(lease!, { steps: [s, { ...s, status: "succeeded", output: "done" }] }, at(2));
    const [only] = await store.listSteps(run.id);
    expect(only).toMatchObject({ status: "succeeded", output: "done" });
  });

  it("refuses a commit from a fenced-out executor and writes nothing", async () => {
    const { run, lease: old } = await store.createRun(runInput());
    const newer = await store.acquireLease(run.id, "B", 30_000, at(60_000));
    expect(newer?.fence).toBe(2);
    const attempt = store.commit(
      old!,
      { steps: [step(run.id)], events: [{ type: "step.started", data: {} }], run: { status: "failed" } },
      at(60_001),
    );
    await expect(attempt).rejects.toBeInstanceOf(FencedError);
    await expect(attempt).rejects.toMatchObject({ fence: 1, currentFence: 2 });
    const loaded = await store.loadRun(run.id);
    expect(loaded).toMatchObject({ status: "running", lastSeq: 1, fence: 2, leaseOwner: "B" });
    expect(await store.listSteps(run.id)).toEqual([]);
    // the newer executor carries on
    const ok = await store.commit(newer!, { events: [{ type: "run.resumed", data: {} }] }, at(60_002));
    expect(ok.lastSeq).toBe(2);
  });

  it("rolls a commit back completely when a statement inside it fails", async () => {
    const { run, lease } = await store.createRun(runInput());
    const s = step(run.id);
    await store.commit(lease!, { steps: [s] }, at(2));
    // a second step reusing the first one's primary key fails after the run row was updated
    const clash = step(run.id, { id: s.id, nodeId: "done", idempotencyKey: `${run.id}:done:1` });
    await expect(
      store.commit(
        lease!,
        { steps: [clash], events: [{ type: "step.started", data: {} }], run: { status: "failed", stepCount: 9 } },
        at(3),
      ),
    ).rejects.toThrow();
    const loaded = await store.loadRun(run.id);
    expect(loaded).toMatchObject({ status: "running", stepCount: 0, lastSeq: 1 });
    expect((await store.listSteps(run.id)).map((x) => x.nodeId)).toEqual(["start"]);
    expect(await store.listEvents(run.id, 1, 10)).toEqual([]);
    // and the store is usable afterwards
    expect((await store.commit(lease!, { events: [{ type: "usage", data: {} }] }, at(4))).lastSeq).toBe(2);
  });

  it("commits issued together succeed or fail each on their own (group commit)", async () => {
    const a = await store.createRun(runInput());
    const b = await store.createRun(runInput());
    const c = await store.createRun(runInput());
    const stolen = await store.acquireLease(b.run.id, "thief", 30_000, at(60_000));
    expect(stolen).not.toBeNull();
    const results = await Promise.allSettled([
      store.commit(a.lease!, { events: [{ type: "usage", data: { n: 1 } }], run: { stepCount: 1 } }, at(2)),
      store.commit(b.lease!, { events: [{ type: "usage", data: { n: 2 } }], run: { stepCount: 2 } }, at(2)),
      store.commit(c.lease!, { steps: [step(c.run.id)], events: [{ type: "usage", data: { n: 3 } }] }, at(2)),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(FencedError);
    expect(await store.loadRun(a.run.id)).toMatchObject({ stepCount: 1, lastSeq: 2 });
    expect(await store.loadRun(b.run.id)).toMatchObject({ stepCount: 0, lastSeq: 1 });
    expect(await store.listSteps(c.run.id)).toHaveLength(1);
  });

  it.runIf(backend === "pg-direct")(
    "sends the commits of several runs asked for in one turn as one statement; a fenced one is refused alone",
    async () => {
      const [a, b, c] = await Promise.all([1, 2, 3].map(() => store.createRun(runInput())));
      const stolen = await store.acquireLease(b!.run.id, "thief", 30_000, at(60_000));
      expect(stolen).not.toBeNull();
      const sql = (store as unknown as { sql: { all: (...args: unknown[]) => Promise<unknown> } }).sql;
      const all = vi.spyOn(sql, "all");
      try {
        const buffered = ["x"];
        const commits = Promise.allSettled(
          [a!, b!, c!].map((r, i) =>
            store.commit(
              r.lease!,
              () => ({
                // taken at the group commit: what was buffered meanwhile rides along
                steps: buffered.map((nodeId) => step(r.run.id, { nodeId, idempotencyKey: `${r.run.id}:${nodeId}:1` })),
                events: [{ type: "usage", data: { n: i } }],
                run: { stepCount: buffered.length },
              }),
              at(2),
            ),
          ),
        );
        // still in the same turn of the event loop: the group commit has not started
        buffered.push("y");
        const results = await commits;
        expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
        expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(FencedError);
        expect((results[0] as PromiseFulfilledResult<{ lastSeq: number }>).value.lastSeq).toBe(2);
        // one statement for the three commits, plus the fenced one's read of the current fence (Prisma)
        expect(all).toHaveBeenCalledTimes(1);
      } finally {
        all.mockRestore();
      }
      expect(await store.loadRun(a!.run.id)).toMatchObject({ stepCount: 2, lastSeq: 2 });
      expect(await store.loadRun(b!.run.id)).toMatchObject({ stepCount: 0, lastSeq: 1, leaseOwner: "thief" });
      expect(await store.listSteps(b!.run.id)).toEqual([]);
      expect((await store.listSteps(c!.run.id)).map((s) => s.nodeId).sort()).toEqual(["x", "y"]);
      expect((await store.listEvents(c!.run.id, 0, 10)).map((e) => [e.seq, e.type])).toEqual([
        [1, "run.started"],
        [2, "usage"],
      ]);
    },
  );

  it.runIf(backend === "pg-direct")(
    "a group commit whose statement fails is retried commit by commit: only the faulty commit fails",
    async () => {
      const [a, b] = await Promise.all([1, 2].map(() => store.createRun(runInput())));
      const results = await Promise.allSettled([
        // a step of a run that does not exist: the foreign key fails the whole statement
        store.commit(a!.lease!, () => ({ steps: [step(`run_${randomUUID()}`)], run: { stepCount: 1 } }), at(2)),
        store.commit(b!.lease!, () => ({ steps: [step(b!.run.id)], run: { stepCount: 1 } }), at(2)),
      ]);
      expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled"]);
      expect((results[0] as PromiseRejectedResult).reason).not.toBeInstanceOf(FencedError);
      expect(await store.loadRun(a!.run.id)).toMatchObject({ stepCount: 0 });
      expect(await store.loadRun(b!.run.id)).toMatchObject({ stepCount: 1 });
      expect(await store.listSteps(b!.run.id)).toHaveLength(1);
    },
  );

  it.runIf(backend === "pg-direct")(
    "claims several runs in one statement, each as claimRun would: free or expired and unfinished only",
    async () => {
      const queued = await store.createRun(runInput({ lease: undefined, status: "queued" }));
      const held = await store.createRun(runInput({ lease: { owner: "other", ttlMs: 30_000 } }));
      const expired = await store.createRun(runInput({ lease: { owner: "dead", ttlMs: 1000 } }));
      const withStep = await store.createRun(runInput());
      await store.commit(withStep.lease!, { steps: [step(withStep.run.id)], releaseLease: true }, at(2));
      const done = await store.createRun(runInput());
      await store.commit(done.lease!, { run: { status: "succeeded" }, releaseLease: true }, at(2));
      const ids = [queued, held, expired, withStep, done].map((r) => r.run.id);
      const claimed = await store.claimRuns([...ids, queued.run.id, "run_missing"], "W", 30_000, at(5000));
      expect([...claimed.keys()].sort()).toEqual([queued.run.id, expired.run.id, withStep.run.id].sort());
      expect(claimed.get(queued.run.id)).toMatchObject({
        lease: { runId: queued.run.id, owner: "W", fence: 1 },
        run: { id: queued.run.id, status: "queued", leaseOwner: "W" },
        hasSteps: false,
        hasApprovals: false,
      });
      expect(claimed.get(expired.run.id)?.lease).toEqual({ runId: expired.run.id, owner: "W", fence: 2 });
      expect(claimed.get(withStep.run.id)).toMatchObject({ hasSteps: true, lease: { fence: 2 } });
      // the ones not claimed are untouched; the claimed ones are held until their lease expires
      expect(await store.loadRun(held.run.id)).toMatchObject({ leaseOwner: "other", fence: 1 });
      expect(await store.loadRun(done.run.id)).toMatchObject({ leaseOwner: null, fence: 1 });
      expect((await store.claimRuns(ids, "V", 30_000, at(6000))).size).toBe(0);
      expect(await store.claimRun(queued.run.id, "V", 30_000, at(36_000))).toMatchObject({ lease: { fence: 2 } });
    },
  );

  it.runIf(backend === "sqlite-direct")(
    "takes a commit source at the group commit, so what happened meanwhile rides along",
    async () => {
      const { lease, run } = await store.createRun(runInput());
      const buffered: string[] = ["a"];
      const pending = store.commit(
        lease!,
        () => ({
          run: { stepCount: buffered.length },
          steps: buffered.map((nodeId) => step(run.id, { nodeId, idempotencyKey: `${run.id}:${nodeId}:1` })),
        }),
        at(2),
      );
      // still in the same turn of the event loop: the group commit has not started
      buffered.push("b", "c");
      await pending;
      expect((await store.listSteps(run.id)).map((s) => s.nodeId).sort()).toEqual(["a", "b", "c"]);
      expect(await store.loadRun(run.id)).toMatchObject({ stepCount: 3 });
    },
  );

  it("hands the lease out once, again after expiry, and always on force", async () => {
    const { run } = await store.createRun(runInput({ lease: undefined, status: "queued" }));
    const a = await store.acquireLease(run.id, "A", 1000, at(0));
    expect(a).toEqual({ runId: run.id, owner: "A", fence: 1 });
    expect(await store.acquireLease(run.id, "B", 1000, at(500))).toBeNull();
    expect(await store.renewLease(a!, 1000, at(900))).toBe(true);
    expect(await store.acquireLease(run.id, "B", 1000, at(1500))).toBeNull();
    const b = await store.acquireLease(run.id, "B", 1000, at(2000));
    expect(b?.fence).toBe(2);
    expect(await store.renewLease(a!, 1000, at(2001))).toBe(false);
    await store.releaseLease(a!); // not ours any more: no-op
    expect((await store.loadRun(run.id))?.leaseOwner).toBe("B");
    const forced = await store.acquireLease(run.id, "admin", 1000, at(2100), { force: true });
    expect(forced?.fence).toBe(3);
    await store.releaseLease(forced!);
    expect(await store.loadRun(run.id)).toMatchObject({ leaseOwner: null, leaseUntil: null, fence: 3 });
    expect((await store.acquireLease(run.id, "C", 1000, at(2200)))?.fence).toBe(4);
  });

  it("gives the lease to exactly one of many concurrent claimants", async () => {
    const { run } = await store.createRun(runInput({ lease: undefined, status: "queued" }));
    const stores = [store, new PrismaRunStore(db, { direct }), new PrismaRunStore(db, { direct })];
    const results = await Promise.all(
      Array.from({ length: 9 }, (_, i) => stores[i % 3].acquireLease(run.id, `w${i}`, 30_000, at(0))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    await Promise.all(stores.slice(1).map((s) => s.close()));
  });

  it("decides an approval once; the loser learns who decided what", async () => {
    const { run, lease } = await store.createRun(runInput());
    const a = approval(run.id);
    await store.commit(
      lease!,
      {
        approvals: { create: [a] },
        run: { status: "waiting", waitingOnPerson: true },
        events: [{ type: "approval.requested", data: { approvalId: a.id } }],
        releaseLease: true,
      },
      at(5),
    );
    const pending = await store.listApprovals({ runId: run.id, status: "pending" });
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({
      id: a.id,
      payload: { amount: 120 },
      assignees: { roles: ["approver"], users: [] },
      deadlineAt: at(60_000),
      status: "pending",
      allowEdit: true,
      editSchema: { type: "object" },
    });
    const decide = (by: string, status: "approved" | "rejected") =>
      store.decideApproval(a.id, {
        status,
        by,
        at: at(10),
        decision: { comment: `${by} says ${status}`, via: "person" },
        events: [{ type: "approval.decided", data: { by, status } }],
      });
    const results = await Promise.allSettled([decide("ann", "approved"), decide("bob", "rejected")]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof decide>>>).value;
    expect(winner.runRequeued).toBe(true);
    const error = (lost[0] as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(ApprovalNotPendingError);
    expect(error).toMatchObject({ status: winner.approval.status, decidedBy: winner.approval.decidedById });
    expect(error.decidedAt?.getTime()).toBe(at(10).getTime());
    expect(await store.loadRun(run.id)).toMatchObject({ status: "queued", waitingOnPerson: false, lastSeq: 3 });
    const events = await store.listEvents(run.id, 0, 10);
    expect(events.map((e) => e.type)).toEqual(["run.started", "approval.requested", "approval.decided"]);
  });

  it("refuses an ifPending approval update on a decided approval and writes nothing", async () => {
    const { run, lease } = await store.createRun(runInput());
    const a = approval(run.id);
    await store.commit(lease!, { approvals: { create: [a] }, run: { status: "waiting" } }, at(5));
    await store.decideApproval(a.id, { status: "rejected", by: "ann", at: at(6), decision: { via: "person" } });
    const attempt = store.commit(
      lease!,
      {
        approvals: {
          update: [{ id: a.id, ifPending: "throw", set: { status: "expired", decision: { via: "timeout" } } }],
        },
        events: [{ type: "approval.decided", data: {} }],
        run: { status: "failed" },
      },
      at(7),
    );
    await expect(attempt).rejects.toBeInstanceOf(ApprovalNotPendingError);
    await expect(attempt).rejects.toMatchObject({ status: "rejected", decidedBy: "ann" });
    expect(await store.getApproval(a.id)).toMatchObject({ status: "rejected", decidedById: "ann" });
    expect((await store.loadRun(run.id))?.status).toBe("queued");
  });

  it("applies escalations (assignees, level, deadline) through commit", async () => {
    const { run, lease } = await store.createRun(runInput());
    const a = approval(run.id, { escalateTo: [{ roles: ["admin"], users: ["u1"] }] });
    await store.commit(lease!, { approvals: { create: [a] } }, at(5));
    await store.commit(
      lease!,
      {
        approvals: {
          update: [
            {
              id: a.id,
              ifPending: "throw",
              set: { assignees: { roles: ["admin"], users: ["u1"] }, escalationLevel: 1, deadlineAt: null },
            },
          ],
        },
      },
      at(6),
    );
    expect(await store.getApproval(a.id)).toMatchObject({
      assignees: { roles: ["admin"], users: ["u1"] },
      escalateTo: [{ roles: ["admin"], users: ["u1"] }],
      escalationLevel: 1,
      deadlineAt: null,
      status: "pending",
    });
  });

  it("finds runs to recover, runs past their deadline and approvals past theirs", async () => {
    const live = await store.createRun(runInput({ deadlineAt: at(100_000) }));
    const crashed = await store.createRun(runInput({ lease: { owner: "dead", ttlMs: 10 } }));
    const queued = await store.createRun(runInput({ lease: undefined, status: "queued", deadlineAt: at(50) }));
    const done = await store.createRun(runInput({ lease: undefined, status: "succeeded", deadlineAt: at(1) }));
    const waiting = await store.createRun(runInput({ lease: undefined, status: "waiting", deadlineAt: at(20) }));
    const a = approval(waiting.run.id, { deadlineAt: at(30) });
    const b = approval(waiting.run.id, { nodeId: "other", deadlineAt: null });
    await store.commit(live.lease!, { approvals: { create: [a, b] } }, at(1));
    const recover = await store.findRunsToRecover(at(1000));
    expect(new Set(recover)).toEqual(new Set([crashed.run.id, queued.run.id]));
    const late = await store.findRunsPastDeadline(at(1000));
    expect(late).toEqual([waiting.run.id, queued.run.id]);
    expect((await store.findApprovalsPastDeadline(at(1000))).map((x) => x.id)).toEqual([a.id]);
    expect(done.run.status).toBe("succeeded");
  });

  it("lists approvals by workspace, status and kind", async () => {
    const { run, lease } = await store.createRun(runInput());
    const a = approval(run.id);
    const b = approval(run.id, { nodeId: "budget", kind: "budget", createdAt: at(6) });
    await store.commit(lease!, { approvals: { create: [a, b] } }, at(5));
    await store.decideApproval(b.id, { status: "approved", by: null, at: at(7), decision: { via: "system" } });
    expect((await store.listApprovals({ workspaceId: seeded.workspaceId })).map((x) => x.id)).toEqual([a.id, b.id]);
    expect((await store.listApprovals({ status: ["approved"] })).map((x) => x.id)).toEqual([b.id]);
    expect((await store.listApprovals({ kind: "approval" })).map((x) => x.id)).toEqual([a.id]);
    expect(await store.listApprovals({ runId: run.id, limit: 1 })).toHaveLength(1);
    expect(await store.getApproval("nope")).toBeNull();
  });

  it("stores a large batch (more rows than one INSERT takes)", async () => {
    const { run, lease } = await store.createRun(runInput());
    const steps = Array.from({ length: 1000 }, (_, i) =>
      step(run.id, { nodeId: `n${i}`, idempotencyKey: `${run.id}:n${i}:1`, status: "succeeded" }),
    );
    const events = Array.from({ length: 1000 }, (_, i) => ({ type: "step.succeeded" as const, data: { i } }));
    const result = await store.commit(lease!, { steps, events }, at(2));
    expect(result.lastSeq).toBe(1001);
    expect(await store.listSteps(run.id)).toHaveLength(1000);
    const tail = await store.listEvents(run.id, 995, 100);
    expect(tail.map((e) => e.seq)).toEqual([996, 997, 998, 999, 1000, 1001]);
  });

  it("keeps unicode and awkward JSON intact", async () => {
    const { run, lease } = await store.createRun(runInput({ input: { name: 'Zoë 🚀 "quoted" \\ back', n: null } }));
    await store.commit(lease!, { run: { output: ["ünïcödé", { deep: { deeper: [1.5, true, null] } }] } }, at(2));
    const loaded = await store.loadRun(run.id);
    expect(loaded?.input).toEqual({ name: 'Zoë 🚀 "quoted" \\ back', n: null });
    expect(loaded?.output).toEqual(["ünïcödé", { deep: { deeper: [1.5, true, null] } }]);
  });

  if (backend === "sqlite-direct") {
    it("waits for a Prisma transaction open on the shared connection instead of joining it", async () => {
      const { run, lease } = await store.createRun(runInput());
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      // a Prisma interactive transaction that will roll back after our commit was attempted
      const prismaTx = db.prisma
        .$transaction(async (tx) => {
          await tx.workspace.update({ where: { id: seeded.workspaceId }, data: { name: "renamed" } });
          await gate;
          throw new Error("roll back");
        })
        .catch((e: Error) => e.message);
      await new Promise((r) => setTimeout(r, 10));
      const commit = store.commit(lease!, { events: [{ type: "usage", data: {} }], run: { stepCount: 7 } }, at(2));
      await new Promise((r) => setTimeout(r, 10));
      release();
      expect(await prismaTx).toBe("roll back");
      expect((await commit).lastSeq).toBe(2);
      // our commit survived their rollback; their write did not
      expect((await store.loadRun(run.id))?.stepCount).toBe(7);
      const ws = await db.prisma.workspace.findUniqueOrThrow({ where: { id: seeded.workspaceId } });
      expect(ws.name).not.toBe("renamed");
    });
  }
});
