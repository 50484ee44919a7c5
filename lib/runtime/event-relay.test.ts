// Run events across processes on the real PostgreSQL server: what one process commits wakes the
// event readers of another at once through LISTEN/NOTIFY (no poll: the reading notifier here has
// none), batched per run, and a payload never exceeds PostgreSQL's limit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, openDb } from "../db/client";
import { parseRunSeqs, runEventsChannel, runSeqPayloads } from "../db/run-events-channel";
import { openTestPostgres, openTestSqlite } from "../db/testing";
import { type EventRelay, startEventRelay } from "./event-relay";
import { createRuntimeNotifier } from "./notifier";

const event = (runId: string, seq: number) => ({
  runId,
  seq,
  type: "step.started" as const,
  data: {},
  createdAt: new Date(),
});

describe("the run-event relay (PostgreSQL LISTEN/NOTIFY)", () => {
  let db: Db & { dispose(): Promise<void> };
  let other: Db;
  const relays: EventRelay[] = [];
  beforeAll(async () => {
    db = await openTestPostgres();
    other = await openDb(db.target);
  });
  afterAll(async () => {
    for (const r of relays) await r.close();
    await other?.close();
    await db?.dispose();
  });

  it("wakes a reader in another process when a run's events are committed there", async () => {
    const worker = createRuntimeNotifier(); // process B: executes
    const web = createRuntimeNotifier(); // process A: no poll fallback, only the relay
    const publisher = await startEventRelay(db, worker, { publish: true, listen: false });
    const listener = await startEventRelay(other, web, { publish: false, listen: true });
    relays.push(publisher!, listener!);

    const started = Date.now();
    const waiting = web.waitForEvents("run-a", 2, { timeoutMs: 10_000 });
    worker.publish("run-a", [event("run-a", 1), event("run-a", 2)]); // not past 2 yet
    worker.publish("run-a", [event("run-a", 3)]);
    worker.publish("run-b", [event("run-b", 7)]);
    expect(await waiting).toBe(3);
    expect(Date.now() - started).toBeLessThan(2_000);
    // a reader already past the announced seq keeps waiting (until its timeout)
    expect(await web.waitForEvents("run-b", 7, { timeoutMs: 300 })).toBe(7);
    expect(await web.waitForEvents("run-b", 6, { timeoutMs: 5_000 })).toBe(7);
  });

  it("is off on SQLite and uses one channel per app schema", async () => {
    const sqlite = await openTestSqlite();
    try {
      expect(await startEventRelay(sqlite, createRuntimeNotifier())).toBeNull();
      expect(runEventsChannel(sqlite)).toBeNull();
    } finally {
      await sqlite.dispose();
    }
    expect(runEventsChannel(db)).toBe(`switchboard_events_${(db.target as { schema: string }).schema}`.slice(0, 63));
  });

  it("splits announcements under PostgreSQL's payload limit and reads only well-formed ones", () => {
    const many: [string, number][] = Array.from({ length: 2000 }, (_, i) => [`run-${i}-${"x".repeat(20)}`, i + 1]);
    const payloads = runSeqPayloads(many);
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8000);
    expect(payloads.flatMap((p) => parseRunSeqs(p))).toEqual(many);
    expect(parseRunSeqs("not json")).toEqual([]);
    expect(parseRunSeqs('[["a",1],["b","2"],[3,4],["c",1.5]]')).toEqual([["a", 1]]);
  });
});
