/**
 * Differential testing of a wire decoder against the AI SDK: the same response bytes go to the
 * SDK's provider model (doGenerate/doStream, over a fetch that answers with those bytes) and to
 * the decoder; what each makes of them is compared. Used only by tests.
 */
import { createParser } from "eventsource-parser";
import { expect } from "vitest";
import type { ProviderConfig } from "../config";
import { resolveLanguageModel } from "../registry";
import { withoutBom } from "./index";
import type { WireAnswer, WireFormat } from "./types";

/** What a reading of an answer gives: text (and its streamed pieces), finish, usage, metadata, or the error. */
export interface Reading {
  text: string;
  pieces: string[];
  finishReason?: WireAnswer["finishReason"];
  usage?: WireAnswer["usage"];
  response?: WireAnswer["response"];
  /** The first error: a provider's own error object as sent, or `{ malformed: true }` for an unreadable answer. */
  error?: unknown;
}

const PROMPT = [{ role: "user" as const, content: [{ type: "text" as const, text: "Hello" }] }];

/** The errors that mean "the answer could not be read" (the SDK's and ours), compared as one. */
function asReadingError(e: unknown): unknown {
  if (e instanceof Error) {
    const name = e.name;
    if (
      /TypeValidationError|JSONParseError|InvalidResponseDataError|MalformedAnswerError|EmptyResponseBodyError/.test(
        name,
      ) ||
      (name === "AI_APICallError" && /Failed to process successful response|Invalid JSON response/.test(e.message))
    )
      return { malformed: true };
    return { error: `${e.name}: ${e.message}` };
  }
  return e;
}

/** The SDK's reading of `body` (a 2xx response) for `config`'s provider kind. */
export async function sdkReading(
  config: ProviderConfig,
  body: string,
  options: { stream: boolean; model?: string },
): Promise<Reading> {
  const fetch = (async () =>
    new Response(body, {
      status: 200,
      headers: { "content-type": options.stream ? "text/event-stream" : "application/json" },
    })) as typeof globalThis.fetch;
  const model = resolveLanguageModel(config, options.model ?? "m", { apiKey: "test-key", fetch });
  const reading: Reading = { text: "", pieces: [] };
  try {
    if (!options.stream) {
      const result = await model.doGenerate({ prompt: PROMPT });
      for (const part of result.content) if (part.type === "text") reading.text += part.text;
      reading.finishReason = result.finishReason;
      reading.usage = result.usage;
      const r = result.response;
      reading.response = { id: r?.id, modelId: r?.modelId, timestamp: r?.timestamp };
      return reading;
    }
    const reader = (await model.doStream({ prompt: PROMPT })).stream.getReader();
    for (;;) {
      const { done, value: part } = await reader.read();
      if (done) break;
      if (part.type === "text-delta") {
        if (part.delta.length === 0) continue;
        reading.text += part.delta;
        reading.pieces.push(part.delta);
      } else if (part.type === "finish") {
        reading.finishReason = part.finishReason;
        reading.usage = part.usage;
      } else if (part.type === "response-metadata")
        reading.response = { id: part.id, modelId: part.modelId, timestamp: part.timestamp };
      else if (part.type === "error" && reading.error === undefined) reading.error = asReadingError(part.error);
    }
  } catch (e) {
    reading.error ??= asReadingError(e);
  }
  return reading;
}

/** The decoder's reading of the same bytes. */
export function wireReading(format: WireFormat, bytes: string, options: { stream: boolean }): Reading {
  const reading: Reading = { text: "", pieces: [] };
  const body = withoutBom(bytes);
  try {
    let answer: WireAnswer;
    if (!options.stream) answer = format.readAnswer(JSON.parse(body));
    else {
      const decoder = format.streamAnswer();
      const parser = createParser({
        onEvent: (e) =>
          decoder.push({ event: e.event, data: e.data }, (t) => {
            reading.pieces.push(t);
          }),
      });
      parser.feed(body);
      answer = decoder.end();
    }
    reading.text = answer.text;
    reading.finishReason = answer.finishReason;
    reading.usage = answer.usage;
    reading.response = answer.response;
    if (!options.stream) reading.pieces = [];
  } catch (e) {
    reading.error = e instanceof SyntaxError ? { malformed: true } : asReadingError(e);
  }
  return reading;
}

/**
 * The parts of two readings that must agree. When both failed, only the errors are compared
 * (text read before an error is not an answer). A streamed reading's text is its pieces.
 */
export function comparable(r: Reading, stream: boolean) {
  if (r.error !== undefined) return { error: r.error };
  const response = r.response && {
    id: r.response.id,
    modelId: r.response.modelId,
    timestamp: r.response.timestamp?.toISOString(),
  };
  return {
    text: stream ? r.pieces.join("") : r.text,
    pieces: stream ? r.pieces : undefined,
    finishReason: r.finishReason,
    usage: r.usage,
    response,
  };
}

export type Comparable = ReturnType<typeof comparable>;
/** A comparable reading that is an answer, not an error. */
export type ComparableAnswer = Exclude<Comparable, { error: unknown }>;

/**
 * Both readings of `bytes`, the SDK's (for `config`'s provider kind) and `format`'s, which must
 * agree. The streamed pieces must agree even when the reading fails: they reach the user as they
 * come. Gives the SDK's reading, for the test to check that the fixture is what it means.
 */
export async function expectAgreement(
  config: ProviderConfig,
  format: WireFormat,
  bytes: string,
  options: { stream: boolean; model?: string },
): Promise<Comparable> {
  const sdk = await sdkReading(config, bytes, options);
  const wire = wireReading(format, bytes, options);
  const theirs = comparable(sdk, options.stream);
  expect(comparable(wire, options.stream)).toEqual(theirs);
  expect(wire.pieces).toEqual(sdk.pieces);
  return theirs;
}

/** `reading` as an answer; fails the test when it is an error. */
export function answerOf(reading: Comparable): ComparableAnswer {
  expect(reading).not.toHaveProperty("error");
  return reading as ComparableAnswer;
}

/** What `read` throws (undefined if it returns). */
export function thrownBy(read: () => unknown): unknown {
  try {
    read();
  } catch (e) {
    return e;
  }
  return undefined;
}
