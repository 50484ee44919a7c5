/**
 * Streamed OpenAI Responses answers, read as the SDK's doStream reads them (its chunk transform and
 * `throwIfOpenAIStreamErrorBeforeOutput`). Wired up in ./openai-responses.ts.
 */
import { APICallError } from "ai";
import {
  checkAnnotation,
  checkFinishingFields,
  checkLogprobs,
  checkToolCallItem,
  finishOf,
  MESSAGE_PHASES,
  MODELED_ITEM_TYPES,
  unifiedFinish,
  usageOf,
} from "./openai-responses-schema";
import {
  isObject,
  type Json,
  MalformedAnswerError,
  numberOf,
  objectOf,
  optionalNumber,
  optionalObject,
  optionalOneOf,
  optionalString,
  stringOf,
  stringOrAbsent,
  type WireAnswer,
  type WireFinishReason,
} from "./types";

// ---- Errors inside a stream (openai-stream-error.ts) -----------------------------------------------

interface StreamError {
  message: string;
  code: string | number | undefined;
  type: string | undefined;
}

function httpErrorStatus(value: number): boolean {
  return Number.isInteger(value) && value >= 400 && value <= 599;
}

/** `getStatusCode`: the HTTP status an error frame stands for. */
function statusOf(error: StreamError): number {
  if (typeof error.code === "number" && httpErrorStatus(error.code)) return error.code;
  if (typeof error.code === "string" && /^\d{3}$/.test(error.code) && httpErrorStatus(Number(error.code)))
    return Number(error.code);
  const words = [error.code, error.type]
    .filter((v) => typeof v === "string" || typeof v === "number")
    .join(" ")
    .toLowerCase();
  if (words.includes("insufficient_quota") || words.includes("rate_limit")) return 429;
  if (words.includes("authentication")) return 401;
  if (words.includes("permission")) return 403;
  if (words.includes("not_found")) return 404;
  if (words.includes("invalid") || words.includes("bad_request") || words.includes("context_length")) return 400;
  if (words.includes("overload")) return 503;
  if (words.includes("timeout")) return 504;
  return 500;
}

function retryable(error: StreamError, status: number): boolean {
  if (error.code === "insufficient_quota" || error.type === "insufficient_quota") return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** The error object of the SDK's `error` part (`createOpenAIProviderStreamError`). */
function errorPart(error: StreamError, frame: Json) {
  const statusCode = statusOf(error);
  return {
    message: error.message,
    type: error.type,
    code: error.code,
    statusCode,
    isRetryable: retryable(error, statusCode),
    data: frame,
  };
}

/** What the SDK throws from doStream when the error came before any output (`createOpenAIStreamError`). */
function errorBeforeOutput(error: StreamError, frame: Json): APICallError {
  const statusCode = statusOf(error);
  return new APICallError({
    message: error.message,
    url: "",
    requestBodyValues: {},
    statusCode,
    responseBody: JSON.stringify(frame),
    data: frame,
    isRetryable: retryable(error, statusCode),
  });
}

/** `key` of `from` copied onto `to` when present: zod keeps a nullish key only when it was sent. */
function copyIfSent(to: Json, from: Json, key: string): void {
  if (key in from) to[key] = from[key];
}

/** The nested form of an `error` event, when it matches the SDK's schema for it (tried first). */
function nestedError(chunk: Json): Json | undefined {
  const error = chunk.error;
  if (!isObject(error)) return undefined;
  const fits =
    typeof error.type === "string" &&
    typeof error.message === "string" &&
    stringOrAbsent(error.code) &&
    stringOrAbsent(error.param);
  return fits ? error : undefined;
}

/** An `error` event as the SDK's schema leaves it (nested `error` object, else flat); unknown keys dropped. */
function errorEvent(chunk: Json): { error: StreamError; frame: Json } {
  const sequence = numberOf(chunk.sequence_number, "sequence_number");
  const nested = nestedError(chunk);
  const from = nested ?? chunk;
  const message = stringOf(from.message, "error.message");
  const code = optionalString(from.code, "error.code");
  optionalString(from.param, "error.param");
  const fields: Json = nested ? { type: nested.type } : {};
  copyIfSent(fields, from, "code");
  fields.message = message;
  copyIfSent(fields, from, "param");
  if (nested)
    return {
      error: { message, code, type: nested.type as string },
      frame: { type: "error", sequence_number: sequence, error: fields },
    };
  return { error: { message, code, type: "error" }, frame: { type: "error", sequence_number: sequence, ...fields } };
}

/** A `response.failed` event's error (`{ code?, message }`), if it carries one. */
function failedError(response: Json): { error: StreamError; sent: Json } | undefined {
  const e = optionalObject(response.error, "response.error");
  if (e === undefined) return undefined;
  const code = optionalString(e.code, "error.code");
  const message = stringOf(e.message, "error.message");
  const sent: Json = {};
  copyIfSent(sent, e, "code");
  sent.message = message;
  return { error: { message, code, type: "response.failed" }, sent };
}

/** A chunk that fails the schema but looks like chat completions: the SDK says which API was meant. */
function looksLikeChatCompletions(chunk: unknown): boolean {
  return isObject(chunk) && Array.isArray(chunk.choices) && typeof chunk.type !== "string";
}

function chatCompletionsMismatch(chunk: unknown, cause: unknown): APICallError {
  return new APICallError({
    message:
      "Received a Chat Completions stream while using the OpenAI Responses API. The default OpenAI provider model uses the Responses API. If your custom baseURL targets a Chat Completions-compatible endpoint, use openai.chat('model-id') or createOpenAI(...).chat('model-id') instead. You can also use @ai-sdk/openai-compatible for OpenAI-compatible providers.",
    url: "",
    requestBodyValues: {},
    responseBody: JSON.stringify(chunk),
    cause,
    data: chunk,
    isRetryable: false,
  });
}

// ---- Streaming -------------------------------------------------------------------------------------

/** Event types the SDK models but that only hosted tools send: recognised, not checked in depth. */
const HOSTED_TOOL_EVENTS = new Set([
  "response.apply_patch_call_operation_diff.delta",
  "response.apply_patch_call_operation_diff.done",
  "response.code_interpreter_call_code.delta",
  "response.code_interpreter_call_code.done",
  "response.image_generation_call.partial_image",
]);

/** One streamed answer, read as the SDK's doStream transform (and its error-before-output check) reads it. */
export class ResponsesStreamDecoder {
  private text = "";
  private response: WireAnswer["response"];
  private usage: Json | undefined;
  private finish: WireFinishReason = { unified: "other", raw: undefined };
  private hasFunctionCall = false;
  private hasRefusal = false;
  /** Until the first output event the SDK throws a reported error from doStream instead of streaming it. */
  private beforeOutput = true;
  /** The SDK threw from doStream: there is no stream, later events are never read. */
  private thrownEarly = false;
  private failure: { error: unknown } | undefined;

  push(data: string, onText: (text: string) => void): void {
    if (data === "[DONE]" || this.thrownEarly) return;
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch (e) {
      this.fail(new MalformedAnswerError(`A chunk is not JSON: ${String(e)}`));
      return;
    }
    try {
      this.read(objectOf(chunk, "A chunk"), onText);
    } catch (e) {
      if (!(e instanceof MalformedAnswerError)) throw e;
      this.fail(looksLikeChatCompletions(chunk) ? chatCompletionsMismatch(chunk, e) : e);
    }
  }

  end(): WireAnswer {
    if (this.failure) throw this.failure.error;
    return { text: this.text, finishReason: this.finish, usage: usageOf(this.usage), response: this.response };
  }

  private fail(error: unknown): void {
    this.failure ??= { error };
    this.beforeOutput = false;
  }

  /** An error the provider reported: thrown by doStream before any output, else the stream's error part. */
  private reported(error: StreamError, frame: Json): void {
    if (this.failure === undefined && this.beforeOutput) {
      this.failure = { error: errorBeforeOutput(error, frame) };
      this.thrownEarly = true;
    } else this.failure ??= { error: errorPart(error, frame) };
  }

  private emit(piece: string, onText: (text: string) => void): void {
    if (piece.length === 0) return;
    this.text += piece;
    onText(piece);
  }

  private read(chunk: Json, onText: (text: string) => void): void {
    const type = stringOf(chunk.type, "chunk.type");
    switch (type) {
      case "response.output_text.delta":
        stringOf(chunk.item_id, "item_id");
        checkLogprobs(chunk.logprobs);
        this.beforeOutput = false;
        this.emit(stringOf(chunk.delta, "delta"), onText);
        return;
      case "response.refusal.delta":
      case "response.refusal.done":
        stringOf(chunk.item_id, "item_id");
        optionalNumber(chunk.output_index, "output_index");
        optionalNumber(chunk.content_index, "content_index");
        this.beforeOutput = false;
        this.hasRefusal = true;
        if (type === "response.refusal.delta") this.emit(stringOf(chunk.delta, "delta"), onText);
        else stringOf(chunk.refusal, "refusal");
        return;
      case "response.created":
        this.created(objectOf(chunk.response, "response"));
        return;
      case "response.completed":
      case "response.incomplete": {
        const { reason, usage } = checkFinishingFields(objectOf(chunk.response, "response"));
        this.beforeOutput = false;
        this.finish = finishOf(reason, this.hasFunctionCall, this.hasRefusal);
        this.usage = usage;
        return;
      }
      case "response.failed":
        this.failed(chunk);
        return;
      case "error": {
        const { error, frame } = errorEvent(chunk);
        this.finish = { unified: "error", raw: "error" };
        this.reported(error, frame);
        return;
      }
      case "response.output_item.added":
      case "response.output_item.done":
        this.item(chunk, type === "response.output_item.done");
        return;
      case "response.function_call_arguments.delta":
      case "response.custom_tool_call_input.delta":
      case "response.function_call_arguments.done":
        // Tool-call arguments: not text, only checked.
        stringOf(chunk.item_id, "item_id");
        numberOf(chunk.output_index, "output_index");
        stringOf(type === "response.function_call_arguments.done" ? chunk.arguments : chunk.delta, "arguments");
        this.beforeOutput = false;
        return;
      case "response.output_text.annotation.added":
        checkAnnotation(chunk.annotation);
        this.beforeOutput = false;
        return;
      case "response.reasoning_summary_text.delta":
      case "response.reasoning_summary_part.added":
      case "response.reasoning_summary_part.done":
        // Reasoning: not text, only checked.
        stringOf(chunk.item_id, "item_id");
        numberOf(chunk.summary_index, "summary_index");
        if (type === "response.reasoning_summary_text.delta") stringOf(chunk.delta, "delta");
        this.beforeOutput = false;
        return;
      default:
        // Hosted tools' events are output; anything else is an event the SDK does not model (ignored).
        if (HOSTED_TOOL_EVENTS.has(type)) this.beforeOutput = false;
        return;
    }
  }

  private created(response: Json): void {
    const id = stringOf(response.id, "response.id");
    const createdAt = numberOf(response.created_at, "response.created_at");
    const model = stringOf(response.model, "response.model");
    optionalString(response.service_tier, "response.service_tier");
    this.response = { id, modelId: model, timestamp: new Date(createdAt * 1000) };
  }

  private failed(chunk: Json): void {
    const sequence = numberOf(chunk.sequence_number, "sequence_number");
    const response = objectOf(chunk.response, "response");
    const reported = failedError(response);
    const { reason, usage } = checkFinishingFields(response);
    // Truthiness, as the SDK tests it: an empty reason counts as none. A refusal is not weighed here
    // (the SDK leaves it out of this mapping; with a reason present it could not change the result).
    this.finish = reason
      ? { unified: unifiedFinish(reason, this.hasFunctionCall, false), raw: reason }
      : { unified: "error", raw: reason ?? "error" };
    this.usage = usage;
    if (reported === undefined) return;
    if (this.failure === undefined && this.beforeOutput) {
      // Before output the SDK's error carries the whole (parsed) event.
      this.reported(reported.error, chunk);
      return;
    }
    const frame = {
      type: "response.failed",
      sequence_number: sequence,
      response: {
        error: reported.sent,
        incomplete_details: response.incomplete_details == null ? response.incomplete_details : { reason },
        service_tier: response.service_tier,
      },
    };
    this.reported(reported.error, frame);
  }

  /** `response.output_item.added/done`: only tool calls matter (for the finish reason). */
  private item(chunk: Json, done: boolean): void {
    const item = objectOf(chunk.item, "item");
    const itemType = stringOf(item.type, "item.type");
    if (!MODELED_ITEM_TYPES.has(itemType)) return; // not modeled: the SDK ignores the event
    numberOf(chunk.output_index, "output_index");
    this.beforeOutput = false;
    switch (itemType) {
      case "message":
        stringOf(item.id, "item.id");
        optionalOneOf(item.phase, MESSAGE_PHASES, "item.phase");
        return;
      case "reasoning":
        stringOf(item.id, "item.id");
        optionalString(item.encrypted_content, "item.encrypted_content");
        return;
      case "function_call":
      case "custom_tool_call":
        checkToolCallItem(item, done);
        if (done) this.hasFunctionCall = true;
        return;
      case "apply_patch_call":
        if (done && item.status === "completed") this.hasFunctionCall = true;
        return;
    }
  }
}
