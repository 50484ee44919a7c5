/**
 * Anthropic Messages (`POST /messages`), read as @ai-sdk/anthropic reads it
 * (`AnthropicMessagesLanguageModel`, doGenerate/doStream) for a plain-text call: no tools and no
 * structured-output `json` tool (with those the SDK holds text back or turns the `json` tool's
 * input into text; such calls never come this way).
 *
 * Text is `text` blocks (streamed: every `text_delta`) and, as the SDK has it, `compaction` blocks
 * (server-side context compaction, which the SDK reports as text). Not text: `thinking` and
 * `redacted_thinking` blocks (reasoning), tool use and server-tool blocks, citations. `ping`,
 * `signature_delta`, `content_block_stop` and the like are read (the SDK's schema checks them)
 * and ignored.
 *
 * Checked as the SDK's zod schemas check them (./anthropic-schema.ts): every field this reads,
 * every event and block type (an unknown one fails, as in the SDK's discriminated unions), and the
 * usage numbers. Deep parts of tool/server-tool blocks (citations, container, stop details…) are
 * not checked.
 */
import { APICallError } from "ai";
import { blockTypeOf, checkedUsage, DELTA_TYPES } from "./anthropic-schema";
import {
  asMalformed,
  type Json,
  listOf,
  MalformedAnswerError,
  numberOf,
  objectOf,
  optionalNumber,
  optionalString,
  type SseEvent,
  stringOf,
  type WireAnswer,
  type WireFinishReason,
  type WireFormat,
  type WireStreamDecoder,
  type WireUsage,
} from "./types";

/** `mapAnthropicStopReason` (isJsonResponseFromTool is always false here: no `json` tool). */
function finishOf(raw: string | undefined): WireFinishReason {
  switch (raw) {
    case "pause_turn":
    case "end_turn":
    case "stop_sequence":
      return { unified: "stop", raw };
    case "refusal":
      return { unified: "content-filter", raw };
    case "tool_use":
      return { unified: "tool-calls", raw };
    case "max_tokens":
    case "model_context_window_exceeded":
      return { unified: "length", raw };
    default:
      return { unified: "other", raw };
  }
}

// ---------------------------------------------------------------------------------------------
// Usage (checked in ./anthropic-schema.ts)

/** The usage counts `convertAnthropicMessagesUsage` reads. */
interface UsageCounts {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  output_tokens_details?: { thinking_tokens?: number | null } | null;
  iterations?: Iteration[] | null;
}

interface Iteration {
  type: string;
  input_tokens: number;
  output_tokens: number;
}

/** `convertAnthropicMessagesUsage`: input counts exclude cache reads and writes, so the total adds them. */
function usageOf(usage: UsageCounts, raw: Json): WireUsage {
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const reasoning = usage.output_tokens_details?.thinking_tokens ?? undefined;
  let input = usage.input_tokens;
  let output = usage.output_tokens;
  // With server-side iterations (compaction, advisor…), the executor's own iterations are the
  // counts, unless a fallback model served the answer.
  const iterations = usage.iterations;
  if (iterations && iterations.length > 0 && !iterations.some((i) => i.type === "fallback_message")) {
    let sumIn = 0;
    let sumOut = 0;
    let executors = 0;
    for (const i of iterations) {
      if (i.type !== "compaction" && i.type !== "message") continue;
      executors++;
      sumIn += i.input_tokens;
      sumOut += i.output_tokens;
    }
    if (executors > 0) {
      input = sumIn;
      output = sumOut;
    }
  }
  return {
    inputTokens: { total: input + cacheWrite + cacheRead, noCache: input, cacheRead, cacheWrite },
    outputTokens: { total: output, text: reasoning == null ? undefined : output - reasoning, reasoning },
    raw: raw as WireUsage["raw"],
  };
}

// ---------------------------------------------------------------------------------------------
// Content blocks (checked in ./anthropic-schema.ts)

/** The text of a whole answer's content: its text blocks and, as the SDK has it, compactions. */
function textOfContent(content: unknown): string {
  let text = "";
  for (const block of listOf(content, "content")) {
    const type = blockTypeOf(block, false);
    if (type === "text") text += (block as Json).text as string;
    else if (type === "compaction") text += (block as Json).content as string;
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// Non-streamed answers

function readAnswer(json: unknown): WireAnswer {
  const body = objectOf(json, "The answer");
  if (body.type !== "message") throw new MalformedAnswerError('The answer is not of type "message".');
  const id = optionalString(body.id, "id");
  const model = optionalString(body.model, "model");
  const stop = optionalString(body.stop_reason, "stop_reason");
  optionalString(body.stop_sequence, "stop_sequence");
  const text = textOfContent(body.content);
  const usage = checkedUsage(body.usage, true);
  return {
    text,
    finishReason: finishOf(stop),
    usage: usageOf(usage as unknown as UsageCounts, usage),
    response: { id, modelId: model, timestamp: undefined },
  };
}

// ---------------------------------------------------------------------------------------------
// Streamed answers

/** A provider's error event, as the SDK's schema gives it back (`{ type, message }`, nothing else). */
function providerErrorOf(chunk: Json): { type: string; message: string } {
  const error = objectOf(chunk.error, "error");
  return { type: stringOf(error.type, "error.type"), message: stringOf(error.message, "error.message") };
}

/**
 * The error doStream throws when the stream's first part is a provider error: the SDK reads
 * that part before handing the stream over and fails the call with an APICallError (529 and
 * retryable when overloaded, else 500). The request URL is not known here.
 */
function firstPartError(error: { type: string; message: string }): APICallError {
  const overloaded = error.type === "overloaded_error";
  return new APICallError({
    message: error.message,
    url: "",
    requestBodyValues: undefined,
    statusCode: overloaded ? 529 : 500,
    responseBody: JSON.stringify(error),
    isRetryable: overloaded,
  });
}

/** The SDK's running usage of a stream (its `usage` object in doStream). */
interface StreamUsage extends UsageCounts {
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

class AnthropicStreamDecoder implements WireStreamDecoder {
  private text = "";
  private failure: { error: unknown } | undefined;
  /** Whether the SDK's stream has produced a part yet (an error before any is thrown by doStream). */
  private started = false;
  private messageOpen = false;
  private activeMessageId: unknown;
  /** Nothing more is read: a second message began inside the first, or the call failed before any part. */
  private broken = false;
  /** The type of the block the last `content_block_start` opened (signature deltas count only in thinking). */
  private blockType: string | undefined;
  private finishReason: WireFinishReason = { unified: "other", raw: undefined };
  private readonly usage: StreamUsage = {
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    iterations: null,
  };
  private rawUsage: Json | undefined;
  private response: WireAnswer["response"];
  /** What the last `message_stop` finished with. */
  private finished: { finishReason: WireFinishReason; usage: WireUsage } | undefined;

  push(event: SseEvent, onText: (text: string) => void): void {
    if (this.broken || event.data === "[DONE]") return;
    let piece: string | undefined;
    try {
      piece = this.read(objectOf(JSON.parse(event.data), "A chunk"));
    } catch (e) {
      this.fail(asMalformed(e));
      return;
    }
    // Outside the try: a failure of the receiver is not a malformed answer.
    if (piece) {
      this.text += piece;
      onText(piece);
    }
  }

  end(): WireAnswer {
    if (this.failure) throw this.failure.error;
    // The SDK's stream just ends without a finish part; the gateway cannot use such an answer.
    if (!this.finished) throw new MalformedAnswerError("Response stream ended without message_stop.");
    return { text: this.text, ...this.finished, response: this.response };
  }

  private fail(error: unknown): void {
    // A failure before any part fails the SDK's doStream itself: nothing after it is read.
    if (!this.started) this.broken = true;
    this.failure ??= { error };
    this.started = true;
  }

  /**
   * One chunk, checked as the SDK's chunk schema checks it (the event name is not used, as in the
   * SDK); gives the text it carries, if any.
   */
  private read(chunk: Json): string | undefined {
    switch (chunk.type) {
      case "ping":
        break;
      case "content_block_start":
        this.readBlockStart(chunk);
        break;
      case "content_block_delta":
        return this.readDelta(chunk);
      case "content_block_stop":
        this.index(chunk);
        this.blockType = undefined;
        break;
      case "message_start":
        this.readMessageStart(chunk);
        break;
      case "message_delta":
        this.readMessageDelta(chunk);
        break;
      case "message_stop":
        this.readMessageStop();
        break;
      case "error": {
        const error = providerErrorOf(chunk);
        this.fail(this.started ? error : firstPartError(error));
        break;
      }
      default:
        throw new MalformedAnswerError(`Unknown event type ${JSON.stringify(chunk.type)}.`);
    }
  }

  private readBlockStart(chunk: Json): void {
    this.index(chunk);
    const type = blockTypeOf(chunk.content_block, true);
    if (type === "fallback") return;
    // The block's opening text is not read (the SDK starts an empty text part).
    this.blockType = type;
    this.started = true;
  }

  private readMessageStop(): void {
    this.messageOpen = false;
    this.activeMessageId = undefined;
    this.finished = {
      finishReason: this.finishReason,
      usage: usageOf(this.usage, this.rawUsage ?? this.usageAsRaw()),
    };
    this.started = true;
  }

  private index(chunk: Json): void {
    numberOf(chunk.index, "A chunk's index");
  }

  /** A content delta: its text, if it is text. */
  private readDelta(chunk: Json): string | undefined {
    this.index(chunk);
    const delta = objectOf(chunk.delta, "delta");
    const type = delta.type;
    if (typeof type !== "string" || !DELTA_TYPES.has(type))
      throw new MalformedAnswerError(`Unknown delta type ${JSON.stringify(type)}.`);
    switch (type) {
      case "text_delta": {
        // Text in any block (the SDK does not check which block the index names).
        const piece = stringOf(delta.text, "A text delta's text");
        this.started = true;
        return piece;
      }
      case "compaction_delta": {
        const piece = optionalString(delta.content, "A compaction delta's content");
        if (piece !== undefined) this.started = true;
        return piece;
      }
      case "thinking_delta":
        stringOf(delta.thinking, "A thinking delta's thinking");
        this.started = true;
        return undefined;
      case "signature_delta":
        stringOf(delta.signature, "A signature delta's signature");
        if (this.blockType === "thinking") this.started = true;
        return undefined;
      case "input_json_delta":
        stringOf(delta.partial_json, "An input JSON delta's partial_json");
        return undefined;
      default:
        objectOf(delta.citation, "A citation");
        return undefined;
    }
  }

  private readMessageStart(chunk: Json): void {
    const message = objectOf(chunk.message, "message");
    const id = optionalString(message.id, "message.id");
    const model = optionalString(message.model, "message.model");
    optionalString(message.role, "message.role");
    const stop = optionalString(message.stop_reason, "message.stop_reason");
    const u = objectOf(message.usage, "message.usage");
    const input = numberOf(u.input_tokens, "usage.input_tokens");
    const cacheWrite = optionalNumber(u.cache_creation_input_tokens, "cache_creation_input_tokens");
    const cacheRead = optionalNumber(u.cache_read_input_tokens, "cache_read_input_tokens");
    if (message.content != null) {
      // Only deferred tool calls may come with the message (the SDK's schema refuses any other block).
      for (const block of listOf(message.content, "message.content"))
        if (blockTypeOf(block, true) !== "tool_use")
          throw new MalformedAnswerError("message.content holds a block other than tool_use.");
    }
    if (this.messageOpen) {
      // The same message announced again is ignored; another one inside it breaks the stream.
      if (this.activeMessageId === message.id) return;
      this.broken = true;
      throw new MalformedAnswerError("message_start for a new message while another is open.");
    }
    this.messageOpen = true;
    this.activeMessageId = message.id;
    this.started = true;
    this.usage.input_tokens = input;
    this.usage.cache_read_input_tokens = cacheRead ?? 0;
    this.usage.cache_creation_input_tokens = cacheWrite ?? 0;
    this.rawUsage = { ...u };
    if (stop !== undefined) this.finishReason = finishOf(stop);
    this.response = { id, modelId: model, timestamp: undefined };
  }

  private readMessageDelta(chunk: Json): void {
    const delta = objectOf(chunk.delta, "delta");
    const stop = optionalString(delta.stop_reason, "delta.stop_reason");
    optionalString(delta.stop_sequence, "delta.stop_sequence");
    const u = checkedUsage(chunk.usage, false);
    const usage = this.usage;
    if (u.input_tokens != null) usage.input_tokens = u.input_tokens as number;
    usage.output_tokens = u.output_tokens as number;
    if (u.output_tokens_details != null)
      usage.output_tokens_details = u.output_tokens_details as UsageCounts["output_tokens_details"];
    if (u.cache_read_input_tokens != null) usage.cache_read_input_tokens = u.cache_read_input_tokens as number;
    if (u.cache_creation_input_tokens != null)
      usage.cache_creation_input_tokens = u.cache_creation_input_tokens as number;
    if (u.iterations != null) usage.iterations = u.iterations as unknown as Iteration[];
    this.finishReason = finishOf(stop);
    this.rawUsage = { ...this.rawUsage, ...u };
  }

  /** With neither message_start nor message_delta, the SDK's `raw` is its own running usage object. */
  private usageAsRaw(): Json {
    return { ...this.usage };
  }
}

export const anthropicWire: WireFormat = {
  readAnswer,
  streamAnswer: () => new AnthropicStreamDecoder(),
};
