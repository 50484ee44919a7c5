// A failure inside a commit, on the real databases: the database rejects a statement in the
// middle of a commit's transaction. Nothing of that commit may remain (run row, steps, events
// agree with each other), and a fresh executor carries the run to the end from what was stored.
import { afterEach, describe, expect, it } from "vitest";
import { type CommitInput, type CommitSource, type Lease, type RunStore, takeCommitInput } from "@/lib/contracts/ports";
import { seedWorkflowVersion } from "../db/fixtures";
import { PrismaRunStore } from "../db/run-store";
import { TEST_DATABASES } from "../db/testing";
import { agentChain } from "../engine/testing/builders";
import { createRuntime } from "./engine";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

/** Passes commits through, except the n-th, which carries a step whose primary key clashes. */
function poisonNthCommit(inner: PrismaRunStore, n: number): RunStore {
  let count = 0;
  let firstStepId: string | null = null;
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop !== "commit") return Reflect.get(target, prop, receiver);
      return async (lease: Lease, source: CommitSource, now: Date) => {
        const nth = ++count;
        // the store takes the input when the transaction starts: poison it then
        const poisoned = (): CommitInput => {
          const input = takeCommitInput(source);
          firstStepId ??= input.steps?.[0]?.id ?? null;
          if (nth !== n || !firstStepId || !input.steps?.length) return input;
          const clash = { ...input.steps[input.steps.length - 1], id: firstStepId, nodeId: "zz-clash" };
          return { ...input, steps: [...input.steps, clash] };
        };
        return target.commit(lease, poisoned, now);
      };
    },
  }) as RunStore;
}

describe.each(TEST_DATABASES)("a failure inside a commit on $name", ({ open }) => {
  it("leaves the stored run consistent, and recovery finishes it without re-running stored steps", async () => {
    const db = await open();
    cleanups.push(() => db.dispose());
    // latency keeps each step in its own commit, so the poisoned one is mid-run
    const document = agentChain(4, { output: "ok", latencyMs: 15 });
    const ids = await seedWorkflowVersion(db, document);
    const inner = new PrismaRunStore(db);
    cleanups.push(() => inner.close());
    const broken = createRuntime(db, { role: "test", store: poisonNthCommit(inner, 4) });
    cleanups.push(() => broken.close());

    const { runId } = await broken.engine.startRun({ document, ...ids }, {});
    await expect(broken.engine.runUntilPauseOrEnd(runId)).rejects.toThrow();

    const run = await db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    const events = await db.prisma.runEvent.findMany({ where: { runId }, orderBy: { seq: "asc" } });
    const steps = await db.prisma.step.findMany({ where: { runId } });
    // no trace of the failed commit; what is stored agrees with itself
    expect(steps.some((s) => s.nodeId === "zz-clash")).toBe(false);
    expect(run.lastSeq).toBe(events.length);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(run.stepCount).toBeLessThanOrEqual(steps.length + 1);
    expect(["running", "queued"]).toContain(run.status);
    const storedDone = steps.filter((s) => s.status === "succeeded").map((s) => s.nodeId);
    expect(storedDone.length).toBeGreaterThan(0);

    // the lease was given up (or expires): a healthy executor carries the run on
    const healthy = createRuntime(db, { role: "test" });
    cleanups.push(() => healthy.close());
    const result = await healthy.engine.runUntilPauseOrEnd(runId);
    expect(result.status).toBe("succeeded");
    const after = await db.prisma.step.findMany({ where: { runId } });
    for (const nodeId of storedDone) {
      expect(after.filter((s) => s.nodeId === nodeId && s.status === "succeeded")).toHaveLength(1);
    }
    for (const nodeId of ["start", "a1", "a2", "a3", "a4", "done"]) {
      expect(after.filter((s) => s.nodeId === nodeId && s.status === "succeeded")).toHaveLength(1);
    }
  }, 60_000);
});
