/** The neutral shapes every wire protocol of the fake provider is parsed into and rendered from. */

export type ProtocolName = "openai-chat" | "openai-responses" | "anthropic" | "google";

export interface ParsedRequest {
  model: string;
  stream: boolean;
  /** All text of the prompt (system + messages + tool results), in order: what the reply's digest is of. */
  promptText: string;
  lastUserText: string;
  /** Tools offered (name as sent on the wire, JSON Schema of the arguments). */
  tools: { name: string; schema: unknown }[];
  /** A tool the client forces (Anthropic's `json` tool for structured output, tool_choice). */
  forcedTool?: string;
  /** Results of earlier tool calls sent back in this request. */
  toolResults: { callId?: string; name?: string; output: string }[];
  /** JSON Schema the text must match (structured output), when asked for. */
  outputSchema?: unknown;
  /** JSON asked for (with or without a schema). */
  jsonMode: boolean;
}

export interface ToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

export interface Reply {
  id: string;
  model: string;
  text: string;
  toolCalls: ToolCall[];
  usage: { inputTokens: number; outputTokens: number };
}

export interface Protocol {
  name: ProtocolName;
  parse(body: Record<string, unknown>, model?: string): ParsedRequest;
  /** The whole JSON body of a non-streaming reply. */
  json(reply: Reply): unknown;
  /** The SSE frames of a streaming reply, each complete (`data: …\n\n`), text split into `chunks` pieces. */
  frames(reply: Reply, chunks: number): string[];
  /** The error body this API sends with `status`. */
  error(status: number, message: string): unknown;
}

/** `text` cut into `n` nearly equal pieces (at least one; empty text gives no pieces). */
export function splitText(text: string, n: number): string[] {
  if (!text) return [];
  const count = Math.max(1, Math.min(n, text.length));
  const size = Math.ceil(text.length / count);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

export const sse = (data: unknown, event?: string): string =>
  `${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;

/** Text of a content value in any of the shapes the APIs use (string, parts with `text`). */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map(textOf).filter(Boolean).join("\n");
  if (content && typeof content === "object") {
    const c = content as Record<string, unknown>;
    if (typeof c.text === "string") return c.text;
    if ("content" in c) return textOf(c.content);
    if ("output" in c) return textOf(c.output);
  }
  return "";
}

export const asRecord = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
