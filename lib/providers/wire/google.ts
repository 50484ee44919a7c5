/**
 * Google Generative AI (the Gemini API): `models/{id}:generateContent` and
 * `models/{id}:streamGenerateContent?alt=sse`. Read as @ai-sdk/google reads it
 * (`GoogleGenerativeAILanguageModel`, doGenerate / doStream, its `responseSchema` / `chunkSchema`).
 *
 * Only the first candidate is read. Text is its parts with a non-empty `text`, unless the part says
 * `thought: true` (reasoning). Function calls, code execution, server tool calls and results,
 * inline data and grounding sources are not text; function calls only turn a `STOP` into
 * `tool-calls`. A prompt the API blocked (`promptFeedback.blockReason`, no finish reason) finishes
 * as `content-filter`. Usage is `usageMetadata` (in a stream: the last one sent), converted as
 * `convertGoogleGenerativeAIUsage` does.
 *
 * Not done here (see the report that came with this file): a `CONTINUATION` finish that carries a
 * `continuationToken` makes the SDK request the rest of the answer; a decoder cannot send requests,
 * so it reads such an answer as cut off (`length`, raw `CONTINUATION`), as the SDK reads one
 * without a token.
 *
 * What the SDK's schemas accept (and how they classify parts) is checked in ./google-schema.ts.
 */
import { APICallError } from "ai";
import { type Body, bodyOf, COUNTS, DETAILS, functionCallOf, kindOf, partsOf, textOfPart } from "./google-schema";
import {
  asMalformed,
  isAbsent,
  isString,
  type Json,
  MalformedAnswerError,
  optionalObject,
  unknownUsage,
  type WireAnswer,
  type WireFinishReason,
  type WireFormat,
  type WireUsage,
} from "./types";

// ---- what the SDK makes of it (what its schemas accept: ./google-schema.ts) -------------------

/** `mapGoogleGenerativeAIFinishReason`. */
function unifiedFinishOf(raw: string | undefined, hasToolCalls: boolean): WireFinishReason["unified"] {
  switch (raw) {
    case "STOP":
      return hasToolCalls ? "tool-calls" : "stop";
    case "MAX_TOKENS":
    case "CONTINUATION":
      return "length";
    case "IMAGE_SAFETY":
    case "RECITATION":
    case "SAFETY":
    case "BLOCKLIST":
    case "PROHIBITED_CONTENT":
    case "SPII":
      return "content-filter";
    case "MALFORMED_FUNCTION_CALL":
      return "error";
    default:
      return "other";
  }
}

const countOf = (usage: Json, key: string) => (usage[key] as number | null | undefined) ?? 0;

/** `convertGoogleGenerativeAIUsage`: output is candidates plus thoughts, cached prompt tokens are read from cache. */
function usageOf(usage: Json | undefined): WireUsage {
  if (usage === undefined) return unknownUsage();
  const prompt = countOf(usage, "promptTokenCount");
  const candidates = countOf(usage, "candidatesTokenCount");
  const cached = countOf(usage, "cachedContentTokenCount");
  const thoughts = countOf(usage, "thoughtsTokenCount");
  return {
    inputTokens: { total: prompt, noCache: prompt - cached, cacheRead: cached, cacheWrite: undefined },
    outputTokens: { total: candidates + thoughts, text: candidates, reasoning: thoughts },
    raw: usage as WireUsage["raw"],
  };
}

/** `addCounts`: absent stays absent only when both are. */
function addCounts(a: unknown, b: unknown): unknown {
  if (isAbsent(a) && isAbsent(b)) return b ?? a;
  return ((a as number | null | undefined) ?? 0) + ((b as number | null | undefined) ?? 0);
}

type TokenDetails = { modality: string; tokenCount: number }[];

/** `addTokenDetails`: counts summed per modality. */
function addTokenDetails(a: unknown, b: unknown): unknown {
  if (isAbsent(a) || isAbsent(b)) return b ?? a;
  const counts = new Map<string, number>();
  for (const { modality, tokenCount } of [...(a as TokenDetails), ...(b as TokenDetails)])
    counts.set(modality, (counts.get(modality) ?? 0) + tokenCount);
  return Array.from(counts, ([modality, tokenCount]) => ({ modality, tokenCount }));
}

/**
 * `addGoogleGenerativeAIUsageMetadata`: the usage of a streamed answer that went on after a
 * `CONTINUATION` finish is the sum of both parts.
 */
function addUsage(a: Json | undefined, b: Json | undefined): Json | undefined {
  if (a === undefined || b === undefined) return b ?? a;
  const sum: Json = { ...a, ...b };
  for (const key of COUNTS) sum[key] = addCounts(a[key], b[key]);
  for (const key of DETAILS) sum[key] = addTokenDetails(a[key], b[key]);
  return sum;
}

/** `mapGoogleErrorStatusToHttpStatusCode`. */
function httpStatusOf(status: string): number | undefined {
  switch (status) {
    case "CANCELLED":
      return 499;
    case "INVALID_ARGUMENT":
    case "FAILED_PRECONDITION":
    case "OUT_OF_RANGE":
      return 400;
    case "DEADLINE_EXCEEDED":
      return 504;
    case "NOT_FOUND":
      return 404;
    case "ALREADY_EXISTS":
    case "ABORTED":
      return 409;
    case "PERMISSION_DENIED":
      return 403;
    case "UNAUTHENTICATED":
      return 401;
    case "RESOURCE_EXHAUSTED":
      return 429;
    case "UNIMPLEMENTED":
      return 501;
    case "UNKNOWN":
    case "INTERNAL":
    case "DATA_LOSS":
      return 500;
    case "UNAVAILABLE":
      return 503;
    default:
      return undefined;
  }
}

/**
 * An `error` a chunk carries, as the SDK's stream reports it: not the raw object but an
 * APICallError with its message, its status (`code`, else from `status`) and the object as `data`.
 * The request's URL, body and response headers are the SDK's to know, not a decoder's.
 */
function streamErrorOf(value: unknown): APICallError | undefined {
  const error = optionalObject(value, "error");
  if (error === undefined) return undefined;
  const code = error.code;
  const fits =
    (code === null || typeof code === "number") &&
    isString(error.message) &&
    isString(error.status) &&
    (isAbsent(error.details) || Array.isArray(error.details));
  if (!fits) throw new MalformedAnswerError("The error of a chunk is malformed.");
  // What the SDK's schema gives back: its keys only, in its order.
  const data: Json = { code, message: error.message, status: error.status };
  if ("details" in error) data.details = error.details;
  return new APICallError({
    message: error.message as string,
    url: "",
    requestBodyValues: undefined,
    statusCode: (code as number | null) ?? httpStatusOf(error.status as string),
    responseBody: JSON.stringify({ error: data }),
    data,
  });
}

/**
 * Whether a streamed chunk's function-call parts complete a call, as the SDK's doStream counts
 * them: a whole call (named, no `partialArgs`, not `willContinue`), or a call streamed in pieces
 * once its last piece came (in the part that opened it, a later piece, or the empty part that
 * closes it). `state.open`: a call streamed in pieces was opened. Once one call is complete
 * nothing more matters (the SDK's `hasToolCalls` stays true), so open calls are not counted.
 */
function completesCall(parts: unknown[], state: { open: boolean }): boolean {
  for (const value of parts) {
    const call = functionCallOf(value as Json);
    if (call === undefined) continue;
    const partialArgs = call.partialArgs as Json[] | null | undefined;
    const named = !isAbsent(call.name);
    if (!isAbsent(partialArgs) || (named && call.willContinue === true)) {
      if (named) state.open = true;
      const lastPiece =
        !isAbsent(partialArgs) && call.willContinue !== true && partialArgs.every((a) => a.willContinue !== true);
      if (state.open && lastPiece) return true;
    } else if (named) return true;
    else if (state.open && isAbsent(call.args) && isAbsent(call.willContinue)) return true;
  }
  return false;
}

export const googleWire: WireFormat = {
  readAnswer(json) {
    const { candidate, usage, blockReason, responseId } = bodyOf(json, "The answer");
    let text = "";
    let hasToolCalls = false;
    for (const part of candidate === undefined ? [] : partsOf(candidate)) {
      const kind = kindOf(part);
      if (kind === "text") text += textOfPart(part);
      else if (kind === "function-call" && !isAbsent(functionCallOf(part as Json)?.name)) hasToolCalls = true;
    }
    const finish = candidate?.finishReason as string | null | undefined;
    // A blocked prompt has no candidate to finish; the block reason stands in for the finish.
    const promptBlocked = isAbsent(finish) && blockReason !== undefined;
    const raw = finish ?? blockReason;
    return {
      text,
      finishReason: { unified: promptBlocked ? "content-filter" : unifiedFinishOf(raw, hasToolCalls), raw },
      usage: usageOf(usage),
      // The SDK reports no model id nor timestamp (Gemini's `modelVersion` is not read).
      response: { id: responseId },
    };
  },

  streamAnswer() {
    let text = "";
    let response: WireAnswer["response"];
    let finishReason: WireFinishReason = { unified: "other", raw: undefined };
    let usage: Json | undefined;
    let usageBeforeContinuation: Json | undefined;
    let promptBlocked = false;
    let hasToolCalls = false;
    const streamedCall = { open: false };
    let failure: { error: unknown } | undefined;
    return {
      push(event, onText) {
        if (event.data === "[DONE]") return;
        let chunk: Body;
        let error: APICallError | undefined;
        try {
          const json = JSON.parse(event.data) as unknown;
          chunk = bodyOf(json, "A chunk");
          error = streamErrorOf((json as Json).error);
        } catch (e) {
          failure ??= { error: asMalformed(e) };
          return;
        }
        // The SDK reports the error and reads on; the first error is what the stream ends with.
        if (error !== undefined) {
          failure ??= { error };
          return;
        }
        if (response === undefined && chunk.responseId !== undefined) response = { id: chunk.responseId };
        if (chunk.usage !== undefined) usage = chunk.usage;
        if (!promptBlocked && chunk.blockReason !== undefined) {
          promptBlocked = true;
          finishReason = { unified: "content-filter", raw: chunk.blockReason };
        }
        const candidate = chunk.candidate;
        // After a blocked prompt the SDK reads no candidate at all.
        if (promptBlocked || candidate === undefined) return;
        const parts = partsOf(candidate);
        for (const part of parts) {
          if (kindOf(part) !== "text") continue;
          const piece = textOfPart(part);
          text += piece;
          onText(piece);
        }
        if (!hasToolCalls && completesCall(parts, streamedCall)) hasToolCalls = true;
        const finish = candidate.finishReason as string | null | undefined;
        if (finish === "CONTINUATION") {
          usageBeforeContinuation = addUsage(usageBeforeContinuation, usage);
          usage = undefined;
        }
        if (!isAbsent(finish)) finishReason = { unified: unifiedFinishOf(finish, hasToolCalls), raw: finish };
      },
      end() {
        if (failure) throw failure.error;
        // The SDK does not ask for a finish: a stream that just stops finishes as "other".
        return { text, finishReason, usage: usageOf(addUsage(usageBeforeContinuation, usage)), response };
      },
    };
  },
};
