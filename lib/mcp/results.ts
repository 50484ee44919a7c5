// A tool's answer as Switchboard keeps it: text parts joined for agents, structured content as
// sent, other parts described (no image or audio bytes in run history), and everything bounded.
// The result is data: nothing here (or anywhere after) evaluates it as a template or expression.
import type { McpToolResult } from "@/lib/contracts/ports";

/** Most characters of text (and of structured content as JSON) a result keeps. */
export const DEFAULT_MAX_RESULT_CHARS = 256 * 1024;

type Part = { type?: string; [key: string]: unknown };

function describePart(part: Part): unknown {
  switch (part.type) {
    case "text":
      return { type: "text", text: typeof part.text === "string" ? part.text : "" };
    case "image":
    case "audio": {
      const data = typeof part.data === "string" ? part.data : "";
      return { type: part.type, mimeType: part.mimeType ?? null, bytes: Math.floor((data.length * 3) / 4) };
    }
    case "resource_link":
      return { type: "resource_link", uri: part.uri ?? null, name: part.name ?? null };
    case "resource": {
      const r = (part.resource ?? {}) as Record<string, unknown>;
      return {
        type: "resource",
        uri: r.uri ?? null,
        mimeType: r.mimeType ?? null,
        ...(typeof r.text === "string" ? { text: r.text } : {}),
      };
    }
    default:
      return { type: String(part.type ?? "unknown") };
  }
}

/** Maps a `tools/call` result (any shape a server sends) to a bounded McpToolResult. */
export function toToolResult(raw: unknown, maxChars = DEFAULT_MAX_RESULT_CHARS): McpToolResult {
  const r = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const parts = Array.isArray(r.content) ? (r.content as Part[]) : [];
  let budget = maxChars;
  let truncated = false;
  const content: unknown[] = [];
  const texts: string[] = [];
  for (const part of parts.slice(0, 1000)) {
    const d = describePart(part && typeof part === "object" ? part : {}) as Record<string, unknown>;
    if (typeof d.text === "string") {
      let t: string = d.text;
      if (t.length > budget) {
        t = t.slice(0, Math.max(0, budget));
        truncated = true;
      }
      d.text = t;
      budget -= t.length;
      if (d.type === "text") texts.push(t);
    }
    content.push(d);
  }
  if (parts.length > 1000) truncated = true;
  const out: McpToolResult = { text: texts.join("\n"), content, isError: r.isError === true };
  if (r.structuredContent !== undefined) {
    let size = 0;
    try {
      size = JSON.stringify(r.structuredContent)?.length ?? 0;
    } catch {
      size = Number.POSITIVE_INFINITY;
    }
    if (size <= maxChars) out.structured = r.structuredContent;
    else truncated = true;
  }
  if (truncated) out.truncated = true;
  return out;
}
