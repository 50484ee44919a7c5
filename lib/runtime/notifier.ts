// Wakes run-event readers (SSE streams, the CLI, tests) when a run's event log grows.
//
// In one process the engine publishes each commit's events right after the commit (the engine's
// RunEventHub), so a stream wakes at once without polling. Runs executed by ANOTHER process (a
// worker, the CLI, a second web server) are announced on PostgreSQL by NOTIFY
// (lib/runtime/event-relay.ts calls `advance`), and, as the fallback everywhere: while anyone
// waits, one shared timer reads `Run.lastSeq` of the watched runs (one small query for all of
// them) and wakes the waiters whose run moved on. Readers always re-read the log (`listEvents(runId,
// afterSeq)`) after waking, so the notifier only has to say "look again", never carry data.

import type { LiveRunEvent, RunEventRecord } from "@/lib/contracts/ports";
import { createRunEventHub, type RunEventHub } from "../engine/notifier";

export type LastSeqReader = (runIds: string[]) => Promise<Map<string, number>>;

export interface RunNotifierOptions {
  /** Reads the committed lastSeq of runs; enables the cross-process fallback. */
  readLastSeq?: LastSeqReader;
  /** Fallback poll interval (default 500 ms). */
  pollMs?: number;
}

export interface RuntimeNotifier extends RunEventHub {
  /**
   * Ephemeral live events (a streaming model's tokens) of runs executing in this process: told to
   * live listeners at once, never stored. The text streamed so far by each running step is kept
   * (at most LIVE_TEXT_LIMIT characters, the tail) until the step's end is published, so a
   * watcher that connects mid-step starts from it (`liveSnapshot`).
   */
  publishLive(runId: string, event: LiveRunEvent): void;
  subscribeLive(runId: string, listener: (event: LiveRunEvent) => void): () => void;
  /** One `step.delta` per step of the run streaming now, carrying all its text so far. */
  liveSnapshot(runId: string): LiveRunEvent[];
  /** Every live event of every run, as published (the event relay sends them to other processes). */
  subscribeAllLive(listener: (runId: string, event: LiveRunEvent) => void): () => void;
  /**
   * Another process says a step's streaming ended (its end was committed there), or, without a
   * step, the whole run's: forgets that text, as `publish` of the step's end does here.
   */
  endLive(runId: string, step?: { nodeId: string; visit: number }): void;
  /**
   * Resolves with the newest known seq once the run's log is past `afterSeq` (in-process publish
   * or the poll), or with `afterSeq` when `timeoutMs` passes or `signal` aborts first. Never rejects.
   */
  waitForEvents(
    runId: string,
    afterSeq: number,
    options?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<number>;
  /**
   * Another process committed the run's log up to `seq` (lib/runtime/event-relay.ts, from
   * PostgreSQL NOTIFY): wakes the waiters behind it. Carries no events; readers re-read the log.
   */
  advance(runId: string, seq: number): void;
  /** Stops the poll timer and releases every waiter. */
  close(): void;
}

/** Newest seq remembered per run, bounded so memory stays flat over any number of runs. */
const KNOWN_LIMIT = 10_000;
/** Streamed text kept per running step (the tail), and runs with streaming steps kept at once. */
export const LIVE_TEXT_LIMIT = 32_768;
const LIVE_RUNS_LIMIT = 1_000;
/** Events after which a step's (or the whole run's) streamed text is no longer live. */
const STEP_ENDS = new Set(["step.succeeded", "step.failed", "step.cancelled", "step.retrying", "step.interrupted"]);
const RUN_PAUSES = new Set(["run.succeeded", "run.failed", "run.cancelled", "run.waiting"]);

interface Waiter {
  afterSeq: number;
  resolve(seq: number): void;
}

export function createRuntimeNotifier(options: RunNotifierOptions = {}): RuntimeNotifier {
  const hub = createRunEventHub();
  const pollMs = options.pollMs ?? 500;
  const waiters = new Map<string, Set<Waiter>>();
  const known = new Map<string, number>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let polling = false;
  let closed = false;
  const liveListeners = new Map<string, Set<(event: LiveRunEvent) => void>>();
  const allLiveListeners = new Set<(runId: string, event: LiveRunEvent) => void>();
  /** runId → `nodeId\u0000visit` → the step's text so far. */
  const liveText = new Map<string, Map<string, LiveRunEvent>>();

  const forgetLive = (runId: string, events: RunEventRecord[]) => {
    const steps = liveText.get(runId);
    if (!steps) return;
    for (const ev of events) {
      if (RUN_PAUSES.has(ev.type)) {
        liveText.delete(runId);
        return;
      }
      if (STEP_ENDS.has(ev.type)) steps.delete(`${ev.data.nodeId}\u0000${ev.data.visit}`);
    }
    if (steps.size === 0) liveText.delete(runId);
  };

  const remember = (runId: string, seq: number) => {
    if (seq <= (known.get(runId) ?? 0)) return;
    known.delete(runId); // re-insert: Map order is age order
    known.set(runId, seq);
    if (known.size > KNOWN_LIMIT) known.delete(known.keys().next().value as string);
  };

  const wake = (runId: string, seq: number) => {
    const set = waiters.get(runId);
    if (!set) return;
    for (const w of [...set]) if (seq > w.afterSeq) w.resolve(seq);
  };

  const schedulePoll = () => {
    if (closed || timer || !options.readLastSeq || waiters.size === 0) return;
    timer = setTimeout(poll, pollMs);
    timer.unref?.();
  };

  async function poll() {
    timer = null;
    if (polling || !options.readLastSeq) return;
    polling = true;
    try {
      const ids = [...waiters.keys()];
      if (ids.length > 0) {
        const seqs = await options.readLastSeq(ids);
        for (const [runId, seq] of seqs) {
          remember(runId, seq);
          wake(runId, seq);
        }
      }
    } catch {
      // a failed poll is retried on the next tick
    } finally {
      polling = false;
      schedulePoll();
    }
  }

  return {
    publish(runId: string, events: RunEventRecord[]) {
      if (events.length === 0) return;
      const seq = events[events.length - 1].seq;
      remember(runId, seq);
      forgetLive(runId, events);
      hub.publish(runId, events);
      wake(runId, seq);
    },
    publishLive(runId, event) {
      let steps = liveText.get(runId);
      if (!steps) {
        steps = new Map();
        liveText.set(runId, steps);
        if (liveText.size > LIVE_RUNS_LIMIT) liveText.delete(liveText.keys().next().value as string);
      }
      const key = `${event.nodeId}\u0000${event.visit}`;
      const prev = steps.get(key);
      const text = prev && prev.attempt === event.attempt ? prev.text + event.text : event.text;
      steps.set(key, { ...event, text: text.length > LIVE_TEXT_LIMIT ? text.slice(-LIVE_TEXT_LIMIT) : text });
      for (const l of allLiveListeners) {
        try {
          l(runId, event);
        } catch {
          // a broken listener must not break the engine
        }
      }
      const listeners = liveListeners.get(runId);
      if (!listeners) return;
      for (const l of listeners) {
        try {
          l(event);
        } catch {
          // a broken listener must not break the engine
        }
      }
    },
    subscribeLive(runId, listener) {
      let set = liveListeners.get(runId);
      if (!set) {
        set = new Set();
        liveListeners.set(runId, set);
      }
      set.add(listener);
      return () => {
        set!.delete(listener);
        if (set!.size === 0 && liveListeners.get(runId) === set) liveListeners.delete(runId);
      };
    },
    liveSnapshot(runId) {
      return [...(liveText.get(runId)?.values() ?? [])].map((e) => ({ ...e }));
    },
    subscribeAllLive(listener) {
      allLiveListeners.add(listener);
      return () => {
        allLiveListeners.delete(listener);
      };
    },
    endLive(runId, step) {
      if (!step) {
        liveText.delete(runId);
        return;
      }
      const steps = liveText.get(runId);
      steps?.delete(`${step.nodeId}\u0000${step.visit}`);
      if (steps?.size === 0) liveText.delete(runId);
    },
    advance(runId: string, seq: number) {
      remember(runId, seq);
      wake(runId, seq);
    },
    subscribe: hub.subscribe,
    subscribeAll: hub.subscribeAll,
    waitForEvents(runId, afterSeq, { timeoutMs, signal } = {}) {
      const seen = known.get(runId) ?? 0;
      if (seen > afterSeq || closed || signal?.aborted) return Promise.resolve(Math.max(seen, afterSeq));
      return new Promise<number>((resolve) => {
        let mine = waiters.get(runId);
        if (!mine) {
          mine = new Set();
          waiters.set(runId, mine);
        }
        let timeout: ReturnType<typeof setTimeout> | undefined;
        const set = mine;
        const waiter: Waiter = {
          afterSeq,
          resolve(seq) {
            set.delete(waiter);
            if (set.size === 0 && waiters.get(runId) === set) waiters.delete(runId);
            if (timeout) clearTimeout(timeout);
            signal?.removeEventListener("abort", onAbort);
            resolve(seq);
          },
        };
        const onAbort = () => waiter.resolve(afterSeq);
        set.add(waiter);
        signal?.addEventListener("abort", onAbort, { once: true });
        if (timeoutMs !== undefined) timeout = setTimeout(() => waiter.resolve(afterSeq), timeoutMs);
        schedulePoll();
      });
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      for (const set of [...waiters.values()]) for (const w of [...set]) w.resolve(w.afterSeq);
    },
  };
}
