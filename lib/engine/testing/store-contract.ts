/**
 * runStoreContract(): the conformance suite every RunStore must pass (memory, Prisma SQLite,
 * Prisma PostgreSQL). Call it from a vitest file:
 *
 *   runStoreContract("prisma sqlite", async () => ({ store, refs, cleanup }));
 *
 * `refs` names an existing workspace / workflow / version (stores with foreign keys need them).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WorkflowDocument } from "@/lib/workflow/schema";
import { isApprovalNotPendingError, isFencedError } from "../errors";
import type { ApprovalInput, CreateRunInput, RunStore, StepRecord } from "../ports";

export interface ContractFixture {
  store: RunStore;
  /** Existing rows the runs can point at. */
  refs?: { workspaceId: string; workflowId: string; workflowVersionId: string; document?: WorkflowDocument };
  cleanup?: () => Promise<void> | void;
}

const DOC: WorkflowDocument = {
  format: "switchboard.workflow/v1",
  name: "Contract",
  nodes: [{ id: "start", type: "trigger", config: { kind: "manual" } }],
  edges: [],
};

export function runStoreContract(name: string, make: () => Promise<ContractFixture> | ContractFixture) {
  describe(`RunStore contract: ${name}`, () => {
    let fx: ContractFixture;
    let store: RunStore;
    let n = 0;
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
    const at = (ms: number) => new Date(t0 + ms);

    beforeEach(async () => {
      fx = await make();
      store = fx.store;
    });
    afterEach(async () => {
      await fx.cleanup?.();
    });

    function runInput(over: Partial<CreateRunInput> = {}): CreateRunInput {
      n += 1;
      const refs = fx.refs ?? { workspaceId: "ws1", workflowId: "wf1", workflowVersionId: "wf1@1" };
      return {
        id: `contract-run-${Date.now().toString(36)}-${n}-${Math.random().toString(36).slice(2, 8)}`,
        workspaceId: refs.workspaceId,
        workflowId: refs.workflowId,
        workflowVersionId: refs.workflowVersionId,
        document: fx.refs?.document ?? DOC,
        input: { message: "héllo ✓", nested: { list: [1, 2, { deep: true }] } },
        trigger: "manual",
        status: "running",
        state: { v: 1, tokens: [{ node: "start" }], vars: { a: 1 } },
        createdAt: at(0),
        startedAt: at(0),
        ...over,
      };
    }

    function step(runId: string, over: Partial<StepRecord> = {}): StepRecord {
      return {
        id: `step-${Math.random().toString(36).slice(2)}`,
        runId,
        workspaceId: fx.refs?.workspaceId ?? "ws1",
        nodeId: "a",
        nodeType: "agent",
        visit: 1,
        attempt: 1,
        status: "running",
        idempotencyKey: `${runId}:a:1`,
        input: null,
        output: null,
        error: null,
        model: null,
        simulated: false,
        usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
        startedAt: at(10),
        endedAt: null,
        durationMs: null,
        ...over,
      };
    }

    function approval(runId: string, over: Partial<ApprovalInput> = {}): ApprovalInput {
      return {
        id: `apr-${Math.random().toString(36).slice(2)}`,
        workspaceId: fx.refs?.workspaceId ?? "ws1",
        runId,
        nodeId: "ask",
        visit: 1,
        kind: "approval",
        title: "Refund $120?",
        details: "Customer asks for a refund",
        payload: { amount: 120 },
        allowEdit: true,
        editSchema: { type: "object" },
        assignees: { roles: ["approver"], users: [] },
        escalateTo: [{ roles: ["admin"], users: [], timeoutMs: 1000 }],
        escalationLevel: 0,
        deadlineAt: at(60_000),
        onTimeout: "reject",
        createdAt: at(20),
        ...over,
      };
    }

    it("creates a run with its first events and the lease in one go, and loads it back", async () => {
      const input = runInput({
        events: [
          { type: "run.started", data: { trigger: "manual" } },
          { type: "step.started", data: { nodeId: "start" } },
        ],
        lease: { owner: "w1", ttlMs: 30_000 },
        deadlineAt: at(3_600_000),
      });
      const created = await store.createRun(input);
      expect(created.lease).toEqual({ runId: input.id, owner: "w1", fence: 1 });
      expect(created.events.map((e) => [e.seq, e.type])).toEqual([
        [1, "run.started"],
        [2, "step.started"],
      ]);
      const run = await store.loadRun(input.id);
      expect(run).not.toBeNull();
      expect(run!.status).toBe("running");
      expect(run!.input).toEqual(input.input);
      expect(run!.state).toEqual(input.state);
      expect(run!.document.nodes[0]!.id).toBe((fx.refs?.document ?? DOC).nodes[0]!.id);
      expect(run!.fence).toBe(1);
      expect(run!.lastSeq).toBe(2);
      expect(run!.leaseOwner).toBe("w1");
      expect(run!.deadlineAt?.toISOString()).toBe(at(3_600_000).toISOString());
      expect(run!.usage).toEqual({ inputTokens: 0, outputTokens: 0, costUsd: 0 });
      expect(run!.output ?? null).toBeNull();
      expect(await store.loadRun("no-such-run")).toBeNull();
    });

    it("refuses a second run with the same id", async () => {
      const input = runInput();
      await store.createRun(input);
      await expect(store.createRun(input)).rejects.toThrow();
    });

    it("leases: one holder at a time, the fence grows on every acquisition, expiry and force take over", async () => {
      const input = runInput();
      await store.createRun(input);
      const l1 = await store.acquireLease(input.id, "w1", 1000, at(0));
      expect(l1?.fence).toBe(1);
      expect(await store.acquireLease(input.id, "w2", 1000, at(500))).toBeNull();
      expect(await store.acquireLease(input.id, "w1", 1000, at(500))).toBeNull(); // not re-entrant
      expect(await store.renewLease(l1!, 1000, at(900))).toBe(true);
      expect(await store.acquireLease(input.id, "w2", 1000, at(1500))).toBeNull(); // renewed until 1900
      const l2 = await store.acquireLease(input.id, "w2", 1000, at(2000));
      expect(l2?.fence).toBe(2);
      expect(await store.renewLease(l1!, 1000, at(2100))).toBe(false);
      const l3 = await store.acquireLease(input.id, "admin", 1000, at(2100), { force: true });
      expect(l3?.fence).toBe(3);
      await store.releaseLease(l2!); // stale release is a no-op
      expect(await store.acquireLease(input.id, "w4", 1000, at(2200))).toBeNull();
      await store.releaseLease(l3!);
      expect((await store.acquireLease(input.id, "w4", 1000, at(2200)))?.fence).toBe(4);
      expect(await store.acquireLease("no-such-run", "w1", 1000, at(0))).toBeNull();
    });

    it("commits run patch, steps, events and approvals together, with consecutive seq", async () => {
      const input = runInput({ events: [{ type: "run.started", data: {} }], lease: { owner: "w1", ttlMs: 30_000 } });
      const { lease } = await store.createRun(input);
      const s1 = step(input.id);
      const a1 = approval(input.id);
      const res = await store.commit(
        lease!,
        {
          run: {
            status: "waiting",
            state: { v: 1, tokens: [], vars: { b: "✓" } },
            usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.25 },
            stepCount: 2,
            waitingOnPerson: true,
          },
          steps: [s1],
          events: [
            { type: "step.started", data: { nodeId: "a" } },
            { type: "approval.requested", data: { approvalId: a1.id } },
          ],
          approvals: { create: [a1] },
        },
        at(30),
      );
      expect(res.lastSeq).toBe(3);
      expect(res.events.map((e) => e.seq)).toEqual([2, 3]);
      const run = await store.loadRun(input.id);
      expect(run!.status).toBe("waiting");
      expect(run!.state).toEqual({ v: 1, tokens: [], vars: { b: "✓" } });
      expect(run!.usage.inputTokens).toBe(10);
      expect(run!.usage.costUsd).toBeCloseTo(0.25);
      expect(run!.stepCount).toBe(2);
      expect(run!.waitingOnPerson).toBe(true);
      expect(run!.lastSeq).toBe(3);
      const a = await store.getApproval(a1.id);
      expect(a).toMatchObject({
        status: "pending",
        title: "Refund $120?",
        payload: { amount: 120 },
        assignees: { roles: ["approver"], users: [] },
        escalationLevel: 0,
        onTimeout: "reject",
      });
      expect(a!.escalateTo).toEqual([{ roles: ["admin"], users: [], timeoutMs: 1000 }]);
      expect(a!.deadlineAt?.toISOString()).toBe(at(60_000).toISOString());

      // The same step key again replaces the row (upsert), it does not add one.
      await store.commit(
        lease!,
        {
          steps: [
            {
              ...s1,
              status: "succeeded",
              output: { text: "done", list: [1, "two"] },
              usage: { inputTokens: 3, outputTokens: 4, costUsd: 0.001 },
              endedAt: at(40),
              durationMs: 30,
            },
          ],
        },
        at(40),
      );
      const steps = await store.listSteps(input.id);
      expect(steps).toHaveLength(1);
      expect(steps[0]).toMatchObject({
        nodeId: "a",
        visit: 1,
        attempt: 1,
        status: "succeeded",
        output: { text: "done", list: [1, "two"] },
        idempotencyKey: `${input.id}:a:1`,
        durationMs: 30,
      });
      expect(steps[0]!.usage.outputTokens).toBe(4);
      expect(steps[0]!.endedAt?.toISOString()).toBe(at(40).toISOString());
    });

    it("a stale fence writes nothing and throws FencedError", async () => {
      const input = runInput({ lease: { owner: "w1", ttlMs: 1000 } });
      const { lease: old } = await store.createRun(input);
      const fresh = await store.acquireLease(input.id, "w2", 1000, at(5000));
      expect(fresh).not.toBeNull();
      const err = await store
        .commit(
          old!,
          { run: { status: "succeeded" }, steps: [step(input.id)], events: [{ type: "run.succeeded", data: {} }] },
          at(5001),
        )
        .then(
          () => null,
          (e) => e,
        );
      expect(isFencedError(err)).toBe(true);
      const run = await store.loadRun(input.id);
      expect(run!.status).toBe("running");
      expect(run!.lastSeq).toBe(0);
      expect(await store.listSteps(input.id)).toHaveLength(0);
      // The current holder still commits.
      await store.commit(fresh!, { events: [{ type: "run.resumed", data: {} }] }, at(5002));
      expect((await store.loadRun(input.id))!.lastSeq).toBe(1);
    });

    it("an approval update that requires pending aborts the whole commit when already decided", async () => {
      const input = runInput({ lease: { owner: "w1", ttlMs: 30_000 } });
      const { lease } = await store.createRun(input);
      const a1 = approval(input.id);
      await store.commit(lease!, { approvals: { create: [a1] } }, at(1));
      await store.decideApproval(a1.id, {
        status: "approved",
        by: "u1",
        at: at(2),
        decision: { comment: "ok", via: "person" },
      });
      const err = await store
        .commit(
          lease!,
          {
            run: { status: "failed" },
            steps: [step(input.id)],
            events: [{ type: "approval.escalated", data: {} }],
            approvals: { update: [{ id: a1.id, ifPending: "throw", set: { escalationLevel: 1 } }] },
          },
          at(3),
        )
        .then(
          () => null,
          (e) => e,
        );
      expect(isApprovalNotPendingError(err)).toBe(true);
      expect(err.decidedBy).toBe("u1");
      const run = await store.loadRun(input.id);
      expect(run!.status).toBe("running");
      expect(run!.lastSeq).toBe(0);
      expect(await store.listSteps(input.id)).toHaveLength(0);
      expect((await store.getApproval(a1.id))!.escalationLevel).toBe(0);

      // ifPending: skip leaves the decided approval alone and applies the rest.
      await store.commit(
        lease!,
        {
          run: { status: "cancelled" },
          approvals: { update: [{ id: a1.id, ifPending: "skip", set: { status: "cancelled" } }] },
        },
        at(4),
      );
      expect((await store.getApproval(a1.id))!.status).toBe("approved");
      expect((await store.loadRun(input.id))!.status).toBe("cancelled");
    });

    it("decisions are single-use: of two concurrent decisions exactly one wins", async () => {
      const input = runInput({ lease: { owner: "w1", ttlMs: 30_000 } });
      const { lease } = await store.createRun(input);
      const a1 = approval(input.id);
      await store.commit(
        lease!,
        { run: { status: "waiting" }, approvals: { create: [a1] }, releaseLease: true },
        at(1),
      );
      const results = await Promise.allSettled([
        store.decideApproval(a1.id, {
          status: "approved",
          by: "alice",
          at: at(2),
          decision: { comment: "yes", via: "person" },
          events: [{ type: "approval.decided", data: { by: "alice" } }],
        }),
        store.decideApproval(a1.id, {
          status: "rejected",
          by: "bob",
          at: at(2),
          decision: { comment: "no", via: "person" },
          events: [{ type: "approval.decided", data: { by: "bob" } }],
        }),
      ]);
      const ok = results.filter((r) => r.status === "fulfilled");
      const bad = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
      expect(ok).toHaveLength(1);
      expect(bad).toHaveLength(1);
      expect(isApprovalNotPendingError(bad[0]!.reason)).toBe(true);
      const winner = (
        ok[0] as PromiseFulfilledResult<{ approval: { decidedById: string | null }; runRequeued: boolean }>
      ).value;
      expect(winner.runRequeued).toBe(true);
      expect(bad[0]!.reason.decidedBy).toBe(winner.approval.decidedById);
      const a = await store.getApproval(a1.id);
      expect(a!.decidedById).toBe(winner.approval.decidedById);
      expect(a!.decision?.comment).toBe(a!.decidedById === "alice" ? "yes" : "no");
      const run = await store.loadRun(input.id);
      expect(run!.status).toBe("queued");
      const events = await store.listEvents(input.id, 0, 100);
      expect(events.filter((e) => e.type === "approval.decided")).toHaveLength(1);
    });

    it("lists events after a seq, in order, with a limit; seq is per run", async () => {
      const r1 = runInput({ lease: { owner: "w1", ttlMs: 30_000 } });
      const r2 = runInput({ lease: { owner: "w1", ttlMs: 30_000 } });
      const c1 = await store.createRun(r1);
      const c2 = await store.createRun(r2);
      await Promise.all([
        store.commit(
          c1.lease!,
          { events: Array.from({ length: 5 }, (_, i) => ({ type: "usage" as const, data: { i } })) },
          at(1),
        ),
        store.commit(c2.lease!, { events: [{ type: "usage", data: { i: 0 } }] }, at(1)),
      ]);
      await store.commit(c1.lease!, { events: [{ type: "run.succeeded", data: { last: true } }] }, at(2));
      const all = await store.listEvents(r1.id, 0, 100);
      expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(all[5]!.data).toEqual({ last: true });
      const page = await store.listEvents(r1.id, 2, 2);
      expect(page.map((e) => e.seq)).toEqual([3, 4]);
      expect((await store.listEvents(r2.id, 0, 100)).map((e) => e.seq)).toEqual([1]);
    });

    it("calls a commit source once and stores what it returned", async () => {
      const input = runInput({ events: [{ type: "run.started", data: {} }], lease: { owner: "w1", ttlMs: 30_000 } });
      const { lease } = await store.createRun(input);
      let calls = 0;
      let stepsDone = 1;
      let built = 0;
      const pending = store.commit(
        lease!,
        () => {
          calls++;
          built = stepsDone;
          return {
            run: { stepCount: stepsDone },
            events: Array.from({ length: stepsDone }, (_, i) => ({ type: "step.succeeded" as const, data: { i } })),
          };
        },
        at(5),
      );
      // a store that takes the input late (SQLite's group commit) sees this too; others took it already
      stepsDone = 3;
      const res = await pending;
      expect(calls).toBe(1);
      expect(res.events.map((e) => e.seq)).toEqual(Array.from({ length: built }, (_, i) => i + 2));
      expect((await store.loadRun(input.id))!.stepCount).toBe(built);

      // fenced: nothing written
      await store.acquireLease(input.id, "w2", 1000, at(40_000), { force: true });
      const err = await store.commit(lease!, () => ({ run: { stepCount: 9 } }), at(6)).catch((e: unknown) => e);
      expect(isFencedError(err)).toBe(true);
      expect((await store.loadRun(input.id))!.stepCount).toBe(built);
    });

    it("a commit can create its run: everything in one transaction, or nothing", async () => {
      const input = runInput({ events: [{ type: "run.started", data: {} }], lease: { owner: "w1", ttlMs: 30_000 } });
      const lease = { runId: input.id, owner: "w1", fence: 1 };
      const s1 = step(input.id, { status: "succeeded", output: "done", endedAt: at(20), durationMs: 10 });
      const res = await store.commit(
        lease,
        () => ({
          create: input,
          run: {
            status: "succeeded",
            output: { answer: 42 },
            usage: { inputTokens: 7, outputTokens: 3, costUsd: 0.5 },
            stepCount: 1,
            endedAt: at(20),
            durationMs: 20,
          },
          steps: [s1],
          events: [
            { type: "step.succeeded", data: { nodeId: "a" } },
            { type: "run.succeeded", data: {} },
          ],
          releaseLease: true,
        }),
        at(20),
      );
      expect(res.lastSeq).toBe(3);
      expect(res.events.map((e) => [e.seq, e.type])).toEqual([
        [1, "run.started"],
        [2, "step.succeeded"],
        [3, "run.succeeded"],
      ]);
      const run = await store.loadRun(input.id);
      expect(run).toMatchObject({
        status: "succeeded",
        output: { answer: 42 },
        input: input.input,
        stepCount: 1,
        leaseOwner: null,
        fence: 1,
        lastSeq: 3,
      });
      expect(run!.usage.inputTokens).toBe(7);
      expect(run!.endedAt?.toISOString()).toBe(at(20).toISOString());
      expect((await store.listSteps(input.id)).map((s) => s.status)).toEqual(["succeeded"]);
      expect((await store.listEvents(input.id, 0, 10)).map((e) => e.seq)).toEqual([1, 2, 3]);

      // the same creation again: refused, and its steps are not written
      const again = await store
        .commit(lease, { create: input, steps: [step(input.id, { nodeId: "b", idempotencyKey: "b" })] }, at(30))
        .catch((e: unknown) => e);
      expect(again).toBeInstanceOf(Error);
      expect((await store.listSteps(input.id)).map((s) => s.nodeId)).toEqual(["a"]);
      expect((await store.loadRun(input.id))!.lastSeq).toBe(3);
    });

    it("stores many steps and events of one commit (more than one statement holds)", async () => {
      const input = runInput({ lease: { owner: "w1", ttlMs: 30_000 } });
      const { lease } = await store.createRun(input);
      const count = 75;
      const res = await store.commit(
        lease!,
        {
          steps: Array.from({ length: count }, (_, i) =>
            step(input.id, { nodeId: `n${i}`, idempotencyKey: `${input.id}:n${i}:1`, startedAt: at(100 + i) }),
          ),
          events: Array.from({ length: count }, (_, i) => ({ type: "step.started" as const, data: { i } })),
        },
        at(200),
      );
      expect(res.lastSeq).toBe(count);
      const events = await store.listEvents(input.id, 0, 1000);
      expect(events.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: count }, (_, i) => i));
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
      const steps = await store.listSteps(input.id);
      expect(steps.map((s) => s.nodeId)).toEqual(Array.from({ length: count }, (_, i) => `n${i}`));
    });

    it("lists steps by start time", async () => {
      const input = runInput({ lease: { owner: "w1", ttlMs: 30_000 } });
      const { lease } = await store.createRun(input);
      await store.commit(
        lease!,
        {
          steps: [
            step(input.id, { nodeId: "b", startedAt: at(30), idempotencyKey: `${input.id}:b:1` }),
            step(input.id, { nodeId: "a", startedAt: at(10) }),
            step(input.id, { nodeId: "a", attempt: 2, startedAt: at(20) }),
          ],
        },
        at(40),
      );
      const steps = await store.listSteps(input.id);
      expect(steps.map((s) => `${s.nodeId}/${s.attempt}`)).toEqual(["a/1", "a/2", "b/1"]);
    });

    it("finds runs to recover, runs past their deadline and approvals past theirs", async () => {
      const crashed = runInput({ status: "running", lease: { owner: "w1", ttlMs: 1000 } });
      const live = runInput({ status: "running", lease: { owner: "w1", ttlMs: 1_000_000 } });
      const queued = runInput({ status: "queued" });
      const waiting = runInput({ status: "waiting", deadlineAt: at(5000) });
      const done = runInput({ status: "succeeded", deadlineAt: at(5000) });
      for (const r of [crashed, live, queued, waiting, done]) await store.createRun(r);
      const toRecover = await store.findRunsToRecover(at(2000));
      expect(toRecover).toContain(crashed.id);
      expect(toRecover).toContain(queued.id);
      expect(toRecover).not.toContain(live.id);
      expect(toRecover).not.toContain(waiting.id);
      expect(toRecover).not.toContain(done.id);

      const past = await store.findRunsPastDeadline(at(6000));
      expect(past).toContain(waiting.id);
      expect(past).not.toContain(done.id);
      expect(await store.findRunsPastDeadline(at(4000))).not.toContain(waiting.id);

      const lease = await store.acquireLease(crashed.id, "w2", 1000, at(2000));
      const soon = approval(crashed.id, { deadlineAt: at(3000) });
      const never = approval(crashed.id, { nodeId: "ask2", deadlineAt: null });
      await store.commit(lease!, { approvals: { create: [soon, never] } }, at(2000));
      const due = await store.findApprovalsPastDeadline(at(3500));
      expect(due.map((a) => a.id)).toContain(soon.id);
      expect(due.map((a) => a.id)).not.toContain(never.id);
      expect((await store.findApprovalsPastDeadline(at(2500))).map((a) => a.id)).not.toContain(soon.id);
    });

    it("filters approvals by run, status and kind", async () => {
      const input = runInput({ lease: { owner: "w1", ttlMs: 30_000 } });
      const { lease } = await store.createRun(input);
      const a = approval(input.id, { nodeId: "x" });
      const b = approval(input.id, { nodeId: "__budget", kind: "budget" });
      await store.commit(lease!, { approvals: { create: [a, b] } }, at(1));
      await store.decideApproval(a.id, { status: "rejected", by: "u", at: at(2), decision: {} });
      expect((await store.listApprovals({ runId: input.id })).map((x) => x.id).sort()).toEqual([a.id, b.id].sort());
      expect((await store.listApprovals({ runId: input.id, status: "pending" })).map((x) => x.id)).toEqual([b.id]);
      expect(
        (await store.listApprovals({ runId: input.id, status: ["rejected", "approved"] })).map((x) => x.id),
      ).toEqual([a.id]);
      expect((await store.listApprovals({ runId: input.id, kind: "budget" })).map((x) => x.id)).toEqual([b.id]);
    });

    it("a commit can release or renew the lease in the same transaction", async () => {
      const input = runInput({ lease: { owner: "w1", ttlMs: 1000 } });
      const { lease } = await store.createRun(input);
      await store.commit(lease!, { renewLease: { ttlMs: 10_000 } }, at(900));
      expect(await store.acquireLease(input.id, "w2", 1000, at(5000))).toBeNull();
      // The engine's final commit carries both: release wins.
      await store.commit(
        lease!,
        { run: { status: "succeeded" }, renewLease: { ttlMs: 10_000 }, releaseLease: true },
        at(5000),
      );
      expect((await store.loadRun(input.id))!.leaseOwner).toBeNull();
      const next = await store.acquireLease(input.id, "w2", 1000, at(5001));
      expect(next?.fence).toBe(2);
    });
  });
}
