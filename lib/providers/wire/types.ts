/**
 * What a wire decoder gives back: the parts of a provider's answer Switchboard uses for a
 * plain-text call (text, finish reason, usage, response metadata), in the AI SDK's own shapes
 * (LanguageModelV3), so the gateway treats them exactly as it treats the SDK's.
 *
 * Why Switchboard decodes these answers at all (the AI SDK encodes every request): see ./index.ts.
 */
import type { SdkLanguageModel } from "../registry";

type GenerateResult = Awaited<ReturnType<SdkLanguageModel["doGenerate"]>>;
/** The SDK's usage (LanguageModelV3Usage): totals and their details, `raw` as the provider sent it. */
export type WireUsage = GenerateResult["usage"];
/** The SDK's finish reason: `unified` as the SDK maps it, `raw` as the provider sent it. */
export type WireFinishReason = GenerateResult["finishReason"];

export interface WireAnswer {
  text: string;
  finishReason: WireFinishReason;
  usage: WireUsage;
  response?: { id?: string; modelId?: string; timestamp?: Date };
}

/** One server-sent event: its `event:` name (if any) and its data lines joined with "\n". */
export interface SseEvent {
  event?: string | undefined;
  data: string;
}

/** Reads one streamed answer, event by event. */
export interface WireStreamDecoder {
  /**
   * One event of the stream. Text for the user goes to `onText` as it arrives (the SDK's
   * `text-delta` parts, empty pieces left out). An error the provider reports inside the stream is
   * kept (the first one wins) and thrown by `end()`, as the SDK puts it in an `error` part and the
   * gateway throws it when the stream ends.
   */
  push(event: SseEvent, onText: (text: string) => void): void;
  /** The stream ended: the answer, or the error the SDK's stream would have carried. */
  end(): WireAnswer;
}

export interface WireFormat {
  /** A non-streamed answer (the parsed JSON body of a 2xx response). */
  readAnswer(body: unknown): WireAnswer;
  /** A decoder for one streamed answer. */
  streamAnswer(): WireStreamDecoder;
}

/**
 * A 2xx answer that is not what the format says it should be (the SDK's response schemas refuse
 * it too). The gateway reports it as "the answer of <model> could not be read" (retryable).
 */
export class MalformedAnswerError extends Error {
  override name = "MalformedAnswerError";
}

/** The SDK's usage with nothing known (what its providers report when the answer had no usage). */
export function unknownUsage(): WireUsage {
  return {
    inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: undefined, text: undefined, reasoning: undefined },
    raw: undefined,
  };
}

// ---- Shape checks: what the SDK's zod schemas refuse, as a MalformedAnswerError naming `what` ----

/** A JSON object as parsed (keys not yet checked). */
export type Json = Record<string, unknown>;

/** Absent, as zod's `.nullish()` has it: null or missing. */
export const isAbsent = (value: unknown): value is null | undefined => value === undefined || value === null;
export const isString = (value: unknown): value is string => typeof value === "string";
export const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === "object" && !Array.isArray(value);
export const stringOrAbsent = (value: unknown) => isAbsent(value) || typeof value === "string";
export const numberOrAbsent = (value: unknown) => isAbsent(value) || typeof value === "number";
export const booleanOrAbsent = (value: unknown) => isAbsent(value) || typeof value === "boolean";

/** `value` if it is a plain object, else a MalformedAnswerError naming `what`. */
export function objectOf(value: unknown, what: string): Json {
  if (!isObject(value)) throw new MalformedAnswerError(`${what} is not an object.`);
  return value;
}

export function stringOf(value: unknown, what: string): string {
  if (typeof value !== "string") throw new MalformedAnswerError(`${what} is not a string.`);
  return value;
}

export function numberOf(value: unknown, what: string): number {
  if (typeof value !== "number") throw new MalformedAnswerError(`${what} is not a number.`);
  return value;
}

export function listOf(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new MalformedAnswerError(`${what} is not a list.`);
  return value;
}

/** `value` if it is one of `allowed`. */
export function oneOf(value: unknown, allowed: readonly string[], what: string): string {
  if (!allowed.includes(value as string))
    throw new MalformedAnswerError(`${what} is not one of ${allowed.join(", ")}.`);
  return value as string;
}

/** `check`ed `value`, or undefined when absent (null or missing): zod's `.nullish()`. */
function optional<T>(value: unknown, check: (v: unknown, what: string) => T, what: string): T | undefined {
  return isAbsent(value) ? undefined : check(value, what);
}

/** zod's `.optional()` (not `.nullish()`): missing is fine, null is not. */
export function missingOr<T>(value: unknown, check: (v: unknown, what: string) => T, what: string): T | undefined {
  return value === undefined ? undefined : check(value, what);
}

/** A number, or undefined when absent (null or missing); anything else is malformed. */
export const optionalNumber = (value: unknown, what: string) => optional(value, numberOf, what);
/** A string, or undefined when absent (null or missing); anything else is malformed. */
export const optionalString = (value: unknown, what: string) => optional(value, stringOf, what);
/** An object, or undefined when absent (null or missing); anything else is malformed. */
export const optionalObject = (value: unknown, what: string) => optional(value, objectOf, what);
/** A list, or undefined when absent (null or missing); anything else is malformed. */
export const optionalList = (value: unknown, what: string) => optional(value, listOf, what);

/** A boolean, or undefined when absent (null or missing); anything else is malformed. */
export function optionalBoolean(value: unknown, what: string): boolean | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== "boolean") throw new MalformedAnswerError(`${what} is not a boolean.`);
  return value;
}

/** One of `allowed`, or undefined when absent (null or missing); anything else is malformed. */
export function optionalOneOf(value: unknown, allowed: readonly string[], what: string): string | undefined {
  return isAbsent(value) ? undefined : oneOf(value, allowed, what);
}

/**
 * What a chunk that could not be read fails the stream with: the MalformedAnswerError a check
 * threw, or one for anything else (JSON.parse's SyntaxError).
 */
export function asMalformed(e: unknown): MalformedAnswerError {
  return e instanceof MalformedAnswerError ? e : new MalformedAnswerError(String(e));
}
