/**
 * OpenAI Responses (`POST /responses`): what `createOpenAI(...)(modelId)` calls by default. Read as
 * @ai-sdk/openai 3 reads it (`OpenAIResponsesLanguageModel`, its `openaiResponsesResponseSchema` /
 * `openaiResponsesChunkSchema` and `throwIfOpenAIStreamErrorBeforeOutput`).
 *
 * Text is the `output_text` and `refusal` parts of `message` items (streamed: `response.output_text.delta`
 * and `response.refusal.delta`). Not text: `reasoning` items and their summary events, tool calls
 * (only their presence counts, for the finish reason), annotations. The finish reason comes from
 * `incomplete_details.reason` alone (the answer's `status` is not read, as in the SDK); a stream that
 * never says how it finished ends with "other", as the SDK's does. Nothing here depends on the model
 * id: the SDK reads answers of reasoning models (o3, gpt-5) the same way.
 *
 * Errors, as the SDK reports them: an answer body with `error` → APICallError (400); inside a stream,
 * an `error` event or a `response.failed` carrying an error → an APICallError when no output came
 * before it (the SDK throws it from doStream), else the plain error object of its `error` part.
 *
 * Shapes are checked as the SDK's zod schemas check them, in depth for everything a plain-text answer
 * carries; items and events of hosted tools (web search, code interpreter, MCP…) are recognised but
 * not checked in depth, since calls with tools never come this way.
 *
 * Whole answers are read here, streamed ones in ./openai-responses-stream.ts; the shape checks and
 * mappings both share are in ./openai-responses-schema.ts.
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
  usageOf,
} from "./openai-responses-schema";
import { ResponsesStreamDecoder } from "./openai-responses-stream";
import {
  type Json,
  listOf,
  MalformedAnswerError,
  missingOr,
  numberOf,
  objectOf,
  optionalObject,
  optionalOneOf,
  optionalString,
  stringOf,
  type WireAnswer,
  type WireFormat,
} from "./types";

// ---- Whole answers ---------------------------------------------------------------------------------

/** The text of a body's `message` item; `refused` when it holds a refusal part. */
function messageText(item: Json): { text: string; refused: boolean } {
  if (item.role !== "assistant") throw new MalformedAnswerError("a message item is not the assistant's.");
  stringOf(item.id, "item.id");
  optionalOneOf(item.phase, MESSAGE_PHASES, "item.phase");
  let text = "";
  let refused = false;
  for (const p of listOf(item.content, "item.content")) {
    const part = objectOf(p, "a content part");
    if (part.type === "output_text") {
      text += stringOf(part.text, "output_text.text");
      checkLogprobs(part.logprobs);
      for (const annotation of listOf(part.annotations, "output_text.annotations")) checkAnnotation(annotation);
    } else if (part.type === "refusal") {
      text += stringOf(part.refusal, "refusal");
      refused = true;
    } else throw new MalformedAnswerError("a content part has an unknown type.");
  }
  return { text, refused };
}

function checkReasoningItem(item: Json): void {
  stringOf(item.id, "item.id");
  optionalString(item.encrypted_content, "item.encrypted_content");
  for (const s of listOf(item.summary, "item.summary")) {
    const summary = objectOf(s, "a reasoning summary");
    if (summary.type !== "summary_text") throw new MalformedAnswerError("a reasoning summary is not summary_text.");
    stringOf(summary.text, "summary.text");
  }
}

/** The body's `error` (`{ message, type, param?, code }`), if it has one. */
function bodyError(body: Json): { message: string } | undefined {
  const error = optionalObject(body.error, "error");
  if (error === undefined) return undefined;
  stringOf(error.type, "error.type");
  stringOf(error.code, "error.code");
  optionalString(error.param, "error.param");
  return { message: stringOf(error.message, "error.message") };
}

function readBody(json: unknown): WireAnswer {
  const body = objectOf(json, "The answer");
  const id = missingOr(body.id, stringOf, "id");
  const createdAt = missingOr(body.created_at, numberOf, "created_at");
  const model = missingOr(body.model, stringOf, "model");
  const error = bodyError(body);
  const { reason, usage } = checkFinishingFields(body);
  const output = missingOr(body.output, listOf, "output");
  let text = "";
  let hasRefusal = false;
  let hasFunctionCall = false;
  for (const entry of output ?? []) {
    const item = objectOf(entry, "an output item");
    if (item.type === "message") {
      const message = messageText(item);
      text += message.text;
      hasRefusal ||= message.refused;
    } else if (item.type === "reasoning") checkReasoningItem(item);
    else if (item.type === "function_call" || item.type === "custom_tool_call") {
      checkToolCallItem(item, false);
      hasFunctionCall = true;
    } else if (item.type === "apply_patch_call") hasFunctionCall = true;
    else if (typeof item.type !== "string" || !MODELED_ITEM_TYPES.has(item.type))
      throw new MalformedAnswerError("an output item has an unknown type.");
  }
  if (error !== undefined)
    throw new APICallError({
      message: error.message,
      url: "",
      requestBodyValues: {},
      statusCode: 400,
      responseBody: JSON.stringify(json),
      isRetryable: false,
    });
  // The SDK fails on a body without `output` with a TypeError ("response.output is not iterable").
  if (output === undefined) throw new MalformedAnswerError("The answer has no output.");
  return {
    text,
    finishReason: finishOf(reason, hasFunctionCall, hasRefusal),
    usage: usageOf(usage),
    // A missing created_at gives an invalid date, as in the SDK.
    response: { id, modelId: model, timestamp: new Date((createdAt ?? Number.NaN) * 1000) },
  };
}

export const openaiResponsesWire: WireFormat = {
  readAnswer: readBody,
  streamAnswer() {
    const decoder = new ResponsesStreamDecoder();
    return {
      push: (event, onText) => decoder.push(event.data, onText),
      end: () => decoder.end(),
    };
  },
};
