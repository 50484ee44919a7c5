// Run events across processes on the real PostgreSQL server: what one process commits wakes the
// event readers of another at once through LISTEN/NOTIFY (no poll: the reading notifier here has
// none), batched per run, and a payload never exceeds PostgreSQL's limit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, openDb } from "../db/client";
import { MAX_PAYLOAD, parseRunSeqs, runEventsChannel, runSeqPayloads } from "../db/run-events-channel";
import { openTestPostgres, openTestSqlite } from "../db/testing";
import { type EventRelay, type LiveEntry, livePayloads, parseLivePayload, startEventRelay } from "./event-relay";
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

  it("carries streamed tokens to the other process, in order, coalesced, and forgets a step when it ends there", async () => {
    const worker = createRuntimeNotifier();
    const web = createRuntimeNotifier();
    // the web server publishes too (inline runs of its own) and must not take its own tokens back
    const publisher = await startEventRelay(db, worker, { publish: true, listen: false, liveBatchMs: 20 });
    const listener = await startEventRelay(other, web, { publish: true, listen: true });
    relays.push(publisher!, listener!);

    const got: { text: string; attempt: number }[] = [];
    web.subscribeLive("run-live", (e) => got.push({ text: e.text, attempt: e.attempt }));
    const delta = (text: string, attempt = 1) =>
      worker.publishLive("run-live", { type: "step.delta", nodeId: "agent", visit: 1, attempt, text });
    // many small pieces within one batch, one piece far over a notification's size, multi-byte text
    const pieces = Array.from({ length: 50 }, (_, i) => `tok${i} `);
    for (const p of pieces) delta(p);
    const big = `${'é€😀"\n'.repeat(2_000)}end`; // 2-, 3-, 4-byte and escaped characters
    delta(big);
    await publisher!.flush();
    const expected = pieces.join("") + big;
    const started = Date.now();
    while (got.map((g) => g.text).join("") !== expected && Date.now() - started < 5_000)
      await new Promise((r) => setTimeout(r, 20));
    expect(got.map((g) => g.text).join("")).toBe(expected);
    // coalesced: far fewer deliveries than pieces, the big one split over several notifications
    expect(got.length).toBeLessThan(20);
    expect(got.length).toBeGreaterThan(1);
    expect(web.liveSnapshot("run-live")).toEqual([
      { type: "step.delta", nodeId: "agent", visit: 1, attempt: 1, text: expected.slice(-32_768) },
    ]);

    // a web server's own tokens are not delivered back to it
    const echoed: string[] = [];
    web.subscribeLive("run-own", (e) => echoed.push(e.text));
    web.publishLive("run-own", { type: "step.delta", nodeId: "n", visit: 1, attempt: 1, text: "mine" });
    await listener!.flush();
    await new Promise((r) => setTimeout(r, 200));
    expect(echoed).toEqual(["mine"]);

    // the step's end, committed by the publisher, clears the listener's snapshot
    worker.publish("run-live", [
      { runId: "run-live", seq: 5, type: "step.succeeded", data: { nodeId: "agent", visit: 1 }, createdAt: new Date() },
    ]);
    await publisher!.flush();
    expect(await web.waitForEvents("run-live", 4, { timeoutMs: 5_000 })).toBe(5);
    const until = Date.now() + 5_000;
    while (web.liveSnapshot("run-live").length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(web.liveSnapshot("run-live")).toEqual([]);
  });

  it("packs live payloads under PostgreSQL's limit, splitting long text without cutting a character", () => {
    const entries: LiveEntry[] = [
      ["r1", "a", 1, 1, "x".repeat(20_000)],
      ["r2", "b", 2, 3, "😀".repeat(3_000)],
      ["r3", "c", 1, 1, '"\\\u0001'.repeat(2_000)],
      ["r4", "d", 1, 1, "short"],
    ];
    const payloads = livePayloads("me", entries, [["r1", "a", 1], ["r2"]]);
    expect(payloads.length).toBeGreaterThan(5);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(MAX_PAYLOAD);
    const parsed = payloads.map((p) => parseLivePayload(p)!);
    const joined = new Map<string, string>();
    for (const p of parsed) for (const [run, , , , text] of p.l) joined.set(run, (joined.get(run) ?? "") + text);
    for (const [run, , , , text] of entries) expect(joined.get(run)).toBe(text);
    expect(parsed.flatMap((p) => p.e ?? [])).toEqual([["r1", "a", 1], ["r2"]]);
    expect(parseLivePayload('{"o":"x","l":[["r","n",1,1,"ok"],["bad"]],"e":[[1]]}')).toEqual({
      o: "x",
      n: 0,
      l: [["r", "n", 1, 1, "ok"]],
      e: [],
    });
    expect(parseLivePayload("[1]")).toBeNull();
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
