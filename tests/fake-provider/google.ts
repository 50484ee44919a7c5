/** Google Gemini (`POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent?alt=sse`). */
import { asArray, asRecord, type Protocol, type Reply, splitText, sse } from "./protocol";

const usageMetadata = (reply: Reply) => ({
  promptTokenCount: reply.usage.inputTokens,
  candidatesTokenCount: reply.usage.outputTokens,
  totalTokenCount: reply.usage.inputTokens + reply.usage.outputTokens,
});

const callParts = (reply: Reply) => reply.toolCalls.map((c) => ({ functionCall: { name: c.name, args: c.arguments } }));

const STATUS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  502: "UNAVAILABLE",
  503: "UNAVAILABLE",
};

export const google: Protocol = {
  name: "google",
  parse(body, model) {
    const promptParts: string[] = [];
    const toolResults: { callId?: string; name?: string; output: string }[] = [];
    let lastUserText = "";
    for (const p of asArray(asRecord(body.systemInstruction).parts).map(asRecord))
      if (typeof p.text === "string") promptParts.push(p.text);
    for (const c of asArray(body.contents).map(asRecord)) {
      const texts: string[] = [];
      for (const p of asArray(c.parts).map(asRecord)) {
        if (typeof p.text === "string") texts.push(p.text);
        const fr = asRecord(p.functionResponse);
        if (fr.name !== undefined) {
          const response = asRecord(fr.response);
          const output = JSON.stringify("content" in response ? response.content : (fr.response ?? null));
          toolResults.push({ name: String(fr.name), output });
          promptParts.push(output);
        }
      }
      const text = texts.join("\n");
      if (c.role === "user" && text) lastUserText = text;
      if (text) promptParts.push(text);
    }
    const tools = asArray(body.tools)
      .flatMap((t) => asArray(asRecord(t).functionDeclarations))
      .map(asRecord)
      .map((f) => ({ name: String(f.name ?? ""), schema: f.parameters }));
    const calling = asRecord(asRecord(body.toolConfig).functionCallingConfig);
    const allowed = asArray(calling.allowedFunctionNames);
    const config = asRecord(body.generationConfig);
    return {
      model: model ?? "",
      stream: false, // decided by the path; the server sets it
      promptText: promptParts.join("\n"),
      lastUserText,
      tools,
      forcedTool: calling.mode === "ANY" && allowed.length === 1 ? String(allowed[0]) : undefined,
      toolResults,
      outputSchema: config.responseSchema,
      jsonMode: config.responseMimeType === "application/json",
    };
  },
  json(reply) {
    return {
      candidates: [
        {
          content: { role: "model", parts: [...(reply.text ? [{ text: reply.text }] : []), ...callParts(reply)] },
          finishReason: "STOP",
          index: 0,
        },
      ],
      usageMetadata: usageMetadata(reply),
      modelVersion: reply.model,
      responseId: reply.id,
    };
  },
  frames(reply, chunks) {
    const pieces = splitText(reply.text, chunks).map((text) => ({ text }));
    const parts: Record<string, unknown>[][] = pieces.map((p) => [p]);
    if (reply.toolCalls.length > 0) parts.push(callParts(reply));
    if (parts.length === 0) parts.push([{ text: "" }]);
    return parts.map((p, i) => {
      const last = i === parts.length - 1;
      return sse({
        candidates: [{ content: { role: "model", parts: p }, index: 0, ...(last ? { finishReason: "STOP" } : {}) }],
        ...(last ? { usageMetadata: usageMetadata(reply) } : {}),
        modelVersion: reply.model,
        responseId: reply.id,
      });
    });
  },
  error(status, message) {
    return { error: { code: status, message, status: STATUS[status] ?? "UNKNOWN" } };
  },
};
