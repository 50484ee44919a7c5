/**
 * In-process pub/sub of committed run events, so SSE streams wake up without polling. Events are
 * published only after their commit succeeded; a subscriber that missed some (reconnect) reads
 * the store with `listEvents(runId, afterSeq)`.
 */
import type { RunEventRecord, RunNotifier } from "@/lib/contracts/ports";

export interface RunEventHub extends RunNotifier {
  subscribe(runId: string, listener: (events: RunEventRecord[]) => void): () => void;
  /** Listen to every run (dashboards, inbox badges). */
  subscribeAll(listener: (runId: string, events: RunEventRecord[]) => void): () => void;
}

export function createRunEventHub(): RunEventHub {
  const byRun = new Map<string, Set<(events: RunEventRecord[]) => void>>();
  const all = new Set<(runId: string, events: RunEventRecord[]) => void>();
  return {
    publish(runId, events) {
      if (events.length === 0) return;
      for (const l of byRun.get(runId) ?? []) {
        try {
          l(events);
        } catch {
          // a broken listener must not break the engine
        }
      }
      for (const l of all) {
        try {
          l(runId, events);
        } catch {
          // ignore
        }
      }
    },
    subscribe(runId, listener) {
      let set = byRun.get(runId);
      if (!set) {
        set = new Set();
        byRun.set(runId, set);
      }
      set.add(listener);
      return () => {
        set!.delete(listener);
        if (set!.size === 0) byRun.delete(runId);
      };
    },
    subscribeAll(listener) {
      all.add(listener);
      return () => all.delete(listener);
    },
  };
}
