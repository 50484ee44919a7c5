import type { RunEventRecord } from "./records";

/**
 * An ephemeral run event: told to live watchers in this process (SSE streams) as it happens, never
 * stored and never replayed. A streamed model's text: `text` is the new piece, `attempt` says
 * which attempt it belongs to (a new attempt starts from empty).
 */
export interface LiveRunEvent {
  type: "step.delta";
  nodeId: string;
  visit: number;
  attempt: number;
  text: string;
  /** `text` is everything streamed so far (a watcher that just connected), not a new piece. */
  snapshot?: boolean;
}

/** In-process notification after each commit, so SSE streams wake up without polling. */
export interface RunNotifier {
  publish(runId: string, events: RunEventRecord[]): void;
  /** Ephemeral live events (streamed tokens). Optional: a notifier without it gets no deltas. */
  publishLive?(runId: string, event: LiveRunEvent): void;
}
