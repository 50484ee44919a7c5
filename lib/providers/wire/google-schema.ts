/**
 * What the AI SDK's Gemini response and chunk schemas accept (@ai-sdk/google's `responseSchema` /
 * `chunkSchema`): candidates, their parts (classified as the SDK's part union parses them), safety
 * ratings, usage metadata and prompt feedback. Read by ./google.ts.
 */
import {
  booleanOrAbsent,
  isAbsent,
  isObject,
  isString,
  type Json,
  MalformedAnswerError,
  numberOrAbsent,
  objectOf,
  optionalBoolean,
  optionalList,
  optionalNumber,
  optionalObject,
  optionalString,
  stringOrAbsent,
} from "./types";

// ---- what the SDK's zod schemas accept -------------------------------------------------------

/** A `partialArgs` entry of a streamed function call (`partialArgSchema`). */
function isPartialArg(value: unknown): boolean {
  return (
    isObject(value) &&
    isString(value.jsonPath) &&
    stringOrAbsent(value.stringValue) &&
    numberOrAbsent(value.numberValue) &&
    booleanOrAbsent(value.boolValue) &&
    booleanOrAbsent(value.willContinue)
  );
}

/**
 * The `functionCall` of a part if the part is one (the first member of the SDK's part union). A
 * part whose `functionCall` does not fit is read by the later members, without that key (zod
 * strips unknown keys), so it is NOT a function call then.
 */
export function functionCallOf(part: Json): Json | undefined {
  const call = part.functionCall;
  if (!isObject(call) || !stringOrAbsent(part.thoughtSignature)) return undefined;
  const partialArgs = call.partialArgs;
  const fits =
    stringOrAbsent(call.id) &&
    stringOrAbsent(call.name) &&
    booleanOrAbsent(call.willContinue) &&
    (isAbsent(partialArgs) || (Array.isArray(partialArgs) && partialArgs.every(isPartialArg)));
  return fits ? call : undefined;
}

/** Inline data, a server tool call or a server tool result (members 2–4 of the part union). */
function isOtherKnownPart(part: Json): boolean {
  if (!stringOrAbsent(part.thoughtSignature)) return false;
  const data = part.inlineData;
  if (isObject(data) && isString(data.mimeType) && isString(data.data) && booleanOrAbsent(part.thought)) return true;
  const call = part.toolCall;
  if (isObject(call) && isString(call.toolType) && isString(call.id)) return true;
  const result = part.toolResponse;
  return isObject(result) && isString(result.toolType) && isString(result.id);
}

/** What a part is to Switchboard. */
type PartKind = "text" | "function-call" | "other";

/**
 * Classifies one part as the SDK's part union parses it (first member that fits wins) and as its
 * doGenerate / doStream loops then read it. Throws when no member fits (the SDK refuses the answer).
 */
export function kindOf(value: unknown): PartKind {
  const part = objectOf(value, "a content part");
  if (functionCallOf(part) !== undefined) return "function-call";
  if (isOtherKnownPart(part)) return "other";
  // The last member: code execution and text, every field optional.
  const code = optionalObject(part.executableCode, "executableCode");
  if (code !== undefined && !(isString(code.language) && isString(code.code)))
    throw new MalformedAnswerError("executableCode is not code.");
  const result = optionalObject(part.codeExecutionResult, "codeExecutionResult");
  if (result !== undefined && !(isString(result.outcome) && stringOrAbsent(result.output)))
    throw new MalformedAnswerError("codeExecutionResult is not a result.");
  const text = optionalString(part.text, "a part's text");
  const thought = optionalBoolean(part.thought, "a part's thought");
  optionalString(part.thoughtSignature, "a part's thoughtSignature");
  // The SDK looks at code before text: a part with both is code.
  if ((code !== undefined && code.code !== "") || result !== undefined) return "other";
  // Empty text only carries a thought signature; `thought: true` is reasoning.
  return text !== undefined && text.length > 0 && thought !== true ? "text" : "other";
}

/** A part's text (call only for parts of kind "text"). */
export const textOfPart = (part: unknown) => (part as Json).text as string;

/** The parts of a candidate's `content` (which may be absent, or `{}`). */
export function partsOf(candidate: Json): unknown[] {
  const content = optionalObject(candidate.content, "content");
  if (content === undefined) return [];
  return optionalList(content.parts, "content.parts") ?? [];
}

function checkSafetyRatings(value: unknown): void {
  for (const rating of optionalList(value, "safetyRatings") ?? []) {
    const r = objectOf(rating, "a safety rating");
    const fits =
      stringOrAbsent(r.category) &&
      stringOrAbsent(r.probability) &&
      numberOrAbsent(r.probabilityScore) &&
      stringOrAbsent(r.severity) &&
      numberOrAbsent(r.severityScore) &&
      booleanOrAbsent(r.blocked);
    if (!fits) throw new MalformedAnswerError("A safety rating is malformed.");
  }
}

/**
 * Checks one candidate's fields as the SDK's schema does (all candidates are checked, only the
 * first is read). Grounding and URL-context metadata are only checked to be objects: they come
 * with Google's own tools, which calls that come this way do not use.
 */
function checkCandidate(value: unknown): Json {
  const candidate = objectOf(value, "A candidate");
  for (const part of partsOf(candidate)) kindOf(part);
  optionalString(candidate.finishReason, "finishReason");
  optionalString(candidate.finishMessage, "finishMessage");
  optionalString(candidate.continuationToken, "continuationToken");
  checkSafetyRatings(candidate.safetyRatings);
  optionalObject(candidate.groundingMetadata, "groundingMetadata");
  optionalObject(candidate.urlContextMetadata, "urlContextMetadata");
  return candidate;
}

function checkTokenDetails(value: unknown, what: string): void {
  for (const entry of optionalList(value, what) ?? []) {
    const e = objectOf(entry, what);
    if (!isString(e.modality) || typeof e.tokenCount !== "number")
      throw new MalformedAnswerError(`${what} is malformed.`);
  }
}

/** The counts and per-modality details of `usageMetadata` (`usageSchema`). */
export const COUNTS = [
  "promptTokenCount",
  "candidatesTokenCount",
  "toolUsePromptTokenCount",
  "totalTokenCount",
  "cachedContentTokenCount",
  "thoughtsTokenCount",
];
export const DETAILS = [
  "promptTokensDetails",
  "cacheTokensDetails",
  "candidatesTokensDetails",
  "toolUsePromptTokensDetails",
];

/** `usageMetadata` as the SDK's `usageSchema` accepts it, or undefined when absent. */
function usageMetadataOf(value: unknown): Json | undefined {
  const usage = optionalObject(value, "usageMetadata");
  if (usage === undefined) return undefined;
  for (const key of COUNTS) optionalNumber(usage[key], key);
  optionalString(usage.trafficType, "trafficType");
  optionalString(usage.serviceTier, "serviceTier");
  for (const key of DETAILS) checkTokenDetails(usage[key], key);
  return usage;
}

/** The prompt's block reason when the API really blocked it (`isConfirmedPromptBlockReason`). */
function blockReasonOf(value: unknown): string | undefined {
  const feedback = optionalObject(value, "promptFeedback");
  if (feedback === undefined) return undefined;
  const reason = optionalString(feedback.blockReason, "promptFeedback.blockReason");
  checkSafetyRatings(feedback.safetyRatings);
  const confirmed =
    reason !== undefined &&
    reason !== "" &&
    reason !== "BLOCK_REASON_UNSPECIFIED" &&
    reason !== "BLOCKED_REASON_UNSPECIFIED";
  return confirmed ? reason : undefined;
}

/** One response (or chunk): its fields checked, its first candidate. */
export interface Body {
  candidate: Json | undefined;
  usage: Json | undefined;
  blockReason: string | undefined;
  responseId: string | undefined;
}

export function bodyOf(value: unknown, what: string): Body {
  const body = objectOf(value, what);
  const responseId = optionalString(body.responseId, "responseId");
  const candidates = optionalList(body.candidates, "candidates");
  let candidate: Json | undefined;
  if (candidates !== undefined)
    for (const c of candidates) {
      const checked = checkCandidate(c);
      candidate ??= checked;
    }
  return {
    candidate,
    usage: usageMetadataOf(body.usageMetadata),
    blockReason: blockReasonOf(body.promptFeedback),
    responseId,
  };
}
