// The engine and the SQLite store together: a commit takes the engine's buffer when the group
// commit runs, and a run started with execute() is created by its first commit, so a run of
// zero-latency steps is ONE transaction — and what is stored is complete and ordered.
import { afterEach, expect, it } from "vitest";
import type { RunStore } from "@/lib/contracts/ports";
import { seedWorkflowVersion } from "../db/fixtures";
import { PrismaRunStore } from "../db/run-store";
import { openTestSqlite } from "../db/testing";
import { agentChain } from "../engine/testing/builders";
import { createRuntime } from "./engine";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

function counting(inner: PrismaRunStore) {
  const calls = { commit: 0, createRun: 0 };
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop !== "commit" && prop !== "createRun") return value;
      return (...args: unknown[]) => {
        calls[prop]++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as RunStore;
  return { store, calls };
}

it("stores a zero-latency 5-step run in one commit that also creates it, completely", async () => {
  const db = await openTestSqlite();
  cleanups.push(() => db.dispose());
  const document = agentChain(5);
  const ids = await seedWorkflowVersion(db, document);
  const inner = new PrismaRunStore(db);
  cleanups.push(() => inner.close());
  const { store, calls } = counting(inner);
  const rt = createRuntime(db, { role: "test", store });
  cleanups.push(() => rt.close());

  const result = await rt.engine.execute({ document, ...ids }, {});
  expect(result.status).toBe("succeeded");
  expect(calls).toEqual({ commit: 1, createRun: 0 });

  const run = await db.prisma.run.findUniqueOrThrow({ where: { id: result.runId } });
  expect(run).toMatchObject({ status: "succeeded", stepCount: 7, leaseOwner: null });
  const steps = await db.prisma.step.findMany({ where: { runId: result.runId } });
  expect(steps.map((s) => s.status)).toEqual(Array(7).fill("succeeded"));
  const events = await db.prisma.runEvent.findMany({ where: { runId: result.runId }, orderBy: { seq: "asc" } });
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(run.lastSeq).toBe(events.length);
  expect(events[0].type).toBe("run.started");
  expect(events.at(-1)?.type).toBe("run.succeeded");
});
