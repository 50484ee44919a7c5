// Run events across processes on PostgreSQL: every process announces the seqs its commits reach
// (batched: at most one NOTIFY round trip every `batchMs`, the newest seq per run), and web
// servers listen, so an event stream on web server A wakes as soon as worker B commits — no poll
// in between. The notifier's poll of Run.lastSeq (lib/runtime/notifier.ts) stays as the fallback
// for a dropped connection or a lost notification. Announcements follow the commit (the engine
// publishes a commit's events after it), so a woken reader always finds the events in the log.
//
// Streamed model tokens (`step.delta` live events) are not in the log, so they travel in the
// notifications themselves: what the engine published live since the last flush, coalesced per
// step (consecutive pieces of one step become one), cut into payloads under PostgreSQL's 8,000
// byte limit (a long piece is split across payloads, in order), sent before the seqs of the same
// flush in one round trip, so a listener gets a step's tokens before it learns the step ended.
// They were redacted by the engine before they were published (lib/engine/execution/step.ts);
// the relay sends them as they are. A listener hands them to its notifier (`publishLive`), so
// its event streams and their snapshots see them as if the run executed there; when the
// publisher commits the end of a step it streamed, the payload says so (`endLive`). Every
// payload names the process that sent it, so a process that publishes and listens (a web server
// executing inline) ignores its own. Best effort, like the tokens themselves: while the
// connection is down they are dropped, and at most LIVE_PENDING_LIMIT characters wait for a slow
// connection (the rest are dropped: the step's stored output follows when it ends).
import { randomBytes } from "node:crypto";
import type { LiveRunEvent } from "@/lib/contracts/ports";
import type { Db } from "../db/client";
import {
  MAX_PAYLOAD,
  openRunEventsChannel,
  type RunEventsChannel,
  type RunSeqs,
  runSeqPayloads,
} from "../db/run-events-channel";
import type { RuntimeNotifier } from "./notifier";

export interface EventRelayOptions {
  /** Announce this process's commits (web servers and workers). Default true. */
  publish?: boolean;
  /** Wake this process's readers on other processes' commits (web servers). Default true. */
  listen?: boolean;
  /** Longest wait before an announcement goes out (default 10 ms). */
  batchMs?: number;
  /** Send (publish) and receive (listen) streamed tokens too. Default true. */
  live?: boolean;
  /** Longest wait before streamed tokens go out (default 25 ms; the first of both timers sends both). */
  liveBatchMs?: number;
  log?: (line: string) => void;
}

export interface EventRelay {
  /** Announces what is pending now (tests); resolves when sent. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Characters of streamed text waiting to be sent at most (a slow connection); more are dropped. */
export const LIVE_PENDING_LIMIT = 256 * 1024;
/** Runs whose streamed steps the publisher remembers (to announce their ends). */
const STREAMED_RUNS_LIMIT = 1_000;
const STEP_ENDS = new Set(["step.succeeded", "step.failed", "step.cancelled", "step.retrying", "step.interrupted"]);
const RUN_PAUSES = new Set(["run.succeeded", "run.failed", "run.cancelled", "run.waiting"]);

// ------------------------------------------------------------------ the live payload format

/** One step's new text: [runId, nodeId, visit, attempt, text]. */
export type LiveEntry = [runId: string, nodeId: string, visit: number, attempt: number, text: string];
/** A step's streaming ended: [runId, nodeId, visit]; the whole run's: [runId]. */
export type LiveEnd = [runId: string, nodeId: string, visit: number] | [runId: string];

export interface LivePayload {
  /** The sending process. */
  o: string;
  /** A counter (PostgreSQL delivers identical payloads of one transaction once). */
  n: number;
  l: LiveEntry[];
  e?: LiveEnd[];
}

/** Bytes `ch` (one code point) takes inside a JSON string. */
function jsonCost(cp: number): number {
  if (cp === 0x22 || cp === 0x5c) return 2;
  if (cp < 0x20) return cp === 0x0a || cp === 0x0d || cp === 0x09 || cp === 0x08 || cp === 0x0c ? 2 : 6;
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  if (cp >= 0xd800 && cp <= 0xdfff) return 6; // a lone surrogate: escaped
  return cp > 0xffff ? 4 : 3;
}

/** The longest head of `text` whose JSON-encoded bytes fit in `room` (never cuts a code point). */
function headFitting(text: string, room: number): string {
  let bytes = 0;
  let i = 0;
  for (const ch of text) {
    const cost = jsonCost(ch.codePointAt(0)!);
    if (bytes + cost > room) break;
    bytes += cost;
    i += ch.length;
  }
  return text.slice(0, i);
}

const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/**
 * The payloads for these entries and ends, in order, each at most `max` bytes: entries are packed
 * together, and a text too long for the room left is split across payloads.
 */
export function livePayloads(
  origin: string,
  entries: LiveEntry[],
  ends: LiveEnd[] = [],
  max = MAX_PAYLOAD,
  counter: () => number = () => 0,
): string[] {
  const out: string[] = [];
  let current: LivePayload = { o: origin, n: counter(), l: [] };
  // `{"o":"…","n":123456789,"l":[],"e":[]}` with room for the counter's digits
  const emptySize = () => bytesOf({ ...current, n: 1e15, e: [] });
  let size = emptySize();
  const close = () => {
    if (current.l.length === 0 && !current.e?.length) return;
    out.push(JSON.stringify(current));
    current = { o: origin, n: counter(), l: [] };
    size = emptySize();
  };
  for (const [runId, nodeId, visit, attempt, text] of entries) {
    let rest = text;
    while (rest.length > 0) {
      const overhead = bytesOf([runId, nodeId, visit, attempt, ""]) + 1;
      let room = max - size - overhead;
      if (room < 64 && current.l.length > 0) {
        close();
        room = max - size - overhead;
      }
      if (room < 16) throw new Error("A live event's ids do not fit in a notification.");
      const head = headFitting(rest, room);
      current.l.push([runId, nodeId, visit, attempt, head]);
      size += overhead + bytesOf(head) - 2;
      rest = rest.slice(head.length);
      if (rest.length > 0) close();
    }
  }
  for (const end of ends) {
    const bytes = bytesOf(end) + 1;
    if (size + bytes > max) close();
    if (!current.e) current.e = [];
    current.e.push(end);
    size += bytes;
  }
  close();
  return out;
}

/** Reads a live payload; null when it is not one (or malformed). Drops malformed entries. */
export function parseLivePayload(payload: string): LivePayload | null {
  try {
    const v = JSON.parse(payload) as Partial<LivePayload> | null;
    if (!v || typeof v !== "object" || typeof v.o !== "string" || !Array.isArray(v.l)) return null;
    const str = (x: unknown): x is string => typeof x === "string";
    const int = (x: unknown): x is number => Number.isInteger(x);
    const l = v.l.filter(
      (e): e is LiveEntry =>
        Array.isArray(e) && e.length === 5 && str(e[0]) && str(e[1]) && int(e[2]) && int(e[3]) && str(e[4]),
    );
    const e = (Array.isArray(v.e) ? v.e : []).filter(
      (x): x is LiveEnd =>
        Array.isArray(x) && str(x[0]) && (x.length === 1 || (x.length === 3 && str(x[1]) && int(x[2]))),
    );
    return { o: v.o, n: Number(v.n) || 0, l, e };
  } catch {
    return null;
  }
}

// ------------------------------------------------------------------ the relay

/** Starts the relay on PostgreSQL; null on SQLite (one machine: the notifier's poll is enough). */
export async function startEventRelay(
  db: Db,
  notifier: RuntimeNotifier,
  options: EventRelayOptions = {},
): Promise<EventRelay | null> {
  if (db.provider !== "postgresql") return null;
  const publish = options.publish ?? true;
  const listen = options.listen ?? true;
  const live = options.live ?? true;
  if (!publish && !listen) return null;
  const batchMs = options.batchMs ?? 10;
  const liveBatchMs = options.liveBatchMs ?? 25;
  const origin = randomBytes(8).toString("hex");
  let counter = 0;

  // ---- listening: other processes' seqs wake readers; their tokens go to this notifier
  let delivering = false;
  const onObject = (payload: string) => {
    const p = parseLivePayload(payload);
    if (!p || p.o === origin) return;
    delivering = true;
    try {
      for (const [runId, nodeId, visit, attempt, text] of p.l)
        notifier.publishLive(runId, { type: "step.delta", nodeId, visit, attempt, text });
      for (const end of p.e ?? [])
        notifier.endLive(end[0], end.length === 3 ? { nodeId: end[1], visit: end[2] } : undefined);
    } finally {
      delivering = false;
    }
  };
  const channel: RunEventsChannel | null = await openRunEventsChannel(db, {
    ...(listen
      ? {
          onSeqs: (seqs: RunSeqs) => {
            for (const [runId, seq] of seqs) notifier.advance(runId, seq);
          },
          ...(live ? { onObject } : {}),
        }
      : {}),
  });
  if (!channel) return null;

  // ---- publishing
  const pendingSeqs = new Map<string, number>();
  /** `runId\0nodeId\0visit\0attempt` → the entry whose text grows until the flush. */
  const pendingLive = new Map<string, LiveEntry>();
  let pendingChars = 0;
  let pendingEnds: LiveEnd[] = [];
  let droppedLog = false;
  /** runId → the steps (`nodeId\0visit`) whose tokens this process sent, to announce their ends. */
  const streamed = new Map<string, Set<string>>();

  let timer: ReturnType<typeof setTimeout> | null = null;
  let timerAt = 0;
  let chain: Promise<void> = Promise.resolve();
  let queued = false;
  const take = (): string[] => {
    const payloads: string[] = [];
    if (pendingLive.size > 0 || pendingEnds.length > 0) {
      payloads.push(...livePayloads(origin, [...pendingLive.values()], pendingEnds, MAX_PAYLOAD, () => ++counter));
      pendingLive.clear();
      pendingChars = 0;
      pendingEnds = [];
    }
    if (pendingSeqs.size > 0) {
      payloads.push(...runSeqPayloads([...pendingSeqs]));
      pendingSeqs.clear();
    }
    return payloads;
  };
  /** Sends everything pending; a send already waiting behind the one in flight takes what comes meanwhile. */
  const send = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (queued) return chain;
    queued = true;
    chain = chain
      .then(() => {
        queued = false;
        return channel.notifyPayloads(take());
      })
      .catch((error: unknown) => options.log?.(`[events] announcing failed: ${String(error)}`));
    return chain;
  };
  const schedule = (ms: number) => {
    const at = Date.now() + ms;
    if (timer && timerAt <= at) return;
    if (timer) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(send, ms);
    timer.unref?.();
  };

  const unsubscribe = publish
    ? notifier.subscribeAll((runId, events) => {
        const seq = events[events.length - 1]?.seq;
        if (seq === undefined) return;
        if (seq > (pendingSeqs.get(runId) ?? 0)) pendingSeqs.set(runId, seq);
        const steps = streamed.get(runId);
        if (steps) {
          for (const ev of events) {
            if (RUN_PAUSES.has(ev.type)) {
              streamed.delete(runId);
              pendingEnds.push([runId]);
              break;
            }
            if (!STEP_ENDS.has(ev.type)) continue;
            const data = ev.data as { nodeId?: unknown; visit?: unknown };
            const key = `${data.nodeId}\u0000${data.visit}`;
            if (typeof data.nodeId === "string" && typeof data.visit === "number" && steps.delete(key))
              pendingEnds.push([runId, data.nodeId, data.visit]);
          }
          if (steps.size === 0) streamed.delete(runId);
        }
        schedule(batchMs);
      })
    : () => {};
  const unsubscribeLive =
    publish && live
      ? notifier.subscribeAllLive((runId, event: LiveRunEvent) => {
          if (delivering || event.snapshot || !event.text) return; // another process's tokens: not ours to send
          if (pendingChars + event.text.length > LIVE_PENDING_LIMIT) {
            if (!droppedLog) options.log?.("[events] streamed tokens dropped: the database connection is too slow");
            droppedLog = true;
            return;
          }
          droppedLog = false;
          const key = `${runId}\u0000${event.nodeId}\u0000${event.visit}\u0000${event.attempt}`;
          const entry = pendingLive.get(key);
          if (entry) entry[4] += event.text;
          else pendingLive.set(key, [runId, event.nodeId, event.visit, event.attempt, event.text]);
          pendingChars += event.text.length;
          let steps = streamed.get(runId);
          if (!steps) {
            steps = new Set();
            streamed.set(runId, steps);
            if (streamed.size > STREAMED_RUNS_LIMIT) streamed.delete(streamed.keys().next().value as string);
          }
          steps.add(`${event.nodeId}\u0000${event.visit}`);
          schedule(liveBatchMs);
        })
      : () => {};

  return {
    flush() {
      return send();
    },
    async close() {
      unsubscribe();
      unsubscribeLive();
      await send();
      await channel.close();
    },
  };
}
