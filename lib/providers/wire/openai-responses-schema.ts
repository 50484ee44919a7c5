/**
 * What the AI SDK's OpenAI Responses schemas accept (@ai-sdk/openai's `openaiResponsesResponseSchema`
 * / `openaiResponsesChunkSchema`: usage, finishing fields, logprobs, annotations, tool-call items),
 * and how the SDK maps the finish reason and usage. Shared by both readers: ./openai-responses.ts
 * (whole answers) and ./openai-responses-stream.ts.
 */
import {
  type Json,
  listOf,
  MalformedAnswerError,
  missingOr,
  numberOf,
  objectOf,
  oneOf,
  optionalBoolean,
  optionalList,
  optionalNumber,
  optionalObject,
  optionalString,
  stringOf,
  unknownUsage,
  type WireFinishReason,
  type WireUsage,
} from "./types";

// ---- Shape checks (what the SDK's zod schemas refuse) ---------------------------------------------

const ITEM_STATUSES = ["in_progress", "completed", "incomplete"] as const;
export const MESSAGE_PHASES = ["commentary", "final_answer"] as const;

/** `openaiResponsesUsageSchema`: any JSON object with these fields; returned whole (the SDK's `raw`). */
function checkedUsage(value: unknown): Json | undefined {
  const usage = optionalObject(value, "usage");
  if (usage === undefined) return undefined;
  numberOf(usage.input_tokens, "usage.input_tokens");
  numberOf(usage.output_tokens, "usage.output_tokens");
  missingOr(usage.total_tokens, numberOf, "usage.total_tokens");
  const input = optionalObject(usage.input_tokens_details, "usage.input_tokens_details");
  if (input !== undefined) {
    optionalNumber(input.cached_tokens, "cached_tokens");
    optionalNumber(input.cache_write_tokens, "cache_write_tokens");
    optionalNumber(input.orchestration_input_tokens, "orchestration_input_tokens");
    optionalNumber(input.orchestration_input_cached_tokens, "orchestration_input_cached_tokens");
    const writes = optionalObject(input.cache_write_tokens_details, "cache_write_tokens_details");
    if (writes !== undefined) {
      optionalNumber(writes.ttl_30m_tokens, "ttl_30m_tokens");
      optionalNumber(writes.ttl_12h_tokens, "ttl_12h_tokens");
    }
  }
  const output = optionalObject(usage.output_tokens_details, "usage.output_tokens_details");
  if (output !== undefined) {
    optionalNumber(output.reasoning_tokens, "reasoning_tokens");
    optionalNumber(output.orchestration_output_tokens, "orchestration_output_tokens");
  }
  return usage;
}

/** The fields the finishing events (`response.completed/incomplete/failed`) and the body share. */
export function checkFinishingFields(response: Json): { reason: string | undefined; usage: Json | undefined } {
  const diagnostics = optionalObject(response.prompt_cache_diagnostics, "prompt_cache_diagnostics");
  if (diagnostics !== undefined) {
    stringOf(diagnostics.type, "prompt_cache_diagnostics.type");
    optionalString(diagnostics.reason, "prompt_cache_diagnostics.reason");
    optionalNumber(diagnostics.cache_missed_tokens, "cache_missed_tokens");
    optionalNumber(diagnostics.comparison_reusable_tokens, "comparison_reusable_tokens");
  }
  const reasoning = optionalObject(response.reasoning, "reasoning");
  if (reasoning !== undefined) optionalString(reasoning.context, "reasoning.context");
  optionalString(response.service_tier, "service_tier");
  const incomplete = optionalObject(response.incomplete_details, "incomplete_details");
  const reason = incomplete === undefined ? undefined : stringOf(incomplete.reason, "incomplete_details.reason");
  return { reason, usage: checkedUsage(response.usage) };
}

export function checkLogprobs(value: unknown): void {
  for (const entry of optionalList(value, "logprobs") ?? []) {
    const logprob = objectOf(entry, "a logprob");
    stringOf(logprob.token, "logprob.token");
    numberOf(logprob.logprob, "logprob.logprob");
    for (const top of listOf(logprob.top_logprobs, "top_logprobs")) {
      const alternative = objectOf(top, "a top logprob");
      stringOf(alternative.token, "top_logprob.token");
      numberOf(alternative.logprob, "top_logprob.logprob");
    }
  }
}

export function checkAnnotation(value: unknown): void {
  const annotation = objectOf(value, "an annotation");
  switch (annotation.type) {
    case "url_citation":
      numberOf(annotation.start_index, "start_index");
      numberOf(annotation.end_index, "end_index");
      stringOf(annotation.url, "url");
      stringOf(annotation.title, "title");
      return;
    case "file_citation":
      stringOf(annotation.file_id, "file_id");
      stringOf(annotation.filename, "filename");
      numberOf(annotation.index, "index");
      return;
    case "container_file_citation":
      stringOf(annotation.container_id, "container_id");
      stringOf(annotation.file_id, "file_id");
      stringOf(annotation.filename, "filename");
      numberOf(annotation.start_index, "start_index");
      numberOf(annotation.end_index, "end_index");
      return;
    case "file_path":
      stringOf(annotation.file_id, "file_id");
      numberOf(annotation.index, "index");
      return;
    default:
      throw new MalformedAnswerError("an annotation has an unknown type.");
  }
}

/** Output item types the SDK models; any other makes the body malformed (streamed: the event is ignored). */
export const MODELED_ITEM_TYPES = new Set([
  "apply_patch_call",
  "code_interpreter_call",
  "computer_call",
  "custom_tool_call",
  "file_search_call",
  "function_call",
  "image_generation_call",
  "local_shell_call",
  "mcp_approval_request",
  "mcp_call",
  "mcp_list_tools",
  "message",
  "reasoning",
  "shell_call",
  "shell_call_output",
  "tool_search_call",
  "tool_search_output",
  "web_search_call",
]);

/** A function/custom tool call item, in the body or a stream's item event (`withStatus`: the `done` one). */
export function checkToolCallItem(item: Json, withStatus: boolean): void {
  stringOf(item.id, "item.id");
  stringOf(item.call_id, "item.call_id");
  stringOf(item.name, "item.name");
  if (item.type === "function_call") {
    stringOf(item.arguments, "item.arguments");
    optionalString(item.namespace, "item.namespace");
  } else stringOf(item.input, "item.input");
  optionalBoolean(item.async, "item.async");
  if (withStatus) oneOf(item.status, ITEM_STATUSES, "item.status");
}

// ---- What the SDK makes of it ---------------------------------------------------------------------

/** `mapOpenAIResponseFinishReason`. */
export function unifiedFinish(reason: string | undefined, hasFunctionCall: boolean, hasRefusal: boolean) {
  switch (reason) {
    case undefined:
      if (hasFunctionCall) return "tool-calls";
      return hasRefusal ? "content-filter" : "stop";
    case "max_output_tokens":
      return "length";
    case "content_filter":
      return "content-filter";
    default:
      return hasFunctionCall ? "tool-calls" : "other";
  }
}

export function finishOf(reason: string | undefined, hasFunctionCall: boolean, hasRefusal: boolean): WireFinishReason {
  return { unified: unifiedFinish(reason, hasFunctionCall, hasRefusal), raw: reason };
}

/** `convertOpenAIResponsesUsage` (`usage` already checked). */
export function usageOf(usage: Json | undefined): WireUsage {
  if (usage === undefined) return unknownUsage();
  const input = usage.input_tokens as number;
  const output = usage.output_tokens as number;
  const inputDetails = (usage.input_tokens_details ?? undefined) as Json | undefined;
  const outputDetails = (usage.output_tokens_details ?? undefined) as Json | undefined;
  const cacheRead = (inputDetails?.cached_tokens ?? 0) as number;
  const cacheWrite = (inputDetails?.cache_write_tokens ?? undefined) as number | undefined;
  const reasoning = (outputDetails?.reasoning_tokens ?? 0) as number;
  return {
    inputTokens: { total: input, noCache: input - cacheRead - (cacheWrite ?? 0), cacheRead, cacheWrite },
    // No clamping: the SDK reports a negative text count when reasoning exceeds the output.
    outputTokens: { total: output, text: output - reasoning, reasoning },
    raw: usage as WireUsage["raw"],
  };
}
