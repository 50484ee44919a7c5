/**
 * AI SDK errors → the engine's typed errors, so the retry policy decides by type:
 * 429 → RateLimitError (Retry-After honoured), 408/409/5xx/529, network errors, broken streams and
 * our timeout → RetryableError/TimeoutError, other 4xx (auth included) → NonRetryableError, an
 * answer that does not match the output schema → InvalidModelOutputError (retryable: a new sample
 * may match). An abort by the caller's signal rethrows the signal's reason (the engine's own
 * TimeoutError or CancelledError).
 */

import {
  AISDKError,
  APICallError,
  InvalidArgumentError,
  InvalidPromptError,
  LoadAPIKeyError,
  NoObjectGeneratedError,
  NoSuchModelError,
  TypeValidationError,
  UnsupportedFunctionalityError,
} from "ai";
import {
  CancelledError,
  EngineError,
  InvalidModelOutputError,
  type Issue,
  isInvalidModelOutputError,
  NonRetryableError,
  NotFoundError,
  RateLimitError,
  RetryableError,
  TimeoutError,
} from "@/lib/contracts/errors";
import { parseRetryAfter } from "@/lib/contracts/ports";
import { MalformedAnswerError } from "./wire/types";

/** A model id names a provider this installation does not have. */
export class UnknownProviderError extends NotFoundError {
  readonly provider: string;
  readonly available: string[];
  constructor(provider: string, available: string[]) {
    super(
      `No model provider "${provider}" is configured on this installation${
        available.length > 0 ? ` (configured: ${available.join(", ")})` : ""
      }. Use model "simulated", or ask an administrator to add the provider.`,
      { data: { provider, available } },
    );
    this.provider = provider;
    this.available = available;
  }
}

// The class lives with the engine's typed errors (the agent node throws it too); re-exported here.
export { InvalidModelOutputError, isInvalidModelOutputError };

/** The tool loop used all its model calls (maxTurns) and the model still wanted tools. */
export class ToolLoopLimitError extends NonRetryableError {
  constructor(maxTurns: number) {
    super(
      `The agent was still calling tools after ${maxTurns} model call${maxTurns === 1 ? "" : "s"}, the most allowed (maxTurns).`,
      { data: { maxTurns } },
    );
  }
}

/** Issues carried by a validation failure made by our JSON Schema check (see schema.ts). */
export class SchemaMismatch extends Error {
  constructor(readonly issues: Issue[]) {
    super(
      issues
        .slice(0, 3)
        .map((i) => `${i.path}: ${i.message}`)
        .join("; "),
    );
    this.name = "SchemaMismatch";
  }
}

function* causes(e: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  let cur: unknown = e;
  for (let i = 0; i < 8 && cur !== undefined && cur !== null && !seen.has(cur); i++) {
    seen.add(cur);
    yield cur;
    const c = cur as { cause?: unknown; lastError?: unknown };
    cur = c.lastError ?? c.cause;
  }
}

function retryAfterMs(headers: Record<string, string> | undefined, now: Date): number | undefined {
  if (!headers) return undefined;
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  const ms = Number(lower["retry-after-ms"]);
  if (Number.isFinite(ms) && ms >= 0) return Math.min(Math.round(ms), 3_600_000);
  return parseRetryAfter(lower["retry-after"], now);
}

/** A short message from a provider's error body (never the request). */
function providerMessage(e: APICallError): string {
  const m = e.message?.trim();
  return m ? m.slice(0, 300) : "no message";
}

export interface MapContext {
  provider: string;
  model: string;
  /** The caller's signal: when it aborted, its reason wins. */
  signal?: AbortSignal;
  /** Set when our own timeout fired. */
  timedOutAfterMs?: number;
  now?: () => Date;
}

/** Any error out of the AI SDK (or our fetch) as one of the engine's typed errors. */
export function toEngineError(error: unknown, ctx: MapContext): EngineError {
  if (ctx.signal?.aborted) {
    const reason = ctx.signal.reason;
    return reason instanceof EngineError ? reason : new CancelledError(undefined, { cause: reason });
  }
  const who = `${ctx.provider}:${ctx.model}`;
  if (ctx.timedOutAfterMs !== undefined)
    return new TimeoutError(`The model ${who} did not answer within ${ctx.timedOutAfterMs} ms.`, {
      timeoutMs: ctx.timedOutAfterMs,
      cause: error,
    });
  const now = ctx.now ?? (() => new Date());

  const chain = [...causes(error)];
  // Ours first, wherever the SDK wrapped it (our fetch's RetryableError for a broken body sits
  // under "Failed to process successful response").
  const ours = chain.find((e): e is EngineError => e instanceof EngineError);
  if (ours) return ours;
  for (const e of chain) {
    if (e instanceof MalformedAnswerError)
      return new RetryableError(`The answer of ${who} could not be read: ${e.message}`, { cause: e });
    if (NoObjectGeneratedError.isInstance(e) || TypeValidationError.isInstance(e)) {
      const mismatch = [...causes(e)].find((c): c is SchemaMismatch => c instanceof SchemaMismatch);
      return new InvalidModelOutputError(
        mismatch
          ? `The answer of ${who} does not match the output schema: ${mismatch.message}`
          : `The answer of ${who} is not the JSON object the output schema asks for.`,
        { issues: mismatch?.issues, cause: e },
      );
    }
    if (APICallError.isInstance(e)) {
      const status = e.statusCode;
      const after = retryAfterMs(e.responseHeaders, now());
      const data = { provider: ctx.provider, model: ctx.model, status };
      if (status === 429)
        return new RateLimitError(`${who} is rate limited (429): ${providerMessage(e)}`, {
          retryAfterMs: after,
          cause: e,
        });
      if (status === undefined)
        return new RetryableError(`Could not reach ${who}: ${providerMessage(e)}`, { cause: e });
      if (status < 300)
        return new RetryableError(`The answer of ${who} could not be read: ${providerMessage(e)}`, { cause: e });
      if (status === 408 || status === 409 || status >= 500)
        return new RetryableError(`${who} failed (${status}): ${providerMessage(e)}`, {
          retryAfterMs: after,
          cause: e,
        });
      if (status === 401 || status === 403)
        return new NonRetryableError(
          `${who} refused the credentials (${status}): ${providerMessage(e)}. Check the provider's API key.`,
          { data, cause: e },
        );
      return new NonRetryableError(`${who} rejected the request (${status}): ${providerMessage(e)}`, {
        data,
        cause: e,
      });
    }
    if (LoadAPIKeyError.isInstance(e))
      return new NonRetryableError(`The provider "${ctx.provider}" has no API key.`, { cause: e });
    if (NoSuchModelError.isInstance(e))
      return new NonRetryableError(`${who} is not a model this installation can call.`, { cause: e });
    if (
      InvalidPromptError.isInstance(e) ||
      InvalidArgumentError.isInstance(e) ||
      UnsupportedFunctionalityError.isInstance(e)
    )
      return new NonRetryableError(`${who} cannot take this request: ${(e as Error).message}`, { cause: e });
  }
  // Errors a provider reports inside a stream (`{ type: "error", error: { type: "overloaded_error" } }`)
  // and the SDK's own parse errors of what a provider sent: transient. Anything else is a bug here.
  if (!(error instanceof Error))
    return new RetryableError(`${who} reported an error: ${JSON.stringify(error)?.slice(0, 300)}`);
  if (AISDKError.isInstance(error))
    return new RetryableError(`${who} failed: ${error.message.slice(0, 300)}`, { cause: error });
  return new NonRetryableError(`Calling ${who} failed: ${error.message.slice(0, 300)}`, { cause: error });
}

/** The usage the AI SDK reported with a failed call (an answer that did not match the schema), if any. */
export function reportedUsageOf(error: unknown): { inputTokens?: number; outputTokens?: number } | undefined {
  for (const e of causes(error))
    if (NoObjectGeneratedError.isInstance(e) && e.usage && (e.usage.inputTokens ?? e.usage.outputTokens) !== undefined)
      return e.usage;
  return undefined;
}

/** True when the provider answered the call with a 4xx (refused it: nothing to bill). */
export function refusedByProvider(error: unknown): boolean {
  for (const e of causes(error))
    if (APICallError.isInstance(e) && e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500)
      return true;
  return false;
}
