/** Anthropic Messages (`POST /v1/messages`). */
import { asArray, asRecord, type Protocol, type Reply, splitText, sse, textOf } from "./protocol";

const content = (reply: Reply) => [
  ...(reply.text ? [{ type: "text", text: reply.text }] : []),
  ...reply.toolCalls.map((c) => ({ type: "tool_use", id: c.id, name: c.name, input: c.arguments })),
];

const stopReason = (reply: Reply) => (reply.toolCalls.length > 0 ? "tool_use" : "end_turn");

export const anthropic: Protocol = {
  name: "anthropic",
  parse(body) {
    const promptParts: string[] = [];
    const toolResults: { callId?: string; name?: string; output: string }[] = [];
    let lastUserText = "";
    const system = textOf(body.system);
    if (system) promptParts.push(system);
    for (const m of asArray(body.messages).map(asRecord)) {
      const blocks = typeof m.content === "string" ? [{ type: "text", text: m.content }] : asArray(m.content);
      const texts: string[] = [];
      for (const b of blocks.map(asRecord)) {
        if (b.type === "text" && typeof b.text === "string") texts.push(b.text);
        if (b.type === "tool_result") {
          const output = textOf(b.content);
          toolResults.push({ callId: String(b.tool_use_id ?? ""), output });
          promptParts.push(output);
        }
      }
      const text = texts.join("\n");
      if (m.role === "user" && text) lastUserText = text;
      if (text) promptParts.push(text);
    }
    const tools = asArray(body.tools)
      .map(asRecord)
      .filter((t) => t.input_schema !== undefined)
      .map((t) => ({ name: String(t.name ?? ""), schema: t.input_schema }));
    const choice = asRecord(body.tool_choice);
    const format = asRecord(asRecord(body.output_config).format);
    return {
      model: String(body.model ?? ""),
      stream: body.stream === true,
      promptText: promptParts.join("\n"),
      lastUserText,
      tools,
      forcedTool:
        choice.type === "tool"
          ? String(choice.name ?? "")
          : choice.type === "any"
            ? (tools.find((t) => t.name === "json") ?? tools[0])?.name
            : undefined,
      toolResults,
      outputSchema: format.type === "json_schema" ? format.schema : undefined,
      jsonMode: format.type === "json_schema",
    };
  },
  json(reply) {
    return {
      id: `msg_${reply.id}`,
      type: "message",
      role: "assistant",
      model: reply.model,
      content: content(reply),
      stop_reason: stopReason(reply),
      stop_sequence: null,
      usage: { input_tokens: reply.usage.inputTokens, output_tokens: reply.usage.outputTokens },
    };
  },
  frames(reply, chunks) {
    const ev = (type: string, data: Record<string, unknown>) => sse({ type, ...data }, type);
    const out = [
      ev("message_start", {
        message: {
          id: `msg_${reply.id}`,
          type: "message",
          role: "assistant",
          model: reply.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: reply.usage.inputTokens, output_tokens: 1 },
        },
      }),
    ];
    let index = 0;
    if (reply.text) {
      out.push(ev("content_block_start", { index, content_block: { type: "text", text: "" } }));
      for (const text of splitText(reply.text, chunks))
        out.push(ev("content_block_delta", { index, delta: { type: "text_delta", text } }));
      out.push(ev("content_block_stop", { index }));
      index++;
    }
    for (const c of reply.toolCalls) {
      out.push(
        ev("content_block_start", { index, content_block: { type: "tool_use", id: c.id, name: c.name, input: {} } }),
      );
      for (const partial_json of splitText(JSON.stringify(c.arguments), chunks))
        out.push(ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json } }));
      out.push(ev("content_block_stop", { index }));
      index++;
    }
    out.push(
      ev("message_delta", {
        delta: { stop_reason: stopReason(reply), stop_sequence: null },
        usage: { output_tokens: reply.usage.outputTokens },
      }),
    );
    out.push(ev("message_stop", {}));
    return out;
  },
  error(status, message) {
    const type =
      status === 429
        ? "rate_limit_error"
        : status === 401
          ? "authentication_error"
          : status === 404
            ? "not_found_error"
            : status === 529 || status === 503
              ? "overloaded_error"
              : status >= 500
                ? "api_error"
                : "invalid_request_error";
    return { type: "error", error: { type, message } };
  },
};
