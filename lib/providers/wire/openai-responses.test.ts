/**
 * The OpenAI Responses decoder against @ai-sdk/openai's own reading (`OpenAIResponsesLanguageModel`)
 * of the same bytes (see ./testing.ts).
 */
import { APICallError } from "ai";
import { describe, expect, it } from "vitest";
import { openaiResponses } from "@/tests/fake-provider/openai-responses";
import { type Reply, splitText } from "@/tests/fake-provider/protocol";
import type { ProviderConfig } from "../config";
import { resolveLanguageModel } from "../registry";
import { openaiResponsesWire } from "./openai-responses";
import { answerOf, type Comparable, comparable, expectAgreement, sdkReading, thrownBy, wireReading } from "./testing";

const config = { name: "p", kind: "openai", baseUrl: "http://127.0.0.1:9/v1" } as ProviderConfig;
const MODEL = "gpt-4o-mini";

const reply = (over: Partial<Reply> = {}): Reply => ({
  id: "abc",
  model: "gpt-4o-mini-2024-07-18",
  text: "Hello there, how are you today?",
  toolCalls: [],
  usage: { inputTokens: 12, outputTokens: 7 },
  ...over,
});

type Json = Record<string, unknown>;

/** SSE bytes of `events`, each with its `event:` line and a running sequence number. */
function sseOf(...events: (Json | string)[]): string {
  let sequence = 0;
  return events
    .map((e) => {
      if (typeof e === "string") return `data: ${e}\n\n`;
      const data = "sequence_number" in e ? e : { ...e, sequence_number: sequence++ };
      return `event: ${String(e.type)}\ndata: ${JSON.stringify(data)}\n\n`;
    })
    .join("");
}

const CREATED_AT = 1_767_225_600;
const USAGE = {
  input_tokens: 12,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: 7,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 19,
};
const DETAILED_USAGE = {
  input_tokens: 120,
  input_tokens_details: { cached_tokens: 80, cache_write_tokens: 10, orchestration_input_tokens: 3 },
  output_tokens: 50,
  output_tokens_details: { reasoning_tokens: 32 },
  total_tokens: 170,
  something_new: { nested: [1, "two", null] },
};
const meta = { id: "resp_1", object: "response", created_at: CREATED_AT, model: "gpt-4o-mini-2024-07-18" };

const created = { type: "response.created", response: { ...meta, status: "in_progress", output: [] } };
const inProgress = { type: "response.in_progress", response: { ...meta, status: "in_progress", output: [] } };
const messageItem = (status: string, content: unknown[] = [], id = "msg_1") => ({
  type: "message",
  id,
  status,
  role: "assistant",
  content,
});
const outputText = (text: string, annotations: unknown[] = []) => ({ type: "output_text", text, annotations });
const messageAdded = (id = "msg_1", index = 0) => ({
  type: "response.output_item.added",
  output_index: index,
  item: messageItem("in_progress", [], id),
});
const messageDone = (text: string, id = "msg_1", index = 0) => ({
  type: "response.output_item.done",
  output_index: index,
  item: messageItem("completed", [outputText(text)], id),
});
const delta = (text: string, id = "msg_1") => ({
  type: "response.output_text.delta",
  item_id: id,
  output_index: 0,
  content_index: 0,
  delta: text,
});
const completed = (response: Json = {}) => ({
  type: "response.completed",
  response: { ...meta, status: "completed", incomplete_details: null, usage: USAGE, ...response },
});
const incomplete = (reason: string, response: Json = {}) => ({
  type: "response.incomplete",
  response: { ...meta, status: "incomplete", incomplete_details: { reason }, usage: USAGE, ...response },
});
/** A whole text stream: created, the message with `pieces`, then `end` (completed by default). */
const textStream = (pieces: string[], ...end: Json[]) =>
  sseOf(
    created,
    messageAdded(),
    ...pieces.map((p) => delta(p)),
    messageDone(pieces.join("")),
    ...(end.length ? end : [completed()]),
  );

/** A whole answer body with `output` and `over` fields. */
const bodyOf = (output: unknown[], over: Json = {}) =>
  JSON.stringify({
    ...meta,
    status: "completed",
    error: null,
    incomplete_details: null,
    output,
    usage: USAGE,
    ...over,
  });
const textBody = (text: string, over: Json = {}) => bodyOf([messageItem("completed", [outputText(text)])], over);

const reasoningItem = (summary: string[]) => ({
  type: "reasoning",
  id: "rs_1",
  summary: summary.map((text) => ({ type: "summary_text", text })),
  encrypted_content: null,
});
const functionCall = (status = "completed") => ({
  type: "function_call",
  id: "fc_1",
  call_id: "call_1",
  name: "lookup",
  arguments: status === "completed" ? '{"q":"x"}' : "",
  status,
});

/** Both readings of `bytes`; they must agree. Returns the SDK's, to check what it is by hand. */
const agree = (bytes: string, stream: boolean, model = MODEL) =>
  expectAgreement(config, openaiResponsesWire, bytes, { stream, model });
const errorOf = (r: Comparable) => (r as { error?: unknown }).error;

describe("answers of the fake provider", () => {
  it("reads a plain answer, whole", async () => {
    const r = answerOf(await agree(JSON.stringify(openaiResponses.json(reply())), false));
    expect(r.text).toBe("Hello there, how are you today?");
    expect(r.finishReason).toEqual({ unified: "stop", raw: undefined });
    expect(r.response?.id).toBe("resp_abc");
  });

  it.each([1, 2, 5, 13, 100])("reads a plain answer streamed in %i pieces", async (chunks) => {
    const bytes = openaiResponses.frames(reply(), chunks).join("");
    const r = answerOf(await agree(bytes, true));
    expect(r.text).toBe("Hello there, how are you today?");
    expect(r.pieces).toEqual(splitText("Hello there, how are you today?", chunks));
    expect(r.usage?.inputTokens.total).toBe(12);
  });

  it("reads an empty text (no message item at all)", async () => {
    const empty = reply({ text: "" });
    expect(answerOf(await agree(JSON.stringify(openaiResponses.json(empty)), false)).text).toBe("");
    const streamed = answerOf(await agree(openaiResponses.frames(empty, 3).join(""), true));
    expect(streamed).toMatchObject({ text: "", pieces: [], finishReason: { unified: "stop" } });
  });

  it("reads the model's own tool-call answer as no text, finish tool-calls", async () => {
    const withCall = reply({ text: "", toolCalls: [{ id: "call_1", name: "lookup", arguments: { q: "x" } }] });
    const whole = answerOf(await agree(JSON.stringify(openaiResponses.json(withCall)), false));
    expect(whole.finishReason).toEqual({ unified: "tool-calls", raw: undefined });
    const streamed = answerOf(await agree(openaiResponses.frames(withCall, 3).join(""), true));
    expect(streamed).toMatchObject({ text: "", finishReason: { unified: "tool-calls" } });
  });

  it("streams the same pieces as the SDK's text-delta parts, piece by piece", async () => {
    const bytes = textStream(["Hel", "", "lo", " wor", "ld", "!"]);
    const sdk = await sdkReading(config, bytes, { stream: true, model: MODEL });
    const pieces: string[] = [];
    const decoder = openaiResponsesWire.streamAnswer();
    for (const frame of bytes.split("\n\n").filter(Boolean)) {
      const data = frame.split("\n").find((l) => l.startsWith("data: "))!;
      decoder.push({ event: undefined, data: data.slice(6) }, (t) => pieces.push(t));
    }
    expect(decoder.end().text).toBe("Hello world!");
    expect(pieces).toEqual(["Hel", "lo", " wor", "ld", "!"]);
    expect(pieces).toEqual(sdk.pieces);
  });
});

describe("usage", () => {
  it("reads cached, cache-write and reasoning tokens, raw kept whole", async () => {
    const whole = answerOf(await agree(textBody("Hi", { usage: DETAILED_USAGE }), false));
    expect(whole.usage).toEqual({
      inputTokens: { total: 120, noCache: 30, cacheRead: 80, cacheWrite: 10 },
      outputTokens: { total: 50, text: 18, reasoning: 32 },
      raw: DETAILED_USAGE,
    });
    const streamed = answerOf(await agree(textStream(["Hi"], completed({ usage: DETAILED_USAGE })), true));
    expect(streamed.usage).toEqual(whole.usage);
  });

  it("reads usage without details, null details, and more reasoning than output (the SDK does not clamp)", async () => {
    const bare = { input_tokens: 5, output_tokens: 3 };
    const nulls = { ...bare, input_tokens_details: null, output_tokens_details: null };
    const odd = { ...bare, output_tokens_details: { reasoning_tokens: 9 } };
    for (const usage of [bare, nulls, odd]) {
      await agree(textBody("Hi", { usage }), false);
      await agree(textStream(["Hi"], completed({ usage })), true);
    }
    const r = answerOf(await agree(textBody("Hi", { usage: odd }), false));
    expect(r.usage?.outputTokens.text).toBe(-6);
  });

  it("reads a missing or null usage as unknown", async () => {
    for (const usage of [null, undefined]) {
      const r = answerOf(await agree(textBody("Hi", { usage }), false));
      expect(r.usage?.raw).toBeUndefined();
      await agree(textStream(["Hi"], completed({ usage })), true);
    }
  });
});

describe("finish reasons", () => {
  const cases: [string, Json, string][] = [
    ["no incomplete_details", { incomplete_details: null }, "stop"],
    ["max_output_tokens", { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } }, "length"],
    ["content_filter", { status: "incomplete", incomplete_details: { reason: "content_filter" } }, "content-filter"],
    ["another reason", { status: "incomplete", incomplete_details: { reason: "server_shutdown" } }, "other"],
    ["an empty reason", { status: "incomplete", incomplete_details: { reason: "" } }, "other"],
    // The SDK reads `incomplete_details` only: a status "incomplete" without it is a stop.
    ["status incomplete alone", { status: "incomplete", incomplete_details: null }, "stop"],
  ];
  it.each(cases)("maps %s (whole and streamed)", async (_, fields, unified) => {
    const whole = answerOf(await agree(textBody("Hi", fields), false));
    expect(whole.finishReason?.unified).toBe(unified);
    const event = fields.status === "incomplete" ? "response.incomplete" : "response.completed";
    const end = { type: event, response: { ...meta, usage: USAGE, ...fields } };
    const streamed = answerOf(await agree(textStream(["Hi"], end), true));
    expect(streamed.finishReason).toEqual(whole.finishReason);
  });

  it("maps a tool call to tool-calls unless the output ran out", async () => {
    const call = functionCall();
    expect(answerOf(await agree(bodyOf([call]), false)).finishReason?.unified).toBe("tool-calls");
    const other = { incomplete_details: { reason: "server_shutdown" } };
    expect(answerOf(await agree(bodyOf([call], other), false)).finishReason?.unified).toBe("tool-calls");
    const length = { incomplete_details: { reason: "max_output_tokens" } };
    expect(answerOf(await agree(bodyOf([call], length), false)).finishReason?.unified).toBe("length");
    const callEvents = [
      created,
      { type: "response.output_item.added", output_index: 0, item: functionCall("in_progress") },
      { type: "response.function_call_arguments.delta", item_id: "fc_1", output_index: 0, delta: '{"q":"x"}' },
      { type: "response.function_call_arguments.done", item_id: "fc_1", output_index: 0, arguments: '{"q":"x"}' },
      { type: "response.output_item.done", output_index: 0, item: functionCall() },
    ];
    expect(answerOf(await agree(sseOf(...callEvents, completed()), true)).finishReason?.unified).toBe("tool-calls");
    const ranOut = sseOf(...callEvents, incomplete("server_shutdown"));
    expect(answerOf(await agree(ranOut, true)).finishReason).toEqual({ unified: "tool-calls", raw: "server_shutdown" });
  });

  it("maps a response.failed without an error to error (or its incomplete reason)", async () => {
    const failed = (response: Json) => ({
      type: "response.failed",
      response: { ...meta, status: "failed", ...response },
    });
    const plain = answerOf(await agree(textStream(["Hi"], failed({ error: null, usage: USAGE })), true));
    expect(plain.finishReason).toEqual({ unified: "error", raw: "error" });
    const reasoned = failed({ incomplete_details: { reason: "max_output_tokens" } });
    expect(answerOf(await agree(textStream(["Hi"], reasoned), true)).finishReason).toEqual({
      unified: "length",
      raw: "max_output_tokens",
    });
    // Before any output it is no error either: the SDK's early check only throws errors it carries.
    const early = answerOf(await agree(sseOf(created, failed({})), true));
    expect(early.finishReason).toEqual({ unified: "error", raw: "error" });
  });
});

describe("what is not text", () => {
  it("leaves reasoning items out of the text, whole", async () => {
    const body = bodyOf(
      [reasoningItem(["Thinking about it", "More"]), messageItem("completed", [outputText("Answer")])],
      {
        usage: DETAILED_USAGE,
      },
    );
    expect(answerOf(await agree(body, false)).text).toBe("Answer");
    expect(answerOf(await agree(bodyOf([reasoningItem([])]), false)).text).toBe("");
  });

  it("leaves reasoning summary events out of the text, streamed", async () => {
    const bytes = sseOf(
      created,
      { type: "response.output_item.added", output_index: 0, item: { type: "reasoning", id: "rs_1", summary: [] } },
      { type: "response.reasoning_summary_part.added", item_id: "rs_1", output_index: 0, summary_index: 0, part: {} },
      {
        type: "response.reasoning_summary_text.delta",
        item_id: "rs_1",
        output_index: 0,
        summary_index: 0,
        delta: "Hmm",
      },
      { type: "response.reasoning_summary_text.done", item_id: "rs_1", output_index: 0, summary_index: 0, text: "Hmm" },
      { type: "response.reasoning_summary_part.done", item_id: "rs_1", output_index: 0, summary_index: 0, part: {} },
      { type: "response.output_item.done", output_index: 0, item: reasoningItem(["Hmm"]) },
      messageAdded("msg_1", 1),
      delta("The answer."),
      messageDone("The answer.", "msg_1", 1),
      completed({ usage: DETAILED_USAGE }),
    );
    expect(answerOf(await agree(bytes, true)).text).toBe("The answer.");
  });

  it("reads several message items (commentary and final answer) and annotations", async () => {
    const citation = { type: "url_citation", start_index: 0, end_index: 2, url: "https://x.test", title: "X" };
    const body = bodyOf([
      { ...messageItem("completed", [outputText("First. ")], "msg_a"), phase: "commentary" },
      { ...messageItem("completed", [outputText("Second.", [citation])], "msg_b"), phase: "final_answer" },
    ]);
    expect(answerOf(await agree(body, false)).text).toBe("First. Second.");
    const bytes = sseOf(
      created,
      messageAdded("msg_a"),
      delta("First. ", "msg_a"),
      messageDone("First. ", "msg_a"),
      messageAdded("msg_b", 1),
      delta("Second.", "msg_b"),
      { type: "response.output_text.annotation.added", item_id: "msg_b", annotation_index: 0, annotation: citation },
      messageDone("Second.", "msg_b", 1),
      completed(),
    );
    expect(answerOf(await agree(bytes, true)).pieces).toEqual(["First. ", "Second."]);
  });
});

describe("refusals", () => {
  it("reads a refusal as text, finish content-filter", async () => {
    const body = bodyOf([messageItem("completed", [{ type: "refusal", refusal: "I can't help with that." }])]);
    const whole = answerOf(await agree(body, false));
    expect(whole).toMatchObject({ text: "I can't help with that.", finishReason: { unified: "content-filter" } });
    const bytes = sseOf(
      created,
      messageAdded(),
      { type: "response.content_part.added", item_id: "msg_1", output_index: 0, content_index: 0, part: {} },
      { type: "response.refusal.delta", item_id: "msg_1", output_index: 0, content_index: 0, delta: "I can't " },
      { type: "response.refusal.delta", item_id: "msg_1", output_index: 0, content_index: 0, delta: "help." },
      { type: "response.refusal.done", item_id: "msg_1", output_index: 0, content_index: 0, refusal: "I can't help." },
      completed(),
    );
    const streamed = answerOf(await agree(bytes, true));
    expect(streamed).toMatchObject({ pieces: ["I can't ", "help."], finishReason: { unified: "content-filter" } });
  });

  it("counts a refusal.done alone as a refusal", async () => {
    const done = { type: "response.refusal.done", item_id: "msg_1", output_index: 0, content_index: 0, refusal: "No." };
    const r = answerOf(await agree(sseOf(created, messageAdded(), done, completed()), true));
    expect(r.finishReason?.unified).toBe("content-filter");
  });
});

describe("errors", () => {
  it("throws a whole answer's error as the SDK's APICallError", async () => {
    const error = { message: "The server had an error.", type: "server_error", param: null, code: "server_error" };
    expect(errorOf(await agree(textBody("", { error }), false))).toEqual({
      error: "AI_APICallError: The server had an error.",
    });
    // The SDK's schema wants `type` and a string `code`: an error without them is a malformed answer.
    expect(errorOf(await agree(textBody("", { error: { message: "x", code: null } }), false))).toEqual({
      malformed: true,
    });
    const wire = thrownBy(() => openaiResponsesWire.readAnswer(JSON.parse(textBody("", { error }))));
    expect(APICallError.isInstance(wire) && [wire.statusCode, wire.isRetryable]).toEqual([400, false]);
  });

  const flatError = { type: "error", code: "server_error", message: "Something broke.", param: null, extra: 1 };
  const nestedError = {
    type: "error",
    error: { type: "rate_limit_exceeded", code: "rate_limit_exceeded", message: "Slow down.", param: null, x: 2 },
  };
  const failedWithError = {
    type: "response.failed",
    response: {
      ...meta,
      status: "failed",
      error: { code: "server_error", message: "The model failed.", type: "x" },
      incomplete_details: null,
      usage: USAGE,
    },
  };

  it.each([
    ["a flat error event", flatError],
    ["a nested error event", nestedError],
    ["a response.failed with an error", failedWithError],
  ])("keeps %s after output as the SDK's error object (first one wins)", async (_, event) => {
    const bytes = sseOf(created, messageAdded(), delta("Hel"), event, delta("lo"), flatError, completed());
    const error = errorOf(await agree(bytes, true)) as Record<string, unknown>;
    expect(error).toMatchObject({
      message: expect.any(String),
      statusCode: expect.any(Number),
      data: expect.anything(),
    });
    expect(error).not.toBeInstanceOf(Error);
  });

  it("counts a text delta as output even without its message item", async () => {
    const r = errorOf(await agree(sseOf(created, delta("Hi"), flatError), true));
    expect(r).toMatchObject({ message: "Something broke.", statusCode: 500 });
  });

  it("keeps a response.failed's incomplete_details and service tier as the SDK's schema leaves them", async () => {
    const failed = {
      ...failedWithError,
      response: {
        ...failedWithError.response,
        incomplete_details: { reason: "max_output_tokens", note: "dropped" },
        service_tier: "default",
      },
    };
    const r = errorOf(await agree(textStream(["Hi"], failed), true));
    expect(r).toMatchObject({ data: { response: { incomplete_details: { reason: "max_output_tokens" } } } });
  });

  it("reads an empty incomplete reason of a response.failed as no reason (the SDK tests truthiness)", async () => {
    const failed = { type: "response.failed", response: { ...meta, incomplete_details: { reason: "" } } };
    expect(answerOf(await agree(textStream(["Hi"], failed), true)).finishReason).toEqual({ unified: "error", raw: "" });
  });

  it("streams nothing after an error thrown before output, like the SDK whose doStream threw", async () => {
    const bytes = sseOf(created, flatError, messageAdded(), delta("Hi"), completed());
    const sdk = await sdkReading(config, bytes, { stream: true, model: MODEL });
    const pieces: string[] = [];
    const decoder = openaiResponsesWire.streamAnswer();
    for (const frame of bytes.split("\n\n").filter(Boolean))
      decoder.push({ event: undefined, data: frame.split("\ndata: ")[1]! }, (t) => pieces.push(t));
    expect(() => decoder.end()).toThrow("Something broke.");
    expect(pieces).toEqual([]);
    expect(sdk.pieces).toEqual([]);
  });

  it("keeps the error object's status and retryability as the SDK derives them", async () => {
    const codes: Json[] = [
      { code: "insufficient_quota", message: "Pay up." },
      { code: "429", message: "Too many." },
      { code: null, message: "Bad.", type: "invalid_request_error" },
      { type: "x", code: "context_length_exceeded", message: "Too long." },
      { type: "authentication_error", message: "Who?" },
    ];
    for (const fields of codes) {
      const flat = { type: "error", ...fields };
      await agree(sseOf(created, messageAdded(), delta("a"), flat), true);
      const nested = { type: "error", error: { type: "server_error", ...fields } };
      await agree(sseOf(created, messageAdded(), delta("a"), nested), true);
    }
  });

  it.each([
    ["a flat error event", flatError],
    ["a nested error event", nestedError],
    ["a response.failed with an error", failedWithError],
  ])("throws %s before any output as the SDK's APICallError", async (_, event) => {
    const r = await agree(sseOf(created, inProgress, event, messageAdded(), delta("Hi"), completed()), true);
    expect(errorOf(r)).toEqual({ error: expect.stringMatching(/^AI_APICallError: /) });
  });

  it("gives an early error the SDK's status and retryability", async () => {
    const bytes = sseOf(created, nestedError);
    const model = resolveLanguageModel(config, MODEL, {
      apiKey: "k",
      fetch: (async () => new Response(bytes, { headers: { "content-type": "text/event-stream" } })) as typeof fetch,
    });
    const sdkError = await model.doStream({ prompt: [] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const decoder = openaiResponsesWire.streamAnswer();
    for (const frame of bytes.split("\n\n").filter(Boolean))
      decoder.push({ event: undefined, data: frame.split("\ndata: ")[1]! }, () => {});
    const wireError = thrownBy(() => decoder.end());
    const facts = (e: unknown) => APICallError.isInstance(e) && [e.message, e.statusCode, e.isRetryable, e.data];
    // The SDK's schema drops the unknown key `x` from the event it keeps as `data`.
    const { x: _, ...kept } = nestedError.error;
    const expected = ["Slow down.", 429, true, { type: "error", sequence_number: 1, error: kept }];
    expect(facts(sdkError)).toEqual(expected);
    expect(facts(wireError)).toEqual(expected);
  });
});

describe("malformed answers", () => {
  it.each([
    ["an output item of an unknown type", bodyOf([{ type: "compaction", id: "c_1" }])],
    [
      "a message that is not the assistant's",
      bodyOf([{ ...messageItem("completed", [outputText("x")]), role: "user" }]),
    ],
    ["output_text without annotations", bodyOf([messageItem("completed", [{ type: "output_text", text: "x" }])])],
    ["an unknown content part", bodyOf([messageItem("completed", [{ type: "output_image", url: "x" }])])],
    ["usage without input_tokens", textBody("x", { usage: { output_tokens: 1 } })],
    ["a null total_tokens", textBody("x", { usage: { ...USAGE, total_tokens: null } })],
    ["a null id", textBody("x", { id: null })],
    ["a reasoning item without summary", bodyOf([{ type: "reasoning", id: "rs_1" }])],
    ["a list instead of an object", "[]"],
    ["not JSON", "{ nope"],
  ])("refuses %s, whole", async (_, body) => {
    expect(errorOf(await agree(body, false))).toEqual({ malformed: true });
  });

  it.each([
    ["not JSON", "{ nope"],
    ["a chunk without type", JSON.stringify({ delta: "x" })],
    ["a text delta without its delta", JSON.stringify({ type: "response.output_text.delta", item_id: "msg_1" })],
    [
      "a message item without id",
      JSON.stringify({ type: "response.output_item.added", output_index: 0, item: { type: "message" } }),
    ],
    [
      "a completed with a bad usage",
      JSON.stringify({ type: "response.completed", response: { usage: { input_tokens: 1 } } }),
    ],
    ["an error event without sequence_number", JSON.stringify({ type: "error", message: "x" })],
    ["an empty data line", ""],
  ])("refuses %s, streamed", async (_, chunk) => {
    // The bad chunk after some text, then a proper end: the SDK's error part wins.
    const bytes = sseOf(created, messageAdded(), delta("Hi"), chunk, completed());
    expect(errorOf(await agree(bytes, true))).toEqual({ malformed: true });
    // First in the stream: the SDK's early check stops at a bad chunk and streams its error part.
    expect(errorOf(await agree(sseOf(chunk, created, messageAdded(), delta("Hi"), completed()), true))).toEqual({
      malformed: true,
    });
  });

  it("checks logprobs and annotations as the SDK's schema does", async () => {
    const logprobs = [{ token: "Hi", logprob: -0.1, top_logprobs: [{ token: "Hi", logprob: -0.1 }] }];
    const good = { ...delta("Hi"), logprobs };
    answerOf(await agree(sseOf(created, messageAdded(), good, completed()), true));
    const part = { ...outputText("Hi"), logprobs };
    answerOf(await agree(bodyOf([messageItem("completed", [part])]), false));
    const bad = [{ token: "Hi", logprob: -0.1, top_logprobs: [{ token: 1 }] }];
    const badDelta = { ...delta("Hi"), logprobs: bad };
    expect(errorOf(await agree(sseOf(created, messageAdded(), badDelta, completed()), true))).toEqual({
      malformed: true,
    });
    const badPart = { ...outputText("Hi"), logprobs: bad };
    expect(errorOf(await agree(bodyOf([messageItem("completed", [badPart])]), false))).toEqual({ malformed: true });
    const badCitation = { type: "url_citation", url: "https://x.test" };
    const annotated = { type: "response.output_text.annotation.added", item_id: "msg_1", annotation: badCitation };
    expect(errorOf(await agree(sseOf(created, messageAdded(), delta("Hi"), annotated), true))).toEqual({
      malformed: true,
    });
    const cited = bodyOf([messageItem("completed", [outputText("Hi", [badCitation])])]);
    expect(errorOf(await agree(cited, false))).toEqual({ malformed: true });
  });

  it("says so when a Chat Completions stream comes back", async () => {
    const chat = JSON.stringify({ id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta: {} }] });
    const r = errorOf(await agree(sseOf(chat, "[DONE]"), true));
    expect(r).toEqual({ error: expect.stringContaining("AI_APICallError: Received a Chat Completions stream") });
  });

  it("a malformed chunk before an error event: the malformed one wins", async () => {
    const r = await agree(sseOf(created, "{ nope", { type: "error", message: "late" }, completed()), true);
    expect(errorOf(r)).toEqual({ malformed: true });
  });

  it("a body without output: the SDK fails with a TypeError, we call it malformed", async () => {
    // Divergence kept on purpose: the SDK's doGenerate iterates a missing `output` (its schema
    // allows it) and throws "response.output is not iterable"; the answer cannot be read either way.
    const body = JSON.stringify({ id: "r", created_at: CREATED_AT, model: "m", usage: USAGE });
    expect(errorOf(comparable(await sdkReading(config, body, { stream: false, model: MODEL }), false))).toEqual({
      error: "TypeError: response.output is not iterable",
    });
    expect(comparable(wireReading(openaiResponsesWire, body, { stream: false }), false)).toEqual({
      error: { malformed: true },
    });
  });
});

describe("odd but valid answers (the SDK's behaviour followed)", () => {
  it("a stream that ends without response.completed: finish other, usage unknown", async () => {
    const r = answerOf(await agree(sseOf(created, messageAdded(), delta("Hi"), messageDone("Hi")), true));
    expect(r).toMatchObject({ text: "Hi", finishReason: { unified: "other", raw: undefined } });
    expect(r.usage?.raw).toBeUndefined();
  });

  it("a stream without response.created: no response metadata", async () => {
    const r = answerOf(await agree(sseOf(messageAdded(), delta("Hi"), completed()), true));
    expect(r.response).toBeUndefined();
  });

  it("a body without created_at: an invalid timestamp, as the SDK's", async () => {
    const body = JSON.stringify({ id: "r", model: "m", output: [], usage: USAGE });
    const sdk = await sdkReading(config, body, { stream: false, model: MODEL });
    const wire = wireReading(openaiResponsesWire, body, { stream: false });
    expect(Number.isNaN(sdk.response?.timestamp?.getTime())).toBe(true);
    expect(Number.isNaN(wire.response?.timestamp?.getTime())).toBe(true);
    expect(wire.response?.id).toBe(sdk.response?.id);
  });

  it("ignores events it does not model (and [DONE])", async () => {
    const bytes = sseOf(
      created,
      inProgress,
      messageAdded(),
      { type: "response.content_part.added", item_id: "msg_1", output_index: 0, content_index: 0, part: {} },
      delta("Hi"),
      { type: "response.output_text.done", item_id: "msg_1", output_index: 0, content_index: 0, text: "Hi" },
      { type: "response.content_part.done", item_id: "msg_1", output_index: 0, content_index: 0, part: {} },
      { type: "response.output_item.added", output_index: 1, item: { type: "compaction", id: "c_1" } },
      { type: "response.something_new", whatever: [1, 2] },
      { type: "keepalive" },
      messageDone("Hi"),
      completed(),
      "[DONE]",
    );
    expect(answerOf(await agree(bytes, true))).toMatchObject({ text: "Hi", finishReason: { unified: "stop" } });
  });

  it("an unmodeled event before an error still counts as no output (error thrown early)", async () => {
    const bytes = sseOf(created, inProgress, { type: "response.something_new" }, flatErrorEvent());
    expect(errorOf(await agree(bytes, true))).toEqual({ error: "AI_APICallError: boom" });
  });
});

function flatErrorEvent() {
  return { type: "error", code: "server_error", message: "boom", param: null };
}

describe("reasoning model ids read the same", () => {
  // The model id changes only the request (reasoning options, developer messages): its answer is
  // read the same way, so the decoder needs no model id. Checked here on the answers that differ most.
  const fixtures: [string, string, boolean][] = [
    ["plain, whole", textBody("Hi there", { usage: DETAILED_USAGE }), false],
    [
      "reasoning then text, whole",
      bodyOf([reasoningItem(["Hmm"]), messageItem("completed", [outputText("Hi")])]),
      false,
    ],
    ["plain, streamed", textStream(["Hi", " there"], completed({ usage: DETAILED_USAGE })), true],
    ["incomplete, streamed", textStream(["Hi"], incomplete("max_output_tokens")), true],
    ["error, streamed", textStream(["Hi"], flatErrorEvent()), true],
  ];
  for (const model of ["o3", "o4-mini", "gpt-5", "gpt-5-mini", "gpt-5.1"])
    it.each(fixtures)(`${model}: %s`, async (_, bytes, stream) => {
      const sdk = await agree(bytes, stream, model);
      expect(sdk).toEqual(comparable(await sdkReading(config, bytes, { stream, model: MODEL }), stream));
    });
});
