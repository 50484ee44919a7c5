/**
 * RunStore contract, queries. Events after a seq, steps by start time, runs to recover, runs and approvals past
 * their deadline.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { RunStore } from "@/lib/contracts/ports";
import { type MakeFixture, useContractFixture } from "./context";

export function queryContract(name: string, make: MakeFixture) {
  describe(`RunStore contract: ${name} — queries`, () => {
    const c = useContractFixture(make);
    const { at, runInput, step, approval } = c;
    let store: RunStore;
    beforeEach(() => {
      ({ store } = c);
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
  });
}
