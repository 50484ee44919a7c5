import { describe, expect, it } from "vitest";
import {
  ApprovalNotPendingError,
  BudgetExceededError,
  CancelledError,
  FencedError,
  InputValidationError,
  InvalidWorkflowError,
  isApprovalNotPendingError,
  isBudgetExceededError,
  isCancelledError,
  isFencedError,
  isInputValidationError,
  isInvalidWorkflowError,
  isLoopLimitError,
  isRateLimitError,
  isRetryable,
  isTimeoutError,
  LoopLimitError,
  NonRetryableError,
  RateLimitError,
  RetryableError,
  serializeError,
  TimeoutError,
} from "./errors";

describe("typed errors", () => {
  it("retry decisions look at the type, not the message", () => {
    expect(isRetryable(new RetryableError("x"))).toBe(true);
    expect(isRetryable(new RateLimitError("x", { retryAfterMs: 10 }))).toBe(true);
    expect(isRetryable(new TimeoutError("x"))).toBe(true);
    expect(isRetryable(new NonRetryableError("rate limit timeout 503"))).toBe(false);
    expect(isRetryable(new Error("retryable"))).toBe(false);
    expect(isRetryable(new CancelledError())).toBe(false);
  });

  it("guards recognise each class", () => {
    expect(isRateLimitError(new RateLimitError("x"))).toBe(true);
    expect(isTimeoutError(new TimeoutError("x"))).toBe(true);
    expect(isCancelledError(new CancelledError())).toBe(true);
    expect(isFencedError(new FencedError("r", 1, 2))).toBe(true);
    expect(isBudgetExceededError(new BudgetExceededError("tokens", 10, 12))).toBe(true);
    expect(isLoopLimitError(new LoopLimitError("n", 10))).toBe(true);
    expect(isInvalidWorkflowError(new InvalidWorkflowError([{ path: "nodes", message: "m" }]))).toBe(true);
    expect(isApprovalNotPendingError(new ApprovalNotPendingError("a", "approved", "u", null))).toBe(true);
    expect(isInputValidationError(new InputValidationError([{ path: "input.x", message: "m" }]))).toBe(true);
    expect(isFencedError(new Error("fenced"))).toBe(false);
  });

  it("serialises on purpose: code, message, retryable, details and the cause chain", () => {
    const root = new Error("socket hang up");
    const e = new RateLimitError("Provider said slow down", {
      retryAfterMs: 2000,
      cause: new Error("429", { cause: root }),
    });
    expect(e.toJSON()).toEqual({
      code: "rate_limit",
      name: "RateLimitError",
      message: "Provider said slow down",
      retryable: true,
      details: { retryAfterMs: 2000 },
      causes: [
        { name: "Error", message: "429" },
        { name: "Error", message: "socket hang up" },
      ],
    });
    expect(JSON.parse(JSON.stringify(new LoopLimitError("count", 4)))).toMatchObject({
      code: "loop_limit",
      details: { nodeId: "count", maxVisits: 4 },
    });
    expect(serializeError(new TypeError("boom"))).toEqual({
      code: "internal",
      name: "TypeError",
      message: "boom",
      retryable: false,
    });
    expect(serializeError("text")).toMatchObject({ code: "internal", message: "text" });
  });

  it("carries who decided, and the input path", () => {
    const when = new Date("2026-01-01T10:00:00Z");
    const e = new ApprovalNotPendingError("a1", "rejected", "bob", when);
    expect(e.message).toBe("This approval was already decided (rejected by bob at 2026-01-01T10:00:00.000Z).");
    expect(e.toJSON().details).toEqual({
      approvalId: "a1",
      status: "rejected",
      decidedBy: "bob",
      decidedAt: when.toISOString(),
    });
    const i = new InputValidationError([{ path: "input.email", message: "This must be a valid email." }]);
    expect(i.path).toBe("input.email");
    expect(i.message).toBe("The input is not valid: input.email: This must be a valid email.");
  });
});
