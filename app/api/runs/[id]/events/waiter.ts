// How the event stream waits for the next event: the host's run notifier (wakes at once after a
// commit in this process; polls Run.lastSeq for other processes), else a 250 ms poll. Either way
// it returns early when the request is aborted.
import type { LiveRunEvent } from "@/lib/contracts/ports";
import type { RuntimeNotifier } from "@/lib/runtime/notifier";
import { serverContext } from "@/lib/server/context";

export type EventWaiter = (runId: string, afterSeq: number, signal: AbortSignal) => Promise<void>;

export const POLL_MS = 250;

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Longest single wait on the notifier; the stream re-reads the log, re-checks its caller
 * (route.ts RECHECK_MS) and sends a heartbeat after it. */
const NOTIFIER_WAIT_MS = 2_000;

export async function runEventWaiter(): Promise<EventWaiter> {
  let notifier: RuntimeNotifier | null = null;
  try {
    notifier = (await serverContext().host()).notifier;
  } catch {
    notifier = null;
  }
  if (!notifier) return (_runId, _afterSeq, signal) => sleep(POLL_MS, signal);
  const n = notifier;
  return async (runId, afterSeq, signal) => {
    await n.waitForEvents(runId, afterSeq, { timeoutMs: NOTIFIER_WAIT_MS, signal });
  };
}

/** Live (ephemeral) events of a run executing in this process or relayed from another (PostgreSQL): what is streaming now, then each new piece. */
export type LiveFeed = (runId: string, listener: (event: LiveRunEvent) => void) => () => void;

export async function runLiveFeed(): Promise<LiveFeed | null> {
  try {
    const notifier = (await serverContext().host()).notifier;
    return (runId, listener) => {
      const unsubscribe = notifier.subscribeLive(runId, listener);
      for (const event of notifier.liveSnapshot(runId)) listener({ ...event, snapshot: true });
      return unsubscribe;
    };
  } catch {
    return null;
  }
}
