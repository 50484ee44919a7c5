// Run events across processes on PostgreSQL: every process announces the seqs its commits reach
// (batched: at most one NOTIFY every `batchMs`, the newest seq per run), and web servers listen,
// so an event stream on web server A wakes as soon as worker B commits — no poll in between. The
// notifier's poll of Run.lastSeq (lib/runtime/notifier.ts) stays as the fallback for a dropped
// connection or a lost notification. Announcements follow the commit (the engine publishes a
// commit's events after it), so a woken reader always finds the events in the log.
import type { Db } from "../db/client";
import { openRunEventsChannel, type RunEventsChannel, type RunSeqs } from "../db/run-events-channel";
import type { RuntimeNotifier } from "./notifier";

export interface EventRelayOptions {
  /** Announce this process's commits (web servers and workers). Default true. */
  publish?: boolean;
  /** Wake this process's readers on other processes' commits (web servers). Default true. */
  listen?: boolean;
  /** Longest wait before an announcement goes out (default 10 ms). */
  batchMs?: number;
  log?: (line: string) => void;
}

export interface EventRelay {
  /** Announces what is pending now (tests); resolves when sent. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the relay on PostgreSQL; null on SQLite (one machine: the notifier's poll is enough). */
export async function startEventRelay(
  db: Db,
  notifier: RuntimeNotifier,
  options: EventRelayOptions = {},
): Promise<EventRelay | null> {
  if (db.provider !== "postgresql") return null;
  const publish = options.publish ?? true;
  const listen = options.listen ?? true;
  if (!publish && !listen) return null;
  const batchMs = options.batchMs ?? 10;
  const channel: RunEventsChannel | null = await openRunEventsChannel(db, {
    ...(listen
      ? {
          onSeqs: (seqs: RunSeqs) => {
            for (const [runId, seq] of seqs) notifier.advance(runId, seq);
          },
        }
      : {}),
  });
  if (!channel) return null;

  const pending = new Map<string, number>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let sending: Promise<void> = Promise.resolve();
  const send = () => {
    timer = null;
    if (pending.size === 0) return sending;
    const seqs: RunSeqs = [...pending];
    pending.clear();
    sending = sending
      .then(() => channel.notify(seqs))
      .catch((error: unknown) => options.log?.(`[events] announcing failed: ${String(error)}`));
    return sending;
  };
  const unsubscribe = publish
    ? notifier.subscribeAll((runId, events) => {
        const seq = events[events.length - 1]?.seq;
        if (seq === undefined) return;
        if (seq > (pending.get(runId) ?? 0)) pending.set(runId, seq);
        if (!timer) {
          timer = setTimeout(send, batchMs);
          timer.unref?.();
        }
      })
    : () => {};

  return {
    flush() {
      if (timer) clearTimeout(timer);
      return send();
    },
    async close() {
      unsubscribe();
      if (timer) clearTimeout(timer);
      await send();
      await channel.close();
    },
  };
}
