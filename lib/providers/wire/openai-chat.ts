/**
 * OpenAI chat completions (`/chat/completions`): OpenAI's chat API and every OpenAI-compatible
 * server (Ollama, vLLM, LM Studio, LiteLLM). Read as @ai-sdk/openai-compatible reads it
 * (`OpenAICompatibleChatLanguageModel`): text is `content` (a string, or parts of type "text")
 * plus a `refusal`; reasoning (`reasoning_content`, `reasoning`, parts of type "reasoning") is not
 * text; tool calls are not read here (calls with tools never come this way).
 */
import {
  asMalformed,
  type Json,
  listOf,
  MalformedAnswerError,
  objectOf,
  optionalNumber,
  optionalObject,
  optionalString,
  unknownUsage,
  type WireAnswer,
  type WireFinishReason,
  type WireFormat,
  type WireUsage,
} from "./types";

function finishOf(raw: string | undefined, hasRefusal: boolean): WireFinishReason {
  switch (raw) {
    case "stop":
      return { unified: hasRefusal ? "content-filter" : "stop", raw };
    case "length":
      return { unified: "length", raw };
    case "content_filter":
      return { unified: "content-filter", raw };
    case "function_call":
    case "tool_calls":
      return { unified: "tool-calls", raw };
    default:
      return { unified: "other", raw };
  }
}

/** `convertOpenAICompatibleChatUsage`. */
function usageOf(value: unknown): WireUsage {
  if (value === undefined || value === null) return unknownUsage();
  const u = objectOf(value, "usage");
  const prompt = optionalNumber(u.prompt_tokens, "usage.prompt_tokens") ?? 0;
  const completion = optionalNumber(u.completion_tokens, "usage.completion_tokens") ?? 0;
  const promptDetails = optionalObject(u.prompt_tokens_details, "usage details") ?? {};
  const completionDetails = optionalObject(u.completion_tokens_details, "usage details") ?? {};
  const cacheRead = optionalNumber(promptDetails.cached_tokens, "cached_tokens") ?? 0;
  const reasoning = optionalNumber(completionDetails.reasoning_tokens, "reasoning_tokens") ?? 0;
  return {
    inputTokens: { total: prompt, noCache: prompt - cacheRead, cacheRead, cacheWrite: undefined },
    outputTokens: { total: completion, text: Math.max(0, completion - reasoning), reasoning },
    raw: u as WireUsage["raw"],
  };
}

/** The text pieces of a `content` (a string, or one piece per part of type "text"); reasoning parts are not text. */
function piecesOf(content: unknown): string[] {
  if (content === undefined || content === null) return [];
  if (typeof content === "string") return content.length > 0 ? [content] : [];
  if (!Array.isArray(content)) throw new MalformedAnswerError("content is neither text nor a list of parts.");
  const pieces: string[] = [];
  for (const p of content) {
    const part = objectOf(p, "a content part");
    if (typeof part.type !== "string") throw new MalformedAnswerError("a content part has no type.");
    if (part.type === "text" && typeof part.text === "string" && part.text.length > 0) pieces.push(part.text);
  }
  return pieces;
}

/**
 * An error chunk as the SDK's error schema keeps it (`{ message, type, param, code }`, other keys
 * dropped); one that does not fit (no string message) is an unreadable answer, as for the SDK.
 */
function providerErrorOf(value: unknown): Json {
  const error = objectOf(value, "error");
  if (typeof error.message !== "string") throw new MalformedAnswerError("error has no message.");
  const kept: Json = { message: error.message };
  for (const key of ["type", "param", "code"] as const) if (key in error) kept[key] = error[key];
  return kept;
}

function metadataOf(body: Json): WireAnswer["response"] {
  const id = optionalString(body.id, "id");
  const model = optionalString(body.model, "model");
  const created = optionalNumber(body.created, "created");
  return { id, modelId: model, timestamp: created !== undefined ? new Date(created * 1000) : undefined };
}

export const openaiChatWire: WireFormat = {
  readAnswer(json) {
    const body = objectOf(json, "The answer");
    const first = listOf(body.choices, "choices")[0];
    if (first === undefined) throw new MalformedAnswerError("Response did not contain any choices.");
    const choice = objectOf(first, "choices[0]");
    const message = objectOf(choice.message, "choices[0].message");
    // (servers that send `refusal: false` are read as the SDK reads them: no refusal)
    const refusal = typeof message.refusal === "string" ? message.refusal : "";
    const finish = optionalString(choice.finish_reason, "finish_reason");
    return {
      text: piecesOf(message.content).join("") + refusal,
      finishReason: finishOf(finish, refusal.length > 0),
      usage: usageOf(body.usage),
      response: metadataOf(body),
    };
  },

  streamAnswer() {
    let text = "";
    let first = true;
    let response: WireAnswer["response"];
    let usage: unknown;
    let rawFinish: string | undefined;
    let hasRefusal = false;
    let failure: { error: unknown } | undefined;
    return {
      push(event, onText) {
        if (event.data === "[DONE]") return;
        let chunk: Json;
        try {
          chunk = objectOf(JSON.parse(event.data), "A chunk");
          if ("error" in chunk) {
            // A chunk that reads as a chunk carries its error as sent; otherwise it must read as
            // the error schema (the SDK's chunk schema is the union of the two).
            failure ??= { error: Array.isArray(chunk.choices) ? chunk.error : providerErrorOf(chunk.error) };
            return;
          }
          listOf(chunk.choices, "choices");
        } catch (e) {
          failure ??= { error: asMalformed(e) };
          return;
        }
        if (first) {
          first = false;
          response = metadataOf(chunk);
        }
        if (chunk.usage != null) usage = chunk.usage;
        const choice = (chunk.choices as unknown[])[0] as Json | undefined;
        if (choice == null) return;
        if (choice.finish_reason != null) rawFinish = String(choice.finish_reason);
        const delta = choice.delta as Json | undefined | null;
        if (delta == null) return;
        for (const piece of piecesOf(delta.content)) {
          text += piece;
          onText(piece);
        }
        const refusal = delta.refusal;
        if (typeof refusal === "string" && refusal.length > 0) {
          hasRefusal = true;
          text += refusal;
          onText(refusal);
        }
      },
      end() {
        if (failure) throw failure.error;
        if (rawFinish === undefined) throw new MalformedAnswerError("Response stream ended without a finish reason.");
        return { text, finishReason: finishOf(rawFinish, hasRefusal), usage: usageOf(usage), response };
      },
    };
  },
};
