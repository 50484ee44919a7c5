// How the event stream waits for the next event: the process's run notifier when the runtime
// provides one (wakes at once after a commit), else a 250 ms poll. Either way it returns early
// when the request is aborted.
import type { Db } from "@/lib/db/client";
import { processNotifier } from "@/lib/runtime/engine";

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

/** Longest single wait on the notifier; the stream re-reads the log and sends a heartbeat after it. */
const NOTIFIER_WAIT_MS = 5_000;

export async function runEventWaiter(db: Db): Promise<EventWaiter> {
  let notifier: ReturnType<typeof processNotifier> | null = null;
  try {
    notifier = processNotifier(db);
  } catch {
    notifier = null;
  }
  if (!notifier) return (_runId, _afterSeq, signal) => sleep(POLL_MS, signal);
  const n = notifier;
  return async (runId, afterSeq, signal) => {
    await n.waitForEvents(runId, afterSeq, { timeoutMs: NOTIFIER_WAIT_MS, signal });
  };
}
