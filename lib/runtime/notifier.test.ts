import { afterEach, describe, expect, it } from "vitest";
import type { RunEventRecord } from "@/lib/contracts/ports";
import { openDb } from "../db/client";
import { seedWorkflowVersion } from "../db/fixtures";
import { openTestSqlite } from "../db/testing";
import { agentChain } from "../engine/testing/builders";
import { createRuntime, processNotifier } from "./engine";
import { createRuntimeNotifier } from "./notifier";

const ev = (runId: string, seq: number): RunEventRecord => ({
  runId,
  seq,
  type: "step.started",
  data: {},
  createdAt: new Date(),
});

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe("runtime notifier (in-process)", () => {
  it("wakes a waiter and the subscribers when a commit is published", async () => {
    const n = createRuntimeNotifier();
    cleanups.push(() => n.close());
    const got: number[] = [];
    n.subscribe("r1", (events) => got.push(...events.map((e) => e.seq)));
    const all: string[] = [];
    n.subscribeAll((runId) => all.push(runId));
    const waiting = n.waitForEvents("r1", 0, { timeoutMs: 5000 });
    n.publish("r2", [ev("r2", 1)]);
    n.publish("r1", [ev("r1", 1), ev("r1", 2)]);
    expect(await waiting).toBe(2);
    expect(got).toEqual([1, 2]);
    expect(all).toEqual(["r2", "r1"]);
  });

  it("returns at once when the run is already past afterSeq, so a publish between read and wait is not lost", async () => {
    const n = createRuntimeNotifier();
    cleanups.push(() => n.close());
    n.publish("r1", [ev("r1", 3)]);
    const started = Date.now();
    expect(await n.waitForEvents("r1", 2, { timeoutMs: 5000 })).toBe(3);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("gives up after the timeout or on abort, returning afterSeq", async () => {
    const n = createRuntimeNotifier();
    cleanups.push(() => n.close());
    expect(await n.waitForEvents("r1", 4, { timeoutMs: 20 })).toBe(4);
    const ac = new AbortController();
    const waiting = n.waitForEvents("r1", 5, { signal: ac.signal });
    ac.abort();
    expect(await waiting).toBe(5);
  });

  it("polls lastSeq for runs executed by another process", async () => {
    const seqs = new Map<string, number>([["r1", 1]]);
    let polls = 0;
    const n = createRuntimeNotifier({
      pollMs: 10,
      readLastSeq: async (ids) => {
        polls++;
        return new Map(ids.map((id) => [id, seqs.get(id) ?? 0]));
      },
    });
    cleanups.push(() => n.close());
    const waiting = n.waitForEvents("r1", 1, { timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 50));
    seqs.set("r1", 4);
    expect(await waiting).toBe(4);
    expect(polls).toBeGreaterThan(1);
    // no waiters: no polling
    const before = polls;
    await new Promise((r) => setTimeout(r, 60));
    expect(polls).toBe(before);
  });

  it("close() releases every waiter", async () => {
    const n = createRuntimeNotifier();
    const waiting = Promise.all([n.waitForEvents("a", 1), n.waitForEvents("b", 7)]);
    n.close();
    expect(await waiting).toEqual([1, 7]);
  });
});

describe("runtime notifier across processes (two database clients)", () => {
  it("wakes a reader in another 'process' through Run.lastSeq", async () => {
    const db = await openTestSqlite();
    cleanups.push(() => db.dispose());
    const other = await openDb(db.target); // a second client: its own process-wide notifier
    cleanups.push(() => other.close());
    const document = agentChain(2);
    const ids = await seedWorkflowVersion(db, document);
    const executor = createRuntime(db, { role: "test" });
    cleanups.push(() => executor.close());
    const { runId } = await executor.engine.startRun({ document, ...ids }, {});
    const reader = processNotifier(other);
    expect(reader).not.toBe(processNotifier(db));
    expect(processNotifier(other)).toBe(reader);
    const waiting = reader.waitForEvents(runId, 1, { timeoutMs: 10_000 });
    await executor.engine.runUntilPauseOrEnd(runId);
    const seq = await waiting;
    expect(seq).toBeGreaterThan(1);
  });
});
