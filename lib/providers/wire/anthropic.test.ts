/**
 * Differential tests of the Anthropic Messages decoder: each fixture goes through the SDK's
 * AnthropicMessagesLanguageModel (doGenerate / doStream) and through `anthropicWire`, and what
 * each reads must be the same. Each test also checks that the SDK read the fixture the way the
 * test means (an answer, or an error), so two failed readings never pass for an answer.
 */
import { describe, expect, it } from "vitest";
import { anthropic } from "../../../tests/fake-provider/anthropic";
import { type Reply, sse } from "../../../tests/fake-provider/protocol";
import type { ProviderConfig } from "../config";
import { anthropicWire } from "./anthropic";
import { comparable, expectAgreement, sdkReading, wireReading } from "./testing";

const config: ProviderConfig = { name: "p", kind: "anthropic", baseUrl: "http://127.0.0.1:9/v1" };

type Json = Record<string, unknown>;

/** Both readings of `bytes`; they must agree. Gives the SDK's (for checks of what the fixture is). */
const same = async (bytes: string, stream: boolean) =>
  (await expectAgreement(config, anthropicWire, bytes, { stream })) as Json;

async function sameAnswer(bytes: string, stream: boolean) {
  const sdk = await same(bytes, stream);
  expect(sdk.error).toBeUndefined();
  expect(sdk.finishReason).toBeDefined();
  return sdk;
}

async function sameError(bytes: string, stream: boolean) {
  const sdk = await same(bytes, stream);
  expect(sdk.error).toBeDefined();
  return sdk.error;
}

// ---------------------------------------------------------------------------------------------
// Fixture builders

const reply = (text: string, usage = { inputTokens: 11, outputTokens: 7 }): Reply => ({
  id: "abc",
  model: "claude-test-1",
  text,
  toolCalls: [],
  usage,
});

/** A whole (non-streamed) answer. */
const message = (content: unknown[], stop_reason: unknown = "end_turn", usage: unknown = usageOf(), extra = {}) =>
  JSON.stringify({
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: "claude-test-1",
    content,
    stop_reason,
    stop_sequence: null,
    usage,
    ...extra,
  });

const usageOf = (extra: Json = {}) => ({ input_tokens: 10, output_tokens: 5, ...extra });
const text = (t: string) => ({ type: "text", text: t });

/** One SSE frame, named by its type as Anthropic does. */
const ev = (data: Json) => sse(data, String(data.type));
const messageStart = (usage: Json = { input_tokens: 10, output_tokens: 1 }, extra: Json = {}) =>
  ev({
    type: "message_start",
    message: {
      id: "msg_1",
      type: "message",
      role: "assistant",
      model: "claude-test-1",
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage,
      ...extra,
    },
  });
const blockStart = (index: number, content_block: Json) => ev({ type: "content_block_start", index, content_block });
const delta = (index: number, d: Json) => ev({ type: "content_block_delta", index, delta: d });
const textDelta = (t: string, index = 0) => delta(index, { type: "text_delta", text: t });
const blockStop = (index = 0) => ev({ type: "content_block_stop", index });
const messageDelta = (stop_reason: unknown = "end_turn", usage: Json = { output_tokens: 5 }, extra: Json = {}) =>
  ev({ type: "message_delta", delta: { stop_reason, stop_sequence: null, ...extra }, usage });
const messageStop = ev({ type: "message_stop" });
const ping = ev({ type: "ping" });
const errorEvent = (type: string, message: string, extra: Json = {}) =>
  ev({ type: "error", error: { type, message, ...extra } });

/** A streamed text answer: message_start, one text block in `pieces`, message_delta, message_stop. */
const textStream = (pieces: string[], stop: unknown = "end_turn", deltaUsage: Json = { output_tokens: 5 }) =>
  [
    messageStart(),
    blockStart(0, text("")),
    ...pieces.map((p) => textDelta(p)),
    blockStop(0),
    messageDelta(stop, deltaUsage),
    messageStop,
  ].join("");

// ---------------------------------------------------------------------------------------------

describe("anthropicWire: answers from the fake provider's protocol module", () => {
  const answer = reply("Hello there, this is a longer answer with ünïcödé ✓ and emoji 🎉 in it.");

  it("reads a whole answer", async () => {
    const sdk = await sameAnswer(JSON.stringify(anthropic.json(answer)), false);
    expect(sdk.text).toBe(answer.text);
  });

  it.each([1, 2, 3, 7, 50])("reads a streamed answer in %i pieces", async (chunks) => {
    const sdk = await sameAnswer(anthropic.frames(answer, chunks).join(""), true);
    expect(sdk.text).toBe(answer.text);
  });

  it("gives the same text pieces as the SDK's text-delta parts, one by one", async () => {
    const bytes = anthropic.frames(answer, 9).join("");
    const sdk = await sdkReading(config, bytes, { stream: true });
    const ours = wireReading(anthropicWire, bytes, { stream: true });
    expect(sdk.pieces.length).toBe(9);
    expect(ours.pieces).toEqual(sdk.pieces);
    expect(ours.text).toBe(sdk.text);
  });

  it("reads an empty answer (no text block)", async () => {
    const sdk = await sameAnswer(JSON.stringify(anthropic.json(reply(""))), false);
    expect(sdk.text).toBe("");
    await sameAnswer(anthropic.frames(reply(""), 3).join(""), true);
  });

  it("reads an empty text block", async () => {
    await sameAnswer(message([text("")]), false);
    // The SDK emits empty text-delta parts; neither reading keeps them as pieces.
    const sdk = await sameAnswer(textStream(["", "a", "", "b"]), true);
    expect(sdk.pieces).toEqual(["a", "b"]);
  });

  it("joins several text blocks", async () => {
    await sameAnswer(message([text("one "), text("two")]), false);
    const bytes = [
      messageStart(),
      blockStart(0, text("")),
      textDelta("one ", 0),
      blockStop(0),
      blockStart(1, text("")),
      textDelta("two", 1),
      blockStop(1),
      messageDelta(),
      messageStop,
    ].join("");
    expect((await sameAnswer(bytes, true)).text).toBe("one two");
  });
});

describe("anthropicWire: usage", () => {
  const withCache = usageOf({
    input_tokens: 12,
    output_tokens: 30,
    cache_creation_input_tokens: 100,
    cache_read_input_tokens: 2000,
    service_tier: "standard",
    server_tool_use: { web_search_requests: 0 },
  });

  it("counts cache reads and writes on top of input_tokens (whole answer)", async () => {
    const sdk = await sameAnswer(message([text("hi")], "end_turn", withCache), false);
    expect(sdk.usage).toMatchObject({ inputTokens: { total: 2112, noCache: 12, cacheRead: 2000, cacheWrite: 100 } });
  });

  it("reads null cache counts as 0", async () => {
    const u = usageOf({ cache_creation_input_tokens: null, cache_read_input_tokens: null });
    await sameAnswer(message([text("hi")], "end_turn", u), false);
  });

  it("reads thinking tokens, dropping unknown keys of output_tokens_details from raw (as the SDK's schema does)", async () => {
    const u = usageOf({ output_tokens: 40, output_tokens_details: { thinking_tokens: 25, other: 3 } });
    const sdk = await sameAnswer(message([text("hi")], "end_turn", u), false);
    expect(sdk.usage).toMatchObject({ outputTokens: { total: 40, text: 15, reasoning: 25 } });
    await sameAnswer(message([text("hi")], "end_turn", usageOf({ output_tokens_details: {} })), false);
    await sameAnswer(message([text("hi")], "end_turn", usageOf({ output_tokens_details: null })), false);
  });

  it.each([
    [
      "executor iterations",
      [
        { type: "compaction", input_tokens: 100, output_tokens: 20, x: 1 },
        { type: "message", model: "m", input_tokens: 50, output_tokens: 9, cache_read_input_tokens: 4 },
      ],
    ],
    ["advisor iterations only", [{ type: "advisor_message", input_tokens: 100, output_tokens: 20 }]],
    [
      "a fallback",
      [
        { type: "message", input_tokens: 3, output_tokens: 2 },
        { type: "fallback_message", input_tokens: 100, output_tokens: 20 },
      ],
    ],
    ["no iterations", []],
  ])("reads usage with %s", async (_, iterations) => {
    const u = usageOf({ cache_read_input_tokens: 7, iterations });
    await sameAnswer(message([text("hi")], "end_turn", u), false);
    const bytes = textStream(["hi"], "end_turn", { output_tokens: 6, iterations });
    await sameAnswer(bytes, true);
  });

  it("streams usage from message_start and message_delta", async () => {
    const bytes = [
      messageStart({
        input_tokens: 12,
        output_tokens: 1,
        cache_creation_input_tokens: 100,
        cache_read_input_tokens: 2000,
        service_tier: "standard",
      }),
      blockStart(0, text("")),
      textDelta("hi"),
      blockStop(0),
      messageDelta("end_turn", { output_tokens: 30, output_tokens_details: { thinking_tokens: 10, y: 2 } }),
      messageStop,
    ].join("");
    const sdk = await sameAnswer(bytes, true);
    expect(sdk.usage).toMatchObject({
      inputTokens: { total: 2112, noCache: 12, cacheRead: 2000, cacheWrite: 100 },
      outputTokens: { total: 30, text: 20, reasoning: 10 },
    });
  });

  it("lets message_delta's counts replace message_start's", async () => {
    const bytes = [
      messageStart({
        input_tokens: 12,
        output_tokens: 1,
        cache_creation_input_tokens: 5,
        cache_read_input_tokens: null,
      }),
      blockStart(0, text("")),
      textDelta("hi"),
      messageDelta("end_turn", {
        input_tokens: 15,
        output_tokens: 30,
        cache_read_input_tokens: 9,
        cache_creation_input_tokens: 6,
        extra: "kept",
      }),
      messageStop,
    ].join("");
    await sameAnswer(bytes, true);
  });

  it("keeps message_start's counts when message_delta has nulls", async () => {
    const bytes = [
      messageStart({ input_tokens: 12, cache_creation_input_tokens: 5, cache_read_input_tokens: 3 }),
      textDelta("hi"),
      messageDelta("end_turn", { input_tokens: null, output_tokens: 30, cache_read_input_tokens: null }),
      messageStop,
    ].join("");
    await sameAnswer(bytes, true);
  });

  it("reads a stream with no message_start (the SDK's raw usage is its own running object)", async () => {
    await sameAnswer([textDelta("hi"), messageStop].join(""), true);
    await sameAnswer([textDelta("hi"), messageDelta("end_turn", { output_tokens: 3 }), messageStop].join(""), true);
  });
});

describe("anthropicWire: finish reasons", () => {
  const reasons: [unknown, string][] = [
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["pause_turn", "stop"],
    ["max_tokens", "length"],
    ["model_context_window_exceeded", "length"],
    ["refusal", "content-filter"],
    ["tool_use", "tool-calls"],
    ["compaction", "other"],
    ["something_new", "other"],
    [null, "other"],
  ];

  it.each(reasons)("maps %s to %s", async (raw, unified) => {
    const whole = await sameAnswer(message([text("hi")], raw), false);
    expect(whole.finishReason).toEqual({ unified, raw: raw ?? undefined });
    const streamed = await sameAnswer(textStream(["h", "i"], raw), true);
    expect(streamed.finishReason).toEqual({ unified, raw: raw ?? undefined });
  });

  it("reads a missing stop_reason as other", async () => {
    const body = JSON.parse(message([text("hi")])) as Json;
    delete body.stop_reason;
    expect((await sameAnswer(JSON.stringify(body), false)).finishReason).toEqual({ unified: "other", raw: undefined });
  });

  it("takes message_start's stop_reason when no message_delta follows", async () => {
    const bytes = [messageStart(undefined, { stop_reason: "max_tokens" }), textDelta("hi"), messageStop].join("");
    expect((await sameAnswer(bytes, true)).finishReason).toEqual({ unified: "length", raw: "max_tokens" });
  });

  it("reads a refusal (with its stop details) as content-filter, keeping the text before it", async () => {
    const details = { type: "refusal", category: "cyber", explanation: "no" };
    const whole = await sameAnswer(message([text("I can")], "refusal", usageOf(), { stop_details: details }), false);
    expect(whole.text).toBe("I can");
    const bytes = [
      messageStart(),
      blockStart(0, text("")),
      textDelta("I can"),
      blockStop(0),
      messageDelta("refusal", { output_tokens: 2 }, { stop_details: details }),
      messageStop,
    ].join("");
    expect((await sameAnswer(bytes, true)).finishReason).toEqual({ unified: "content-filter", raw: "refusal" });
  });
});

describe("anthropicWire: what is not text", () => {
  it("does not read thinking or redacted thinking as text", async () => {
    const content = [
      { type: "thinking", thinking: "Let me think", signature: "sig" },
      { type: "redacted_thinking", data: "xyz" },
      text("Answer"),
    ];
    expect((await sameAnswer(message(content), false)).text).toBe("Answer");
    const bytes = [
      messageStart(),
      blockStart(0, { type: "thinking", thinking: "" }),
      delta(0, { type: "thinking_delta", thinking: "Let me " }),
      delta(0, { type: "thinking_delta", thinking: "think" }),
      delta(0, { type: "signature_delta", signature: "sig" }),
      blockStop(0),
      blockStart(1, { type: "redacted_thinking", data: "xyz" }),
      blockStop(1),
      blockStart(2, text("")),
      textDelta("Ans", 2),
      textDelta("wer", 2),
      blockStop(2),
      messageDelta("end_turn", { output_tokens: 20, output_tokens_details: { thinking_tokens: 12 } }),
      messageStop,
    ].join("");
    expect((await sameAnswer(bytes, true)).pieces).toEqual(["Ans", "wer"]);
  });

  it("does not read tool use as text", async () => {
    const content = [text("Calling"), { type: "tool_use", id: "t1", name: "f", input: { a: 1 } }];
    expect((await sameAnswer(message(content, "tool_use"), false)).text).toBe("Calling");
    const call = reply("Calling");
    call.toolCalls = [{ id: "t1", name: "f", arguments: { a: 1 } }];
    expect((await sameAnswer(anthropic.frames(call, 3).join(""), true)).text).toBe("Calling");
  });

  it("does not read the opening text of a streamed text block (the SDK starts an empty text part)", async () => {
    // Follows the SDK: content_block_start's `text` is dropped, only text_delta is read.
    const bytes = [messageStart(), blockStart(0, text("ignored")), textDelta("read"), messageDelta(), messageStop].join(
      "",
    );
    expect((await sameAnswer(bytes, true)).text).toBe("read");
  });

  it("reads compaction blocks as text (the SDK reports them as text parts)", async () => {
    const content = [{ type: "compaction", content: "Summary." }, text(" Answer")];
    expect((await sameAnswer(message(content), false)).text).toBe("Summary. Answer");
    const bytes = [
      messageStart(),
      blockStart(0, { type: "compaction", content: null }),
      delta(0, { type: "compaction_delta", content: "Summary." }),
      delta(0, { type: "compaction_delta", content: null }),
      blockStop(0),
      blockStart(1, text("")),
      textDelta(" Answer", 1),
      messageDelta(),
      messageStop,
    ].join("");
    expect((await sameAnswer(bytes, true)).pieces).toEqual(["Summary.", " Answer"]);
  });

  it("skips fallback markers", async () => {
    await sameAnswer(message([{ type: "fallback" }, text("hi")]), false);
    const bytes = [
      messageStart(),
      blockStart(0, { type: "fallback" }),
      blockStop(0),
      textDelta("hi", 1),
      messageDelta(),
      messageStop,
    ];
    await sameAnswer(bytes.join(""), true);
  });
});

describe("anthropicWire: events that are read and ignored", () => {
  it("ignores ping, unknown keys, citations and signature deltas", async () => {
    const citation = {
      type: "char_location",
      cited_text: "x",
      document_index: 0,
      document_title: null,
      start_char_index: 0,
      end_char_index: 1,
    };
    const bytes = [
      ping,
      messageStart({ input_tokens: 3 }, { extra: true }),
      ping,
      blockStart(0, { ...text(""), citations: [] }),
      delta(0, { type: "citations_delta", citation }),
      ping,
      textDelta("a"),
      delta(0, { type: "signature_delta", signature: "s" }),
      ev({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "b" }, unknown: 1 }),
      blockStop(0),
      ping,
      messageDelta(),
      messageStop,
      ping,
    ].join("");
    expect((await sameAnswer(bytes, true)).text).toBe("ab");
  });

  it("reads the chunk's type, not the SSE event name", async () => {
    const bytes = [
      messageStart(),
      sse({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "x" } }, "ping"),
      sse({ type: "message_stop" }),
    ];
    expect((await sameAnswer(bytes.join(""), true)).text).toBe("x");
  });

  it("ignores a repeated message_start for the open message", async () => {
    const bytes = [
      messageStart({ input_tokens: 3 }),
      textDelta("a"),
      messageStart({ input_tokens: 99 }),
      textDelta("b"),
      messageDelta(),
      messageStop,
    ].join("");
    expect((await sameAnswer(bytes, true)).usage).toMatchObject({ inputTokens: { total: 3 } });
  });

  it("reads a second message after the first has stopped (the last finish counts)", async () => {
    const bytes = [textStream(["a"], "pause_turn"), textStream(["b"], "end_turn", { output_tokens: 9 })].join("");
    expect((await sameAnswer(bytes, true)).text).toBe("ab");
  });
});

describe("anthropicWire: errors inside the stream", () => {
  it("throws the provider's error object (known keys only, as the SDK's schema gives it)", async () => {
    const bytes = [
      messageStart(),
      blockStart(0, text("")),
      textDelta("partial"),
      errorEvent("overloaded_error", "Overloaded", { request_id: "r" }),
    ].join("");
    expect(await sameError(bytes, true)).toEqual({ type: "overloaded_error", message: "Overloaded" });
  });

  it("keeps the first error when the stream goes on and finishes", async () => {
    const bytes = [
      messageStart(),
      textDelta("a"),
      errorEvent("api_error", "first"),
      errorEvent("api_error", "second"),
      messageDelta(),
      messageStop,
    ].join("");
    expect(await sameError(bytes, true)).toEqual({ type: "api_error", message: "first" });
  });

  it.each([
    ["overloaded_error", "Overloaded"],
    ["api_error", "Internal error"],
  ])("throws an APICallError for a %s before anything else (the SDK's doStream fails the call)", async (type, msg) => {
    expect(await sameError(errorEvent(type, msg), true)).toEqual({ error: `AI_APICallError: ${msg}` });
    expect(await sameError([ping, errorEvent(type, msg), messageStart()].join(""), true)).toEqual({
      error: `AI_APICallError: ${msg}`,
    });
    const ours = wireReading(anthropicWire, errorEvent(type, msg), { stream: true });
    const sdk = await sdkReading(config, errorEvent(type, msg), { stream: true });
    expect(ours.error).toEqual(sdk.error);
  });

  it("counts as before anything else an error after events that give the SDK no part", async () => {
    // A fallback marker and a signature delta outside a thinking block make no stream part.
    const fallback = [blockStart(0, { type: "fallback" }), errorEvent("api_error", "late"), textDelta("x")];
    expect(await sameError(fallback.join(""), true)).toEqual({ error: "AI_APICallError: late" });
    const signature = [delta(0, { type: "signature_delta", signature: "s" }), errorEvent("api_error", "late")];
    expect(await sameError(signature.join(""), true)).toEqual({ error: "AI_APICallError: late" });
    const started = [messageStart(), errorEvent("api_error", "late"), textDelta("x")];
    expect(await sameError(started.join(""), true)).toEqual({ type: "api_error", message: "late" });
  });

  it("counts an error event without a message as malformed", async () => {
    const bytes = [messageStart(), ev({ type: "error", error: { type: "api_error" } }), messageStop].join("");
    expect(await sameError(bytes, true)).toEqual({ malformed: true });
  });
});

describe("anthropicWire: malformed answers", () => {
  const body = JSON.parse(message([text("hi")])) as Json;
  const without = (key: string) => {
    const copy = { ...body };
    delete copy[key];
    return JSON.stringify(copy);
  };

  it.each([
    ["not JSON", "{ not json"],
    ["not an object", "[]"],
    ["not a message", JSON.stringify({ ...body, type: "completion" })],
    ["no content", without("content")],
    ["no usage", without("usage")],
    ["usage without output_tokens", message([text("hi")], "end_turn", { input_tokens: 3 })],
    ["a string input_tokens", message([text("hi")], "end_turn", { input_tokens: "3", output_tokens: 1 })],
    ["an unknown block type", message([text("hi"), { type: "image", source: {} }])],
    ["a text block without text", message([{ type: "text" }])],
    ["a thinking block without signature", message([{ type: "thinking", thinking: "t" }, text("hi")])],
    ["a numeric id", JSON.stringify({ ...body, id: 5 })],
    ["a numeric stop_reason", message([text("hi")], 1)],
    [
      "an iteration of unknown type",
      message([text("hi")], "end_turn", usageOf({ iterations: [{ type: "x", input_tokens: 1, output_tokens: 1 }] })),
    ],
    [
      "bad thinking_tokens",
      message([text("hi")], "end_turn", usageOf({ output_tokens_details: { thinking_tokens: "1" } })),
    ],
  ])("refuses a whole answer with %s", async (_, bytes) => {
    expect(await sameError(bytes, false)).toEqual({ malformed: true });
  });

  it.each([
    ["a chunk that is not JSON", "data: {nope\n\n"],
    ["an unknown event type", ev({ type: "content_block_pause", index: 0 })],
    ["a text delta without text", delta(0, { type: "text_delta" })],
    ["an unknown delta type", delta(0, { type: "image_delta", data: "" })],
    ["an unknown block type", blockStart(0, { type: "image" })],
    ["a block start without index", ev({ type: "content_block_start", content_block: text("") })],
    ["a message_delta without output_tokens", messageDelta("end_turn", { input_tokens: 3 })],
    ["a text block in message_start's content", messageStart(undefined, { content: [text("x")], id: "msg_1" })],
  ])("reports %s inside the stream as malformed", async (_, bad) => {
    const bytes = [
      messageStart(),
      blockStart(0, text("")),
      textDelta("a"),
      bad,
      textDelta("b"),
      messageDelta(),
      messageStop,
    ];
    expect(await sameError(bytes.join(""), true)).toEqual({ malformed: true });
  });

  it("reports a second message opened inside the first as malformed, and reads nothing after it", async () => {
    const second = messageStart(undefined, { id: "msg_2" });
    const bytes = [messageStart(), textDelta("a"), second, textDelta("b"), messageDelta(), messageStop];
    expect(await sameError(bytes.join(""), true)).toEqual({ malformed: true });
  });

  it("refuses a stream that ends without message_stop (where the SDK just gives no finish part)", async () => {
    // The SDK's stream has no finish part and no error: its reading has text but no finish
    // reason or usage. The decoder refuses such an answer (the brief: no finish → malformed).
    for (const bytes of [
      [messageStart(), blockStart(0, text("")), textDelta("cut")],
      [messageStart(), textDelta("cut"), messageDelta()],
      [ping],
      [],
    ]) {
      const sdk = await sdkReading(config, bytes.join(""), { stream: true });
      expect(sdk.error).toBeUndefined();
      expect(sdk.finishReason).toBeUndefined();
      expect(sdk.usage).toBeUndefined();
      const ours = wireReading(anthropicWire, bytes.join(""), { stream: true });
      expect(comparable(ours, true)).toEqual({ error: { malformed: true } });
      expect(ours.pieces).toEqual(sdk.pieces);
    }
  });

  it("refuses a malformed first chunk (where the SDK's doStream throws an APICallError with zod's message)", async () => {
    // Divergence kept on purpose: the SDK fails the call with APICallError(500, "Type validation
    // failed: …"), whose message is zod's; the decoder reports the answer as unreadable.
    const bytes = [ev({ type: "message_start", message: {} }), textDelta("a"), messageStop].join("");
    const sdk = await sdkReading(config, bytes, { stream: true });
    expect(sdk.error).toMatchObject({ error: expect.stringMatching(/^AI_APICallError: Type validation failed/) });
    const ours = wireReading(anthropicWire, bytes, { stream: true });
    expect(comparable(ours, true)).toEqual({ error: { malformed: true } });
    // Nothing after it is read, as the SDK's call fails before its stream is handed over.
    expect(ours.pieces).toEqual([]);
    expect(sdk.pieces).toEqual([]);
  });
});
