/** OpenAI Responses (`POST /v1/responses`), what the AI SDK's `openai(id)` calls. */
import { asArray, asRecord, type Protocol, type Reply, splitText, sse, textOf } from "./protocol";

const createdAt = 1_767_225_600;

function usage(reply: Reply) {
  return {
    input_tokens: reply.usage.inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: reply.usage.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: reply.usage.inputTokens + reply.usage.outputTokens,
  };
}

const messageItem = (reply: Reply, status: string) => ({
  type: "message",
  id: `msg_${reply.id}`,
  status,
  role: "assistant",
  content: status === "completed" ? [{ type: "output_text", text: reply.text, annotations: [] }] : [],
});

const callItem = (reply: Reply, i: number, status: string) => {
  const c = reply.toolCalls[i]!;
  return {
    type: "function_call",
    id: `fc_${reply.id}_${i}`,
    call_id: c.id,
    name: c.name,
    arguments: status === "completed" ? JSON.stringify(c.arguments) : "",
    status,
  };
};

export const openaiResponses: Protocol = {
  name: "openai-responses",
  parse(body) {
    const promptParts: string[] = [];
    const toolResults: { callId?: string; name?: string; output: string }[] = [];
    let lastUserText = "";
    if (typeof body.instructions === "string") promptParts.push(body.instructions);
    for (const item of asArray(body.input).map(asRecord)) {
      if (item.type === "function_call_output") {
        const output = textOf(item.output);
        toolResults.push({ callId: String(item.call_id ?? ""), output });
        promptParts.push(output);
        continue;
      }
      if (item.type === "function_call" || item.type === "item_reference") continue;
      const text = textOf(item.content);
      if (item.role === "user") lastUserText = text;
      if (text) promptParts.push(text);
    }
    if (typeof body.input === "string") {
      lastUserText = body.input;
      promptParts.push(body.input);
    }
    const tools = asArray(body.tools)
      .map(asRecord)
      .filter((t) => t.type === "function")
      .map((t) => ({ name: String(t.name ?? ""), schema: t.parameters }));
    const choice = asRecord(body.tool_choice);
    const format = asRecord(asRecord(body.text).format);
    return {
      model: String(body.model ?? ""),
      stream: body.stream === true,
      promptText: promptParts.join("\n"),
      lastUserText,
      tools,
      forcedTool: choice.type === "function" ? String(choice.name ?? "") : undefined,
      toolResults,
      outputSchema: format.type === "json_schema" ? format.schema : undefined,
      jsonMode: format.type === "json_schema" || format.type === "json_object",
    };
  },
  json(reply) {
    return {
      id: `resp_${reply.id}`,
      object: "response",
      created_at: createdAt,
      model: reply.model,
      status: "completed",
      error: null,
      incomplete_details: null,
      output: [
        ...(reply.text ? [messageItem(reply, "completed")] : []),
        ...reply.toolCalls.map((_, i) => callItem(reply, i, "completed")),
      ],
      usage: usage(reply),
    };
  },
  frames(reply, chunks) {
    let seq = 0;
    const ev = (type: string, data: Record<string, unknown>) => sse({ type, sequence_number: seq++, ...data }, type);
    const response = { id: `resp_${reply.id}`, object: "response", created_at: createdAt, model: reply.model };
    const out = [ev("response.created", { response: { ...response, status: "in_progress", output: [] } })];
    let index = 0;
    if (reply.text) {
      const itemId = `msg_${reply.id}`;
      out.push(ev("response.output_item.added", { output_index: index, item: messageItem(reply, "in_progress") }));
      for (const delta of splitText(reply.text, chunks))
        out.push(ev("response.output_text.delta", { item_id: itemId, output_index: index, content_index: 0, delta }));
      out.push(ev("response.output_item.done", { output_index: index, item: messageItem(reply, "completed") }));
      index++;
    }
    reply.toolCalls.forEach((c, i) => {
      const item = callItem(reply, i, "in_progress");
      out.push(ev("response.output_item.added", { output_index: index, item }));
      for (const delta of splitText(JSON.stringify(c.arguments), chunks))
        out.push(ev("response.function_call_arguments.delta", { item_id: item.id, output_index: index, delta }));
      out.push(ev("response.output_item.done", { output_index: index, item: callItem(reply, i, "completed") }));
      index++;
    });
    out.push(
      ev("response.completed", {
        response: { ...response, status: "completed", incomplete_details: null, usage: usage(reply) },
      }),
    );
    return out;
  },
  error(status, message) {
    const type = status === 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error" : "invalid_request_error";
    return { error: { message, type, param: null, code: type } };
  },
};
