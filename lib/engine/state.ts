/**
 * The engine state persisted in `run.state` (JSON), rewritten on every commit — so it is kept
 * small and independent of how many steps ran: node outputs, visit counts and the shared
 * conversation live on the step rows and are rebuilt from them on resume. See ARCHITECTURE.md.
 */

export interface TokenState {
  /** Node id. */
  node: string;
  visit: number;
  attempt: number;
  /**
   * Attempts that were re-runs after a crash, or after a model call a monthly budget refused (not
   * counted against maxAttempts; a crash re-run repeats the interrupted attempt's request key).
   */
  crashes: number;
  /**
   * ready: activated, not started. running: executing (a crash leaves it here → re-run or
   * interrupted). retrying: waiting until `retryAt`. waiting: on an approval or a child run.
   */
  status: "ready" | "running" | "retrying" | "waiting";
  retryAt?: number;
  approvalId?: string;
  /** Approvals this visit has asked for so far (the next one's `seq`): an agent asks once per gated tool call. */
  asked?: number;
  childRunId?: string;
}

export interface BudgetState {
  maxCostUsd: number | null;
  maxTokens: number | null;
  /** A person approved going past the workspace budget for this run. */
  ignoreWorkspace: boolean;
  /** A person approved going past the workflow's monthly budget for this run. */
  ignoreWorkflow: boolean;
  /** Pending budget approval: no new step starts until it is decided. */
  approvalId: string | null;
  /** Budget approvals so far (their `visit`). */
  seq: number;
}

export interface RunState {
  v: 1;
  /**
   * Join inputs settled so far: forward edge index → 1 taken / 0 skipped. Only edges into nodes
   * with several incoming forward edges are kept (a single input activates its target at once).
   */
  settled: Record<string, 0 | 1>;
  /** Activations not finished yet. */
  tokens: TokenState[];
  vars: Record<string, unknown>;
  /** Pending handoff context for a target node (from an agent with routing: choose). */
  handoffs: Record<string, { from: string; reason: string }>;
  /** The run output set by an end node (undefined until one runs). */
  output?: unknown;
  budget: BudgetState;
  /** Subworkflow nesting depth (0 for a top-level run). */
  depth: number;
}

export function initialState(
  entry: string,
  limits: { maxCostUsd?: number; maxTokens?: number } | undefined,
  depth: number,
): RunState {
  return {
    v: 1,
    settled: {},
    tokens: [{ node: entry, visit: 1, attempt: 1, crashes: 0, status: "ready" }],
    vars: {},
    handoffs: {},
    budget: {
      maxCostUsd: limits?.maxCostUsd ?? null,
      maxTokens: limits?.maxTokens ?? null,
      ignoreWorkspace: false,
      ignoreWorkflow: false,
      approvalId: null,
      seq: 0,
    },
    depth,
  };
}

/** A copy safe to hand to the store: later in-place changes to counters and tokens don't leak into it. */
export function snapshotState(s: RunState): RunState {
  const out: RunState = {
    v: 1,
    settled: { ...s.settled },
    tokens: s.tokens.map((t) => ({ ...t })),
    // vars and handoffs are replaced, never mutated in place.
    vars: s.vars,
    handoffs: s.handoffs,
    budget: { ...s.budget },
    depth: s.depth,
  };
  if (s.output !== undefined) out.output = s.output;
  return out;
}

export function parseState(raw: unknown): RunState {
  const s = (raw ?? {}) as Partial<RunState>;
  if (s.v !== 1 || !Array.isArray(s.tokens))
    throw new Error("The run's engine state is missing or from an unknown version.");
  return {
    v: 1,
    settled: { ...(s.settled ?? {}) },
    tokens: s.tokens.map((t) => ({ ...t, crashes: t.crashes ?? 0 })),
    vars: s.vars ?? {},
    handoffs: s.handoffs ?? {},
    ...(s.output !== undefined ? { output: s.output } : {}),
    budget: {
      maxCostUsd: s.budget?.maxCostUsd ?? null,
      maxTokens: s.budget?.maxTokens ?? null,
      ignoreWorkspace: s.budget?.ignoreWorkspace ?? false,
      ignoreWorkflow: s.budget?.ignoreWorkflow ?? false,
      approvalId: s.budget?.approvalId ?? null,
      seq: s.budget?.seq ?? 0,
    },
    depth: s.depth ?? 0,
  };
}
