/**
 * Reading plain-text answers without the AI SDK's response pipeline.
 *
 * The AI SDK encodes every request Switchboard sends to a model provider and decodes every error
 * answer. For a call without tools, the gateway reads a 2xx answer itself, with one small decoder
 * per wire format (chat completions, Responses, Anthropic Messages, Google generateContent),
 * because on Node 20 the SDK's way of reading costs 0.5–0.9 ms of CPU per call: six chained web
 * streams per streamed answer (each one costly to build on Node 20) and a zod validation per
 * chunk — more than all the rest of an agent step. Each decoder reads what the SDK's provider
 * model reads, and its tests compare both on the same bytes (./testing.ts), so a new SDK release
 * that reads differently shows up as a failing test, not as a silent difference.
 *
 * The body arrives through the egress fetch's `TAKE_ANSWER` option (Node buffers, same guard),
 * UTF-8 decoded across chunk boundaries, split into server-sent events by `eventsource-parser`
 * (the parser the SDK uses).
 */
import { StringDecoder } from "node:string_decoder";
import { createParser } from "eventsource-parser";
import type { ProviderConfig } from "../config";
import type { TakenAnswer } from "../egress-fetch";
import { anthropicWire } from "./anthropic";
import { googleWire } from "./google";
import { openaiChatWire } from "./openai-chat";
import { openaiResponsesWire } from "./openai-responses";
import { MalformedAnswerError, type WireAnswer, type WireFormat } from "./types";

export { MalformedAnswerError, type WireAnswer, type WireFormat } from "./types";

/**
 * The wire format a provider's models answer in, by the provider's kind (see ../registry.ts), or
 * undefined where the SDK must read the answer itself.
 */
export function wireFormatOf(config: ProviderConfig, call: { structuredOutput: boolean }): WireFormat | undefined {
  switch (config.kind) {
    case "openai-compatible":
      return openaiChatWire;
    case "openai":
      // OpenAI's own chat model in the SDK reads chat completions differently from the compatible
      // one (no finish reason is no error, early errors are thrown, unknown usage keys dropped):
      // those answers stay with the SDK.
      return config.api === "chat" ? undefined : openaiResponsesWire;
    case "anthropic":
      // Structured output from Anthropic comes back as a forced tool call (or native output,
      // depending on the model) that the SDK turns into text: the SDK reads those.
      return call.structuredOutput ? undefined : anthropicWire;
    case "google":
      return googleWire;
  }
}

/**
 * What the egress fetch rejects with when it hands over a 2xx answer: not an Error, so the AI SDK
 * passes it through untouched (its fetch error handling wraps only network errors).
 */
export class AnswerTaken {
  constructor(readonly answer: TakenAnswer) {}
}

/**
 * Reads a taken answer: the whole JSON body, or a stream of events whose text goes to `onText`
 * as it arrives. A throwing `onText` closes the connection and fails the read.
 */
export function readTakenAnswer(
  taken: TakenAnswer,
  format: WireFormat,
  onText: ((text: string) => void) | undefined,
): Promise<WireAnswer> {
  // The SDK's decoding drops a UTF-8 byte-order mark at the start of a body; so does this.
  let first = true;
  const textOf = (decoded: string) => {
    if (!first || decoded.length === 0) return decoded;
    first = false;
    return withoutBom(decoded);
  };
  return new Promise<WireAnswer>((resolve, reject) => {
    const finish = (read: () => WireAnswer) => {
      try {
        resolve(read());
      } catch (e) {
        reject(e);
      }
    };
    if (!onText) {
      const chunks: Buffer[] = [];
      taken.read({
        chunk: (c) => {
          chunks.push(c);
          return true;
        },
        end: () => finish(() => format.readAnswer(parseJson(textOf(Buffer.concat(chunks).toString("utf8"))))),
        error: reject,
      });
      return;
    }
    const decoder = format.streamAnswer();
    const utf8 = new StringDecoder("utf8");
    const parser = createParser({ onEvent: (event) => decoder.push(event, onText) });
    let failed = false;
    taken.read({
      chunk: (c) => {
        if (failed) return true;
        try {
          parser.feed(textOf(utf8.write(c)));
        } catch (e) {
          failed = true;
          taken.cancel();
          reject(e);
        }
        return true;
      },
      end: () => {
        if (failed) return;
        finish(() => {
          parser.feed(textOf(utf8.end()));
          return decoder.end();
        });
      },
      error: (e) => {
        if (!failed) reject(e);
      },
    });
  });
}

/** `text` without a leading byte-order mark (the SDK's decoding drops it). */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new MalformedAnswerError(`The answer is not JSON: ${(e as Error).message}`);
  }
}
