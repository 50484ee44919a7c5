// Taking over a run whose executor is gone: a decision (or any resume) made after the executing
// process died carries the run on at once when the lease holder is known to be dead, instead of
// answering "another process is executing this run" until the lease expires. And a resume never
// leaves a lease on a run that is already finished.
import { describe, expect, it } from "vitest";
import type { RunStore } from "@/lib/contracts/ports";
import { builtinNodes as nodes } from "@/lib/nodes/builtin";
import { createSequentialIds } from "@/lib/testing/test-engine";
import { createEngine } from "./engine";
import { edge, node, trigger, workflow } from "./testing/builders";
import { crashable } from "./testing/crash";
import { FakeClock, settle } from "./testing/fake-clock";
import { createMemoryStore } from "./testing/memory-store";

/** start → ask (approval) and start → slow (5 s) in parallel, both into `done`. */
const PARALLEL = workflow(
  [
    trigger(),
    node("ask", "approval", { title: "ok?", timeoutMs: null }),
    node("slow", "agent", { prompt: "slow", simulate: { output: "slow done", latencyMs: 5000 } }),
    node("done", "end", { output: "{{ nodes.slow.output }}" }),
  ],
  [edge("start", "ask"), edge("start", "slow"), edge("ask", "done", "approved"), edge("slow", "done")],
);

/** p1 executes PARALLEL until the approval is pending and `slow` runs, then dies. */
async function diedWhileExecuting() {
  const store = createMemoryStore();
  const clock = new FakeClock();
  const ids = createSequentialIds();
  const crash = crashable(store);
  const p1 = createEngine({ nodes, store: crash.store, clock, ids, owner: "p1", leaseTtlMs: 30_000 });
  void p1.execute({ document: PARALLEL }, {});
  await clock.advance(1000);
  const runId = store.dump().runs[0]!.id;
  const [approval] = await store.listApprovals({ runId, status: "pending" });
  expect(approval).toBeDefined();
  expect((await store.listSteps(runId)).find((s) => s.nodeId === "slow")?.status).toBe("running");
  crash.crash();
  return { store, clock, ids, runId, approvalId: approval!.id };
}

describe("taking over the lease of a dead executor", () => {
  it("decide after the executing process died carries the run on at once", async () => {
    const { store, clock, ids, runId, approvalId } = await diedWhileExecuting();
    const fenceBefore = (await store.loadRun(runId))!.fence;
    const p2 = createEngine({
      nodes,
      store,
      clock,
      ids,
      owner: "p2",
      executorGone: (owner) => owner === "p1",
    });
    const deciding = p2.decide(approvalId, { decision: "approve", by: "u" });
    await clock.advance(6000);
    const result = await deciding;
    expect(result.status).toBe("succeeded");
    expect(result.output).toBe("slow done");
    const slow = (await store.listSteps(runId)).filter((s) => s.nodeId === "slow");
    expect(slow.map((s) => [s.attempt, s.status, s.error?.code ?? null])).toEqual([
      [1, "failed", "interrupted"],
      [2, "succeeded", null],
    ]);
    const run = (await store.loadRun(runId))!;
    expect(run.fence).toBe(fenceBefore + 1);
    expect(run.leaseOwner).toBeNull();
  });

  it("a holder that may be alive keeps its lease until it expires: the decision is stored, the run waits for it", async () => {
    const { store, clock, ids, runId, approvalId } = await diedWhileExecuting();
    const p2 = createEngine({ nodes, store, clock, ids, owner: "p2", executorGone: () => false });
    const result = await p2.decide(approvalId, { decision: "approve", by: "u" });
    expect(result.status).toBe("running");
    expect((await store.getApproval(approvalId))!.status).toBe("approved");
    expect((await store.loadRun(runId))!.leaseOwner).toBe("p1");
    // Once the lease expired anyone may take it: recover finishes the run.
    clock.set(clock.now().getTime() + 31_000);
    const recovering = p2.recover(clock.now());
    await clock.advance(6000);
    const [done] = await recovering;
    expect(done!.status).toBe("succeeded");
  });

  it("never takes the lease from a holder it does not know to be dead", async () => {
    const { store, clock, ids, runId } = await diedWhileExecuting();
    const asked: string[] = [];
    const p2 = createEngine({
      nodes,
      store,
      clock,
      ids,
      owner: "p2",
      executorGone: (owner) => {
        asked.push(owner);
        return owner === "someone-else";
      },
    });
    const r = await p2.runUntilPauseOrEnd(runId);
    expect(r.status).toBe("running");
    expect(asked).toEqual(["p1"]);
    expect((await store.loadRun(runId))!.leaseOwner).toBe("p1");
  });
});

describe("a resume of a finished run", () => {
  it("does not take its lease, so a process killed right then leaves no stale lease behind", async () => {
    const store = createMemoryStore();
    const clock = new FakeClock(undefined, { autoAdvance: true });
    const doc = workflow([trigger(), node("e", "end", { output: "done" })], [edge("start", "e")]);
    const first = createEngine({ nodes, store, clock, owner: "p1" });
    const r = await first.execute({ document: doc }, {});
    expect(r.status).toBe("succeeded");
    expect((await store.loadRun(r.runId))!.leaseOwner).toBeNull();

    // A `recover` that found the run unfinished a moment ago, and dies right after taking the lease.
    let acquired = 0;
    const dying = new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop !== "acquireLease") return value;
        return async (...args: Parameters<RunStore["acquireLease"]>) => {
          const lease = await target.acquireLease(...args);
          if (lease) acquired++;
          return new Promise<never>(() => {}); // the process is gone
        };
      },
    }) as RunStore;
    const recovering = createEngine({ nodes, store: dying, clock, owner: "p2" });
    void recovering.runUntilPauseOrEnd(r.runId);
    await settle();
    expect(acquired).toBe(0);
    const run = (await store.loadRun(r.runId))!;
    expect(run.leaseOwner).toBeNull();
    expect(run.status).toBe("succeeded");

    // Neither does a cancel that comes too late: it returns the result as it is.
    const late = await createEngine({ nodes, store, clock, owner: "p3" }).cancel(r.runId, "admin");
    expect(late).toMatchObject({ runId: r.runId, status: "succeeded", output: "done" });
    const after = (await store.loadRun(r.runId))!;
    expect(after).toMatchObject({ status: "succeeded", leaseOwner: null, fence: run.fence });
  });
});
