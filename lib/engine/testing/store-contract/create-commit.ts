/**
 * RunStore contract, create and commit. Creating runs and committing to them: one run per id, the first events and the lease with
 * the run, run patch + steps + events + approvals in one commit with consecutive seq, commit
 * sources, a commit that creates its run, large commits.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { isFencedError } from "@/lib/contracts/errors";
import type { RunStore } from "@/lib/contracts/ports";
import { type ContractFixture, DOC, type MakeFixture, useContractFixture } from "./context";

export function createCommitContract(name: string, make: MakeFixture) {
  describe(`RunStore contract: ${name} — create and commit`, () => {
    const c = useContractFixture(make);
    const { at, runInput, step, approval } = c;
    let store: RunStore;
    let fx: ContractFixture;
    beforeEach(() => {
      ({ store, fx } = c);
    });

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
  });
}
