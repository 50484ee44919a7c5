// Live run state on the canvas, fed by the run's event log (SSE). Kept in its own store so a
// status change re-renders only the node it is about, and never enters the undo history or
// the saved document.
import { createStore, type StoreApi } from "zustand/vanilla";

export type LiveStepStatus = "pending" | "running" | "waiting" | "succeeded" | "failed" | "skipped" | "cancelled";
export type LiveRunStatus = "queued" | "running" | "waiting" | "succeeded" | "failed" | "cancelled";

export interface LiveStep {
  nodeId: string;
  status: LiveStepStatus;
  visit: number;
  attempt: number;
  error?: { message?: string; code?: string } | null;
  approvalId?: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  simulated?: boolean;
}

export interface RunEventMessage {
  seq: number;
  type: string;
  data: Record<string, unknown>;
}

/** A streaming model's text for one node (ephemeral `live` events of the run's stream). */
export interface LiveText {
  visit: number;
  attempt: number;
  /** The tail of what was streamed (at most LIVE_TEXT_KEEP characters). */
  text: string;
}

/** Streamed text kept per node on the canvas (the tail; the full output is on the step once it ends). */
export const LIVE_TEXT_KEEP = 4000;

/** One `event: live` message of the run's stream. */
export interface LiveEventMessage {
  type: string;
  nodeId: string;
  visit: number;
  attempt: number;
  text: string;
  /** `text` is everything so far (sent when the stream connects mid-step). */
  snapshot?: boolean;
}

export interface LiveRunState {
  runId: string | null;
  status: LiveRunStatus | null;
  lastSeq: number;
  steps: Record<string, LiveStep>;
  /** edge keys `source|handle|target` or edge ids that were taken */
  taken: Record<string, true>;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  error: { message?: string } | null;
  connected: boolean;
  /** Streamed model text per node id, while (and after) its step runs. */
  live: Record<string, LiveText>;
}

export interface LiveRunActions {
  reset(runId: string | null): void;
  apply(events: RunEventMessage[]): void;
  /** Streamed tokens (not part of the event log: no seq). */
  applyLive(events: LiveEventMessage[]): void;
  setConnected(connected: boolean): void;
}

export type LiveRunStore = StoreApi<LiveRunState & LiveRunActions>;

export const emptyRun = (runId: string | null = null): LiveRunState => ({
  runId,
  status: runId ? "queued" : null,
  lastSeq: 0,
  steps: {},
  taken: {},
  inputTokens: 0,
  outputTokens: 0,
  costUsd: 0,
  error: null,
  connected: false,
  live: {},
});

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const str = (v: unknown) => (typeof v === "string" ? v : undefined);

export function takenKey(source: string, handle: string | null | undefined, target: string): string {
  return `${source}|${handle && handle !== "default" ? handle : ""}|${target}`;
}

function withTotal(state: LiveRunState, total: Record<string, unknown>): LiveRunState {
  return {
    ...state,
    inputTokens: num(total.inputTokens),
    outputTokens: num(total.outputTokens),
    costUsd: num(total.costUsd),
  };
}

/** Marks edges taken: `edges` of an edge.taken event, or of a step.succeeded event (its `outcome`). */
function withTaken(
  state: LiveRunState,
  source: string | undefined,
  handle: string | undefined,
  edges: unknown[],
): LiveRunState {
  const keys: Record<string, true> = {};
  for (const e of edges as { id?: string; target?: string }[]) {
    if (!e || typeof e !== "object") continue;
    if (source && e.target) {
      keys[takenKey(source, handle, e.target)] = true;
      keys[`${source}|*|${e.target}`] = true;
    }
    if (e.id) keys[e.id] = true;
  }
  return { ...state, taken: { ...state.taken, ...keys } };
}

/** Applies events in seq order (duplicates from a reconnect are ignored). Pure. */
export function reduceRunEvents(state: LiveRunState, events: RunEventMessage[]): LiveRunState {
  let next = state;
  for (const ev of events) {
    if (ev.seq <= next.lastSeq) continue;
    next = { ...next, lastSeq: ev.seq };
    const d = ev.data ?? {};
    const nodeId = str(d.nodeId);
    const step = (status: LiveStepStatus) => {
      if (!nodeId) return;
      const prev = next.steps[nodeId];
      const usage = (d.usage ?? {}) as Record<string, unknown>;
      const error = (d.error ?? null) as LiveStep["error"];
      next = {
        ...next,
        steps: {
          ...next.steps,
          [nodeId]: {
            nodeId,
            status,
            visit: num(d.visit) || prev?.visit || 1,
            attempt: num(d.attempt) || prev?.attempt || 1,
            error:
              status === "failed" || status === "cancelled"
                ? (error ?? prev?.error ?? null)
                : status === "running"
                  ? null
                  : (prev?.error ?? null),
            approvalId: str(d.approvalId) ?? prev?.approvalId,
            inputTokens: (prev?.inputTokens ?? 0) + num(usage.inputTokens),
            outputTokens: (prev?.outputTokens ?? 0) + num(usage.outputTokens),
            costUsd: (prev?.costUsd ?? 0) + num(usage.costUsd),
            simulated: typeof d.simulated === "boolean" ? d.simulated : prev?.simulated,
          },
        },
      };
    };
    if (ev.type.startsWith("run.") && d.usage && typeof d.usage === "object") {
      const u = d.usage as Record<string, unknown>;
      next = { ...next, inputTokens: num(u.inputTokens), outputTokens: num(u.outputTokens), costUsd: num(u.costUsd) };
    }
    switch (ev.type) {
      case "run.started":
      case "run.resumed":
        next = { ...next, status: "running" };
        break;
      case "run.waiting":
        next = { ...next, status: "waiting" };
        break;
      case "run.succeeded":
        next = { ...next, status: "succeeded" };
        break;
      case "run.failed":
        next = { ...next, status: "failed", error: (d.error as { message?: string }) ?? null };
        break;
      case "run.cancelled":
        next = { ...next, status: "cancelled" };
        break;
      case "step.started":
        next = dropLive(next, nodeId, num(d.visit) || 1, num(d.attempt) || 1);
        step("running");
        break;
      case "step.retrying":
        next = dropLive(next, nodeId);
        step("running");
        if (nodeId && typeof d.nextAttempt === "number") {
          next.steps[nodeId] = { ...next.steps[nodeId], attempt: d.nextAttempt };
        }
        break;
      case "step.cancelled":
        step("cancelled");
        break;
      case "step.succeeded":
        step("succeeded");
        // the run's running total and the taken edges ride along (no separate usage / edge.taken events)
        if (d.total && typeof d.total === "object") next = withTotal(next, d.total as Record<string, unknown>);
        if (nodeId && Array.isArray(d.edges)) next = withTaken(next, nodeId, str(d.outcome), d.edges);
        break;
      case "step.failed":
      case "step.interrupted":
        step("failed");
        break;
      case "step.skipped":
        step("skipped");
        break;
      case "step.waiting":
        step("waiting");
        break;
      case "approval.requested":
        if (nodeId) {
          const prev = next.steps[nodeId];
          const approvalId = str(d.approvalId) ?? str(d.id);
          if (prev) next = { ...next, steps: { ...next.steps, [nodeId]: { ...prev, status: "waiting", approvalId } } };
          else step("waiting");
          if (!prev && approvalId) next.steps[nodeId] = { ...next.steps[nodeId], approvalId };
        }
        break;
      case "edge.taken": {
        const targets: unknown[] = Array.isArray(d.edges)
          ? d.edges
          : [{ id: str(d.edgeId) ?? str(d.id), target: str(d.target) ?? str(d.to) }];
        next = withTaken(
          next,
          str(d.source) ?? str(d.from),
          str(d.outcome) ?? str(d.sourceHandle) ?? str(d.handle),
          targets,
        );
        break;
      }
      case "usage": {
        // runs recorded before step.succeeded carried the usage: the step's usage and the run's running total
        const total = d.total as Record<string, unknown> | undefined;
        if (total) {
          next = withTotal(next, total);
        } else {
          next = {
            ...next,
            inputTokens: next.inputTokens + num(d.inputTokens),
            outputTokens: next.outputTokens + num(d.outputTokens),
            costUsd: next.costUsd + num(d.costUsd),
          };
        }
        if (nodeId && next.steps[nodeId]) {
          const st = next.steps[nodeId];
          next = {
            ...next,
            steps: {
              ...next.steps,
              [nodeId]: {
                ...st,
                inputTokens: st.inputTokens + num(d.inputTokens),
                outputTokens: st.outputTokens + num(d.outputTokens),
                costUsd: st.costUsd + num(d.costUsd),
              },
            },
          };
        }
        break;
      }
      default:
        break;
    }
  }
  return next;
}

/** Applies streamed text: a piece appends to the node's text of the same visit and attempt; a new attempt starts over. Pure. */
export function reduceLiveEvents(state: LiveRunState, events: LiveEventMessage[]): LiveRunState {
  if (events.length === 0) return state;
  const live = { ...state.live };
  for (const e of events) {
    if (e.type !== "step.delta" || typeof e.nodeId !== "string" || typeof e.text !== "string") continue;
    const prev = live[e.nodeId];
    const same = prev && prev.visit === e.visit && prev.attempt === e.attempt;
    const text = e.snapshot || !same ? e.text : prev.text + e.text;
    live[e.nodeId] = {
      visit: e.visit,
      attempt: e.attempt,
      text: text.length > LIVE_TEXT_KEEP ? text.slice(-LIVE_TEXT_KEEP) : text,
    };
  }
  return { ...state, live };
}

/** A new attempt or visit of a node (or its failure) drops the node's streamed text. */
function dropLive(state: LiveRunState, nodeId: string | undefined, visit?: number, attempt?: number): LiveRunState {
  if (!nodeId || !state.live[nodeId]) return state;
  const cur = state.live[nodeId];
  if (visit !== undefined && attempt !== undefined && cur.visit === visit && cur.attempt === attempt) return state;
  const { [nodeId]: _dropped, ...rest } = state.live;
  return { ...state, live: rest };
}

/** `runId` attaches the store to a run from the start (the editor's `?run=` view); events replay from seq 0. */
export function createLiveRunStore(runId: string | null = null): LiveRunStore {
  return createStore<LiveRunState & LiveRunActions>()((set, get) => ({
    ...emptyRun(runId),
    reset: (runId) => set({ ...emptyRun(runId) }),
    apply: (events) => set(reduceRunEvents(get(), events)),
    applyLive: (events) => set(reduceLiveEvents(get(), events)),
    setConnected: (connected) => set({ connected }),
  }));
}
