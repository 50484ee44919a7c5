/** OpenAI chat completions (`POST /v1/chat/completions`), also what OpenAI-compatible servers speak. */
import { asArray, asRecord, type Protocol, splitText, sse, textOf } from "./protocol";

const created = 1_767_225_600; // fixed: replies are deterministic

export const openaiChat: Protocol = {
  name: "openai-chat",
  parse(body) {
    const messages = asArray(body.messages).map(asRecord);
    const promptParts: string[] = [];
    const toolResults: { callId?: string; name?: string; output: string }[] = [];
    let lastUserText = "";
    for (const m of messages) {
      const text = textOf(m.content);
      if (m.role === "tool") toolResults.push({ callId: String(m.tool_call_id ?? ""), output: text });
      if (m.role === "user") lastUserText = text;
      if (text) promptParts.push(text);
    }
    const tools = asArray(body.tools)
      .map(asRecord)
      .map((t) => asRecord(t.function))
      .map((f) => ({ name: String(f.name ?? ""), schema: f.parameters }));
    const choice = asRecord(body.tool_choice);
    const format = asRecord(body.response_format);
    return {
      model: String(body.model ?? ""),
      stream: body.stream === true,
      promptText: promptParts.join("\n"),
      lastUserText,
      tools,
      forcedTool: choice.type === "function" ? String(asRecord(choice.function).name ?? "") : undefined,
      toolResults,
      outputSchema: format.type === "json_schema" ? asRecord(format.json_schema).schema : undefined,
      jsonMode: format.type === "json_schema" || format.type === "json_object",
    };
  },
  json(reply) {
    return {
      id: reply.id,
      object: "chat.completion",
      created,
      model: reply.model,
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: reply.toolCalls.length > 0 && !reply.text ? null : reply.text,
            ...(reply.toolCalls.length > 0
              ? {
                  tool_calls: reply.toolCalls.map((c) => ({
                    id: c.id,
                    type: "function",
                    function: { name: c.name, arguments: JSON.stringify(c.arguments) },
                  })),
                }
              : {}),
          },
          finish_reason: reply.toolCalls.length > 0 ? "tool_calls" : "stop",
        },
      ],
      usage: {
        prompt_tokens: reply.usage.inputTokens,
        completion_tokens: reply.usage.outputTokens,
        total_tokens: reply.usage.inputTokens + reply.usage.outputTokens,
      },
    };
  },
  frames(reply, chunks) {
    const base = { id: reply.id, object: "chat.completion.chunk", created, model: reply.model };
    const chunk = (delta: unknown, finish: string | null = null) =>
      sse({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] });
    const out = [chunk({ role: "assistant", content: "" })];
    for (const piece of splitText(reply.text, chunks)) out.push(chunk({ content: piece }));
    reply.toolCalls.forEach((c, index) => {
      out.push(
        chunk({ tool_calls: [{ index, id: c.id, type: "function", function: { name: c.name, arguments: "" } }] }),
      );
      for (const piece of splitText(JSON.stringify(c.arguments), chunks))
        out.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    });
    out.push(chunk({}, reply.toolCalls.length > 0 ? "tool_calls" : "stop"));
    out.push(
      sse({
        ...base,
        choices: [],
        usage: {
          prompt_tokens: reply.usage.inputTokens,
          completion_tokens: reply.usage.outputTokens,
          total_tokens: reply.usage.inputTokens + reply.usage.outputTokens,
        },
      }),
    );
    out.push(sse("[DONE]"));
    return out;
  },
  error(status, message) {
    const type =
      status === 429
        ? "rate_limit_exceeded"
        : status === 401
          ? "invalid_api_key"
          : status >= 500
            ? "server_error"
            : "invalid_request_error";
    return { error: { message, type, param: null, code: type } };
  },
};
