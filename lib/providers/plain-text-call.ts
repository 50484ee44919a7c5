/**
 * A call without tools straight to the provider model (`doGenerate`/`doStream`, the SDK's
 * LanguageModelV3 interface), with a prompt the gateway built in the SDK's standardized form.
 * The SDK encodes the request. Its 2xx answer is read by ./wire when the gateway asked the fetch to
 * hand it over (`wire` given, see ./wire/index.ts), by the SDK otherwise (a test's provider, a
 * fetch without `TAKE_ANSWER`, an error answer).
 */
import type { ModelDelta } from "@/lib/contracts/ports";
import type { SdkLanguageModel } from "./registry";
import { AnswerTaken, readTakenAnswer, type WireFormat } from "./wire";

type CallOptions = Parameters<SdkLanguageModel["doGenerate"]>[0];
type GenerateResult = Awaited<ReturnType<SdkLanguageModel["doGenerate"]>>;

export interface PlainTextAnswer {
  text: string;
  usage: GenerateResult["usage"] | undefined;
  finishReason: GenerateResult["finishReason"]["unified"];
  response: { id?: string; timestamp?: Date; modelId?: string } | undefined;
}

export async function callPlainText(
  model: SdkLanguageModel,
  options: CallOptions,
  how: { onDelta?: (delta: ModelDelta) => void; wire?: WireFormat; signal: AbortSignal },
): Promise<PlainTextAnswer> {
  const { onDelta, wire, signal } = how;
  try {
    return onDelta ? await sdkStreamed(model, options, onDelta, signal) : await sdkGenerated(model, options);
  } catch (e) {
    if (!(e instanceof AnswerTaken) || !wire) throw e;
    const answer = await readTakenAnswer(e.answer, wire, onDelta && ((text) => onDelta({ type: "text", text })));
    if (signal.aborted) throw signal.reason;
    return {
      text: answer.text,
      usage: answer.usage,
      finishReason: answer.finishReason.unified,
      response: answer.response,
    };
  }
}

async function sdkGenerated(model: SdkLanguageModel, options: CallOptions): Promise<PlainTextAnswer> {
  const result = await model.doGenerate(options);
  let text = "";
  for (const part of result.content) if (part.type === "text") text += part.text;
  return { text, usage: result.usage, finishReason: result.finishReason.unified, response: result.response };
}

async function sdkStreamed(
  model: SdkLanguageModel,
  options: CallOptions,
  onDelta: (delta: ModelDelta) => void,
  signal: AbortSignal,
): Promise<PlainTextAnswer> {
  const reader = (await model.doStream(options)).stream.getReader();
  const answer: PlainTextAnswer = { text: "", usage: undefined, finishReason: "other", response: undefined };
  let failure: unknown;
  let ended = false;
  try {
    for (;;) {
      const { done, value: part } = await reader.read();
      if (done) break;
      if (part.type === "text-delta") {
        if (part.delta.length === 0) continue;
        answer.text += part.delta;
        onDelta({ type: "text", text: part.delta });
      } else if (part.type === "finish") {
        answer.usage = part.usage;
        answer.finishReason = part.finishReason.unified;
      } else if (part.type === "response-metadata") answer.response = { ...answer.response, ...part };
      else if (part.type === "error") failure ??= part.error;
    }
    ended = true;
  } finally {
    // a throwing listener leaves the body unread: release the connection
    if (!ended) reader.cancel().catch(() => {});
  }
  if (failure !== undefined) throw failure;
  if (signal.aborted) throw signal.reason;
  return answer;
}
