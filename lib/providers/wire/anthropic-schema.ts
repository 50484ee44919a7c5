/**
 * What the AI SDK's Anthropic response and chunk schemas accept (@ai-sdk/anthropic's zod schemas):
 * the usage object and the content blocks and deltas, checked as those schemas check them and, where
 * the SDK keeps the checked copy, copied as they give it back. Read by ./anthropic.ts.
 */
import {
  type Json,
  listOf,
  MalformedAnswerError,
  missingOr,
  numberOf,
  objectOf,
  optionalNumber,
  optionalString,
  stringOf,
} from "./types";

// ---------------------------------------------------------------------------------------------
// Usage

/** The iteration types the SDK's usage schema accepts. */
const ITERATION_TYPES = new Set(["compaction", "message", "advisor_message", "fallback_message"]);

/** `output_tokens_details` as the SDK's schema gives it back (unknown keys dropped), or null/undefined. */
function detailsOf(value: unknown): { thinking_tokens?: number | null } | null | undefined {
  if (value === undefined || value === null) return value;
  const d = objectOf(value, "usage.output_tokens_details");
  const thinking = d.thinking_tokens;
  optionalNumber(thinking, "thinking_tokens");
  return thinking === undefined ? {} : { thinking_tokens: thinking as number | null };
}

/** `iterations` as the SDK's schema gives it back (each one's unknown keys dropped), or null/undefined. */
function iterationsOf(value: unknown): Json[] | null | undefined {
  if (value === undefined || value === null) return value;
  return listOf(value, "usage.iterations").map((v) => {
    const i = objectOf(v, "a usage iteration");
    if (typeof i.type !== "string" || !ITERATION_TYPES.has(i.type))
      throw new MalformedAnswerError("A usage iteration has an unknown type.");
    if (typeof i.input_tokens !== "number" || typeof i.output_tokens !== "number")
      throw new MalformedAnswerError("A usage iteration lacks its token counts.");
    optionalString(i.model, "iteration model");
    optionalNumber(i.cache_creation_input_tokens, "iteration cache_creation_input_tokens");
    optionalNumber(i.cache_read_input_tokens, "iteration cache_read_input_tokens");
    const kept: Json = { type: i.type, input_tokens: i.input_tokens, output_tokens: i.output_tokens };
    for (const key of ["model", "cache_creation_input_tokens", "cache_read_input_tokens"])
      if (i[key] !== undefined) kept[key] = i[key];
    return kept;
  });
}

/**
 * A full usage object (a message's, or a `message_delta`'s with `input_tokens` optional), checked
 * and copied as the SDK's loose schema gives it back: unknown keys kept, the nested details and
 * iterations stripped to their known keys.
 */
export function checkedUsage(value: unknown, inputRequired: boolean): Json {
  const u = objectOf(value, "usage");
  if (!inputRequired) optionalNumber(u.input_tokens, "usage.input_tokens");
  else numberOf(u.input_tokens, "usage.input_tokens");
  numberOf(u.output_tokens, "usage.output_tokens");
  optionalNumber(u.cache_creation_input_tokens, "cache_creation_input_tokens");
  optionalNumber(u.cache_read_input_tokens, "cache_read_input_tokens");
  if (u.output_tokens_details == null && u.iterations == null) return { ...u };
  const copy: Json = { ...u };
  if (u.output_tokens_details != null) copy.output_tokens_details = detailsOf(u.output_tokens_details);
  if (u.iterations != null) copy.iterations = iterationsOf(u.iterations);
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Content blocks

/** Every block type the SDK's response/chunk schemas accept; any other fails the answer. */
const BLOCK_TYPES = new Set([
  "text",
  "thinking",
  "redacted_thinking",
  "compaction",
  "tool_use",
  "server_tool_use",
  "mcp_tool_use",
  "mcp_tool_result",
  "web_fetch_tool_result",
  "web_search_tool_result",
  "code_execution_tool_result",
  "bash_code_execution_tool_result",
  "text_editor_code_execution_tool_result",
  "tool_search_tool_result",
  "advisor_tool_result",
  "fallback",
]);

/**
 * Checks a content block (of a whole answer, or a streamed `content_block_start` when
 * `streamed`) and gives its type. Streamed `thinking` blocks carry no signature yet, and a
 * streamed compaction's content may be null.
 */
export function blockTypeOf(value: unknown, streamed: boolean): string {
  const block = objectOf(value, "A content block");
  const type = block.type;
  if (typeof type !== "string" || !BLOCK_TYPES.has(type))
    throw new MalformedAnswerError(`Unknown content block type ${JSON.stringify(type)}.`);
  switch (type) {
    case "text":
      stringOf(block.text, "A text block's text");
      missingOr(block.citations, listOf, "A text block's citations");
      break;
    case "thinking":
      stringOf(block.thinking, "A thinking block's thinking");
      if (!streamed) stringOf(block.signature, "A thinking block's signature");
      break;
    case "redacted_thinking":
      stringOf(block.data, "A redacted thinking block's data");
      break;
    case "compaction":
      if (streamed) optionalString(block.content, "A compaction block's content");
      else stringOf(block.content, "A compaction block's content");
      break;
    case "tool_use":
    case "server_tool_use":
    case "mcp_tool_use":
      stringOf(block.id, "A tool block's id");
      stringOf(block.name, "A tool block's name");
      break;
  }
  return type;
}

/** Every delta type the SDK's chunk schema accepts; any other fails the stream. */
export const DELTA_TYPES = new Set([
  "input_json_delta",
  "text_delta",
  "thinking_delta",
  "signature_delta",
  "compaction_delta",
  "citations_delta",
]);
