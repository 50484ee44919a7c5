/**
 * Typed engine errors. Control flow (retry, pause, fence, budget) is decided by the error's
 * class — never by its message text. Every error serialises on purpose through `toJSON()` /
 * `serializeError()`, so what crosses a process boundary (store, API, CLI) is a known shape.
 */

export type ErrorCode =
  | "retryable"
  | "non_retryable"
  | "timeout"
  | "rate_limit"
  | "cancelled"
  | "fenced"
  | "budget_exceeded"
  | "loop_limit"
  | "invalid_workflow"
  | "approval_not_pending"
  | "input_invalid"
  | "not_available"
  | "egress_denied"
  | "http_error"
  | "interrupted"
  | "expression"
  | "guardrail_failed"
  /** A person rejected an approval whose `rejected` outcome leads nowhere (ApprovalRejectedError). */
  | "approval_rejected"
  /** A model's answer did not match the output schema (InvalidModelOutputError). */
  | "invalid_output"
  | "step_limit"
  | "run_timeout"
  | "not_found"
  | "internal";

/** The serialised form of an error, as stored in `run.error` / `step.error`. */
export interface SerializedError {
  code: ErrorCode | string;
  name: string;
  message: string;
  retryable: boolean;
  /** Extra, code-specific facts (issues, limit, decidedBy…). Always JSON. */
  details?: Record<string, unknown>;
  /** Short summaries of the cause chain, outermost first. */
  causes?: { name: string; message: string }[];
}

export interface Issue {
  /** JSON-ish path, e.g. `nodes[3].config.cases[0].when` or `input.customer.email`. */
  path: string;
  /** A sentence a non-programmer understands. */
  message: string;
}

export abstract class EngineError extends Error {
  abstract readonly code: ErrorCode;
  readonly retryable: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  /** Code-specific data that goes into `SerializedError.details`. */
  protected details(): Record<string, unknown> | undefined {
    return undefined;
  }

  toJSON(): SerializedError {
    const out: SerializedError = {
      code: this.code,
      name: this.name,
      message: this.message,
      retryable: this.retryable,
    };
    const details = this.details();
    if (details && Object.keys(details).length > 0) out.details = details;
    const causes = causeChain(this.cause);
    if (causes.length > 0) out.causes = causes;
    return out;
  }
}

function causeChain(cause: unknown, depth = 0): { name: string; message: string }[] {
  if (cause === undefined || cause === null || depth >= 5) return [];
  if (cause instanceof Error) {
    return [{ name: cause.name, message: cause.message.slice(0, 500) }, ...causeChain(cause.cause, depth + 1)];
  }
  return [{ name: typeof cause, message: String(cause).slice(0, 500) }];
}

/** A transient failure: the step may be tried again (after `retryAfterMs` if given). */
export class RetryableError extends EngineError {
  readonly code: ErrorCode = "retryable";
  override readonly retryable = true;
  readonly retryAfterMs?: number;
  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options);
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
  protected override details(): Record<string, unknown> | undefined {
    return this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : undefined;
  }
}

export class RateLimitError extends RetryableError {
  override readonly code: ErrorCode = "rate_limit";
}

export class TimeoutError extends RetryableError {
  override readonly code: ErrorCode = "timeout";
  readonly timeoutMs?: number;
  constructor(message: string, options?: { cause?: unknown; timeoutMs?: number }) {
    super(message, options);
    if (options?.timeoutMs !== undefined) this.timeoutMs = options.timeoutMs;
  }
  protected override details(): Record<string, unknown> | undefined {
    const base = super.details() ?? {};
    return this.timeoutMs !== undefined ? { ...base, timeoutMs: this.timeoutMs } : super.details();
  }
}

/**
 * The model's answer is not the JSON the output schema asks for. Retryable: another sample may be.
 * Thrown by the provider gateway (lib/providers) and by the agent node's own check.
 */
export class InvalidModelOutputError extends RetryableError {
  override readonly code: ErrorCode = "invalid_output";
  readonly issues: Issue[];
  constructor(message: string, options: { issues?: Issue[]; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.issues = options.issues ?? [];
  }
  protected override details(): Record<string, unknown> | undefined {
    return this.issues.length > 0 ? { issues: this.issues } : undefined;
  }
}

/** A permanent failure: retrying cannot help. */
export class NonRetryableError extends EngineError {
  readonly code: ErrorCode = "non_retryable";
  readonly data?: Record<string, unknown>;
  constructor(message: string, options?: { cause?: unknown; data?: Record<string, unknown> }) {
    super(message, options);
    if (options?.data) this.data = options.data;
  }
  protected override details() {
    return this.data;
  }
}

/** A capability the step needs is not wired into this engine (e.g. no MCP or A2A port was given). */
export class NotAvailableError extends NonRetryableError {
  override readonly code: ErrorCode = "not_available";
}

/** The HTTP egress guard refused an address. */
export class EgressDeniedError extends NonRetryableError {
  override readonly code: ErrorCode = "egress_denied";
}

/** A step was running when its executor died and the node is `atMostOnce`. */
export class InterruptedError extends NonRetryableError {
  override readonly code: ErrorCode = "interrupted";
}

/** A JSONata expression or template failed to parse or evaluate, or broke a limit. */
export class ExpressionError extends NonRetryableError {
  override readonly code: ErrorCode = "expression";
}

export class GuardrailFailedError extends NonRetryableError {
  override readonly code: ErrorCode = "guardrail_failed";
}

/**
 * A person (or a deadline with `onTimeout: reject`) rejected an approval whose `rejected` outcome
 * has no edge: the run ends as failed with this reason, not as a green "succeeded".
 */
export class ApprovalRejectedError extends NonRetryableError {
  override readonly code: ErrorCode = "approval_rejected";
}

export class StepLimitError extends NonRetryableError {
  override readonly code: ErrorCode = "step_limit";
}

export class RunTimeoutError extends NonRetryableError {
  override readonly code: ErrorCode = "run_timeout";
}

export class NotFoundError extends NonRetryableError {
  override readonly code: ErrorCode = "not_found";
}

export class CancelledError extends EngineError {
  readonly code: ErrorCode = "cancelled";
  readonly by?: string | null;
  constructor(message = "The run was cancelled.", options?: { cause?: unknown; by?: string | null }) {
    super(message, options);
    if (options?.by !== undefined) this.by = options.by;
  }
  protected override details() {
    return this.by ? { by: this.by } : undefined;
  }
}

/** The run's lease fence moved on: another executor owns the run now. Stop, write nothing. */
export class FencedError extends EngineError {
  readonly code: ErrorCode = "fenced";
  readonly runId: string;
  readonly fence: number;
  readonly currentFence?: number;
  constructor(runId: string, fence: number, currentFence?: number) {
    super(
      `Run ${runId} is now owned by another executor (fence ${fence}${currentFence !== undefined ? ` < ${currentFence}` : ""}).`,
    );
    this.runId = runId;
    this.fence = fence;
    if (currentFence !== undefined) this.currentFence = currentFence;
  }
  protected override details() {
    return { runId: this.runId, fence: this.fence, currentFence: this.currentFence };
  }
}

/**
 * A budget was reached. `costUsd`/`tokens`: the run's limits (limits.maxCostUsd/maxTokens);
 * `workspaceUsd`/`workflowUsd`: the workspace's or the workflow's monthly budget.
 */
export type BudgetLimitKind = "costUsd" | "tokens" | "workspaceUsd" | "workflowUsd";

export class BudgetExceededError extends EngineError {
  readonly code: ErrorCode = "budget_exceeded";
  readonly limitKind: BudgetLimitKind;
  readonly limit: number;
  readonly spent: number;
  /**
   * Set when a model call was refused before it was made (a monthly budget's reservation): what
   * the admin chose for that budget, pause the run on a budget escalation or fail it.
   */
  readonly onExceeded?: "pause" | "fail";
  constructor(
    limitKind: BudgetLimitKind,
    limit: number,
    spent: number,
    message?: string,
    options?: { onExceeded?: "pause" | "fail" },
  ) {
    super(message ?? budgetMessage(limitKind, limit, spent));
    this.limitKind = limitKind;
    this.limit = limit;
    this.spent = spent;
    if (options?.onExceeded) this.onExceeded = options.onExceeded;
  }
  protected override details() {
    return {
      limitKind: this.limitKind,
      limit: this.limit,
      spent: this.spent,
      ...(this.onExceeded ? { onExceeded: this.onExceeded } : {}),
    };
  }
}

export function budgetMessage(kind: BudgetLimitKind, limit: number, spent: number): string {
  if (kind === "tokens") return `The run used ${spent} tokens, over its limit of ${limit}.`;
  if (kind === "workspaceUsd")
    return `The workspace budget of $${limit.toFixed(4)} is used up ($${spent.toFixed(4)} spent).`;
  if (kind === "workflowUsd")
    return `The workflow's monthly budget of $${limit.toFixed(4)} is used up ($${spent.toFixed(4)} spent).`;
  return `The run cost $${spent.toFixed(4)}, over its limit of $${limit.toFixed(4)}.`;
}

export class LoopLimitError extends EngineError {
  readonly code: ErrorCode = "loop_limit";
  readonly nodeId: string;
  readonly maxVisits: number;
  constructor(nodeId: string, maxVisits: number) {
    super(
      `Node "${nodeId}" would run more than ${maxVisits} times in this run, the most allowed (maxVisits). The loop was stopped.`,
    );
    this.nodeId = nodeId;
    this.maxVisits = maxVisits;
  }
  protected override details() {
    return { nodeId: this.nodeId, maxVisits: this.maxVisits };
  }
}

export class InvalidWorkflowError extends EngineError {
  readonly code: ErrorCode = "invalid_workflow";
  readonly issues: Issue[];
  constructor(issues: Issue[], message?: string) {
    super(
      message ??
        `The workflow is not valid (${issues.length} problem${issues.length === 1 ? "" : "s"}): ${issues
          .slice(0, 3)
          .map((i) => `${i.path}: ${i.message}`)
          .join("; ")}${issues.length > 3 ? "; …" : ""}`,
    );
    this.issues = issues;
  }
  protected override details() {
    return { issues: this.issues };
  }
}

export class InputValidationError extends EngineError {
  readonly code: ErrorCode = "input_invalid";
  readonly issues: Issue[];
  constructor(issues: Issue[], message?: string) {
    super(
      message ??
        `The input is not valid: ${issues
          .slice(0, 3)
          .map((i) => `${i.path}: ${i.message}`)
          .join("; ")}${issues.length > 3 ? "; …" : ""}`,
    );
    this.issues = issues;
  }
  /** First problem's path (most callers show one). */
  get path(): string {
    return this.issues[0]?.path ?? "";
  }
  protected override details() {
    return { issues: this.issues };
  }
}

export class ApprovalNotPendingError extends EngineError {
  readonly code: ErrorCode = "approval_not_pending";
  readonly approvalId: string;
  readonly status: string;
  readonly decidedBy: string | null;
  readonly decidedAt: Date | null;
  constructor(approvalId: string, status: string, decidedBy: string | null, decidedAt: Date | null) {
    super(
      status === "cancelled"
        ? `This approval was cancelled and can no longer be decided.`
        : `This approval was already decided (${status}${decidedBy ? ` by ${decidedBy}` : ""}${
            decidedAt ? ` at ${decidedAt.toISOString()}` : ""
          }).`,
    );
    this.approvalId = approvalId;
    this.status = status;
    this.decidedBy = decidedBy;
    this.decidedAt = decidedAt;
  }
  protected override details() {
    return {
      approvalId: this.approvalId,
      status: this.status,
      decidedBy: this.decidedBy,
      decidedAt: this.decidedAt?.toISOString() ?? null,
    };
  }
}

// ---- type guards (work across module copies: they check `code`, set by the class) ----

function hasCode(e: unknown, ...codes: ErrorCode[]): boolean {
  return e instanceof EngineError && codes.includes(e.code);
}

export const isEngineError = (e: unknown): e is EngineError => e instanceof EngineError;
export const isRetryableError = (e: unknown): e is RetryableError => e instanceof RetryableError;
export const isRateLimitError = (e: unknown): e is RateLimitError => e instanceof RateLimitError;
export const isTimeoutError = (e: unknown): e is TimeoutError => e instanceof TimeoutError;
export const isNonRetryableError = (e: unknown): e is NonRetryableError => e instanceof NonRetryableError;
export const isCancelledError = (e: unknown): e is CancelledError => hasCode(e, "cancelled");
export const isFencedError = (e: unknown): e is FencedError => hasCode(e, "fenced");
export const isBudgetExceededError = (e: unknown): e is BudgetExceededError => hasCode(e, "budget_exceeded");
export const isLoopLimitError = (e: unknown): e is LoopLimitError => hasCode(e, "loop_limit");
export const isInvalidWorkflowError = (e: unknown): e is InvalidWorkflowError => hasCode(e, "invalid_workflow");
export const isApprovalNotPendingError = (e: unknown): e is ApprovalNotPendingError =>
  hasCode(e, "approval_not_pending");
export const isInputValidationError = (e: unknown): e is InputValidationError => hasCode(e, "input_invalid");
export const isNotAvailableError = (e: unknown): e is NotAvailableError => hasCode(e, "not_available");
export const isEgressDeniedError = (e: unknown): e is EgressDeniedError => hasCode(e, "egress_denied");
export const isInvalidModelOutputError = (e: unknown): e is InvalidModelOutputError => hasCode(e, "invalid_output");

/** Should a failed attempt be retried? Decided by type only. */
export function isRetryable(e: unknown): boolean {
  return e instanceof EngineError && e.retryable;
}

/** Serialise any thrown value into the stored error shape. Unknown errors become `internal`. */
export function serializeError(e: unknown): SerializedError {
  if (e instanceof EngineError) return e.toJSON();
  if (e instanceof Error) {
    const out: SerializedError = { code: "internal", name: e.name, message: e.message, retryable: false };
    const causes = causeChain(e.cause);
    if (causes.length > 0) out.causes = causes;
    return out;
  }
  return { code: "internal", name: "Error", message: String(e), retryable: false };
}
