// Wakes run-event readers (SSE streams, the CLI, tests) when a run's event log grows.
//
// In one process the engine publishes each commit's events right after the commit (the engine's
// RunEventHub), so a stream wakes at once without polling. Runs executed by ANOTHER process (a
// worker, the CLI, a second web server) are seen through a fallback: while anyone waits, one
// shared timer reads `Run.lastSeq` of the watched runs (one small query for all of them) and
// wakes the waiters whose run moved on. Readers always re-read the log (`listEvents(runId,
// afterSeq)`) after waking, so the notifier only has to say "look again", never carry data.
import { createRunEventHub, type RunEventHub } from "../engine/notifier";
import type { RunEventRecord } from "../engine/ports";

export type LastSeqReader = (runIds: string[]) => Promise<Map<string, number>>;

export interface RunNotifierOptions {
  /** Reads the committed lastSeq of runs; enables the cross-process fallback. */
  readLastSeq?: LastSeqReader;
  /** Fallback poll interval (default 500 ms). */
  pollMs?: number;
}

export interface RuntimeNotifier extends RunEventHub {
  /**
   * Resolves with the newest known seq once the run's log is past `afterSeq` (in-process publish
   * or the poll), or with `afterSeq` when `timeoutMs` passes or `signal` aborts first. Never rejects.
   */
  waitForEvents(
    runId: string,
    afterSeq: number,
    options?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<number>;
  /** Stops the poll timer and releases every waiter. */
  close(): void;
}

/** Newest seq remembered per run, bounded so memory stays flat over any number of runs. */
const KNOWN_LIMIT = 10_000;

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
      hub.publish(runId, events);
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
