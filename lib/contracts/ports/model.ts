/** The model port: one agent turn loop per `generate()`; errors typed so retries decide by type. */

export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  /** Node that produced the message. */
  nodeId?: string;
  name?: string;
  /**
   * A tool loop's assistant turn: the tool calls it made (`name`: our tool name). These and the
   * tool results below are what ModelResult.messages holds, to continue a loop in a later request.
   */
  toolCalls?: { id: string; name: string; arguments: unknown }[];
  /** role "tool": the call this result answers (`name`: the tool, `content`: the result as text or JSON). */
  toolCallId?: string;
  /** role "tool": the call failed or was refused; `content` is what the model is told. */
  isError?: boolean;
}

export interface ToolSpec {
  name: string;
  description?: string;
  inputSchema?: Record<string, unknown>;
  /**
   * Runs the tool inside the model's tool loop. Without it the tool is offered but a call ends the
   * loop (the call is returned in `toolCalls` without a result).
   */
  execute?: (args: unknown, options: { signal: AbortSignal; toolCallId: string }) => Promise<unknown>;
}

/** One tool call of a turn loop, as recorded for the step's trace. */
export interface ToolCallRecord {
  /** The provider's call id, when there is one. */
  id?: string;
  name: string;
  arguments: unknown;
  result?: unknown;
  /** The tool failed (the model was told and could go on). */
  error?: string;
  durationMs?: number;
  /**
   * The tool has no `execute`: the call was not made and the loop ended there. The caller makes
   * it (or refuses it) and continues the loop with ModelResult.messages plus the tool's result.
   */
  pending?: boolean;
}

/** What a streaming model reports while it works (`ModelRequest.onDelta`). */
export type ModelDelta =
  | { type: "text"; text: string }
  | { type: "tool-call"; id: string; name: string; arguments: unknown }
  | { type: "tool-result"; id: string; name: string; result?: unknown; error?: string; durationMs: number };

export interface HandoffOption {
  /** Target node id. */
  id: string;
  /** Target node name (what the model chooses by). */
  name: string;
  description?: string;
}

export interface ModelRequest {
  /** `simulated` or `provider:model`. */
  model: string;
  /**
   * The run's workspace, whose configured providers `provider:model` names. The engine fills it
   * in for every node (lib/engine/execution/step.ts); callers outside a run pass it themselves.
   */
  workspaceId?: string;
  instructions?: string;
  messages: ChatMessage[];
  tools?: ToolSpec[];
  outputSchema?: Record<string, unknown>;
  /** routing: choose — the options the model must pick one of. */
  handoffs?: HandoffOption[];
  maxTurns?: number;
  signal: AbortSignal;
  /** 1-based attempt of the step (the simulated model fails the first `failTimes`). */
  attempt: number;
  /** The step's key, `runId:nodeId:visit` (stable across retries and crash re-runs). */
  idempotencyKey: string;
  /**
   * The key of this attempt's requests, `runId:nodeId:visit:<n>`: `n` counts the attempts made
   * after errors, not re-runs after a crash, so a crash re-run repeats the interrupted call's key
   * while a retry after an error gets a new one. Providers send `<requestKey>:<call>` as
   * `Idempotency-Key`. Default: `<idempotencyKey>:<attempt>`.
   */
  requestKey?: string;
  /** Sampling temperature (provider default when unset). */
  temperature?: number;
  /** Most tokens the model may write per model call (provider default when unset). */
  maxOutputTokens?: number;
  /** The agent's `simulate` config, already rendered (only the simulated model reads it). */
  simulate?: Record<string, unknown>;
  /** Streamed tokens and tool calls as they happen (providers stream when this is set). */
  onDelta?: (delta: ModelDelta) => void;
  /** Give up after this long (TimeoutError); the gateway's default applies when unset. */
  timeoutMs?: number;
}

export interface ModelResult {
  text?: string;
  object?: unknown;
  /** Totals over the whole turn loop. `costUsd` when the gateway priced it. */
  usage: { inputTokens: number; outputTokens: number; costUsd?: number };
  finishReason: "stop" | "length" | "tool-calls" | "content-filter" | "error" | "other";
  toolCalls?: ToolCallRecord[];
  /** Model calls the turn loop made. */
  steps?: number;
  /**
   * With tools: the loop's messages after the request's (assistant turns with their tool calls,
   * tool results), so a later request can continue the conversation where this one stopped.
   */
  messages?: ChatMessage[];
  /** routing: choose — the chosen target (node id or name) and why. */
  route?: { target: string; reason: string };
  simulated?: boolean;
}

/** What a failed call used, as far as the gateway knows it (`withModelUsage` / `modelUsageOf`). */
export type ModelUsage = ModelResult["usage"];

const USAGE = "modelUsage";

/**
 * Attaches what a failed call used to its error, so budgets charge it: the usage the provider
 * reported (an answer that did not match the output schema, a tool loop that hit its limit), or
 * zero when the request never reached the provider or the provider refused it (4xx). An error
 * without it: unknown (the engine charges the call's input estimate).
 */
export function withModelUsage<E>(error: E, usage: ModelUsage): E {
  if (error && typeof error === "object" && !(USAGE in error))
    Object.defineProperty(error, USAGE, { value: usage, enumerable: false, configurable: true });
  return error;
}

/** The usage a gateway attached to a failed call's error; undefined when unknown. */
export function modelUsageOf(error: unknown): ModelUsage | undefined {
  return error && typeof error === "object" ? (error as { [USAGE]?: ModelUsage })[USAGE] : undefined;
}

export interface ModelGateway {
  /**
   * Throw RateLimitError (with retryAfterMs), TimeoutError, RetryableError (5xx/network) or
   * NonRetryableError so the engine's retry policy can decide by type.
   */
  generate(request: ModelRequest): Promise<ModelResult>;
}
