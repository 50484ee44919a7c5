/**
 * Differential tests of the chat-completions decoder (./openai-chat.ts) against the AI SDK's
 * `openai-compatible` model (@ai-sdk/openai-compatible's OpenAICompatibleChatLanguageModel, what
 * the decoder was written from). The `openai` kind with `api: "chat"` (@ai-sdk/openai's
 * OpenAIChatLanguageModel) reads the same bytes differently in places (no finish reason is no
 * error, early errors are thrown, unknown usage keys dropped), so its answers stay with the SDK
 * (`wireFormatOf`). Every fixture goes through the SDK's real model and through the decoder; what
 * each makes of it must be deep-equal (see ./testing.ts).
 *
 * Where the decoder and the SDK disagree today, the case is written with `divergence(…)`: it pins
 * what the SDK produces (by hand, checked against the SDK) and that the decoder does not produce
 * it. Once openai-chat.ts is fixed such a test fails: move its fixture to a differential case.
 */
import { describe, expect, it } from "vitest";
import { openaiChat } from "../../../tests/fake-provider/openai-chat";
import { type Reply, sse } from "../../../tests/fake-provider/protocol";
import type { ProviderConfig } from "../config";
import { openaiChatWire } from "./openai-chat";
import { type Comparable, comparable, expectAgreement, sdkReading, wireReading } from "./testing";
import type { WireFormat } from "./types";

const COMPATIBLE: ProviderConfig = { name: "p", kind: "openai-compatible", baseUrl: "http://127.0.0.1:9/v1" };
const KINDS = [["openai-compatible", COMPATIBLE]] as const;

/** The decoder for a config: one for both kinds today (if the openai kind gets its own, pick it here). */
function formatFor(_config: ProviderConfig): WireFormat {
  return openaiChatWire;
}

function ours(config: ProviderConfig, body: string, stream: boolean): Comparable {
  return comparable(wireReading(formatFor(config), body, { stream }), stream);
}

/** Both readings of `body`, which must agree; the SDK's is returned for checks of the fixture itself. */
const expectSame = (config: ProviderConfig, body: string, stream: boolean) =>
  expectAgreement(config, formatFor(config), body, { stream });

/**
 * A known disagreement: the SDK reads `body` as `sdkSays` (a subset of its reading), the decoder
 * reads it otherwise.
 */
function divergence(name: string, config: ProviderConfig, body: string, stream: boolean, sdkSays: object) {
  it(`DIVERGENCE: ${name}`, async () => {
    const theirs = comparable(await sdkReading(config, body, { stream }), stream);
    expect(theirs).toMatchObject(sdkSays);
    expect(ours(config, body, stream)).not.toEqual(theirs);
  });
}

/** A case that was a divergence and is read alike now: the SDK reads `body` as `sdkSays`, and so does the decoder. */
function agreed(name: string, config: ProviderConfig, body: string, stream: boolean, sdkSays: object) {
  it(name, async () => {
    expect(await expectSame(config, body, stream)).toMatchObject(sdkSays);
  });
}

// ---- fixtures -------------------------------------------------------------------------------

const CREATED = 1_767_225_600;
const META = { id: "chatcmpl-7", object: "chat.completion.chunk", created: CREATED, model: "gpt-test" };
const META_SEEN = { id: "chatcmpl-7", modelId: "gpt-test", timestamp: new Date(CREATED * 1000).toISOString() };

const reply = (text: string, usage = { inputTokens: 12, outputTokens: 7 }): Reply => ({
  id: "chatcmpl-7",
  model: "gpt-test",
  text,
  toolCalls: [],
  usage,
});

/** The fake provider's non-streamed answer. */
const fakeJson = (r: Reply) => JSON.stringify(openaiChat.json(r));
/** The fake provider's streamed answer, text in `chunks` pieces. */
const fakeStream = (r: Reply, chunks: number) => openaiChat.frames(r, chunks).join("");

/** A chunk with one choice. */
const chunk = (delta: unknown, finish: string | null = null, extra: Record<string, unknown> = {}) =>
  sse({ ...META, choices: [{ index: 0, delta, finish_reason: finish }], ...extra });
const usageChunk = (usage: unknown) => sse({ ...META, choices: [], usage });
const DONE = sse("[DONE]");

/** A non-streamed body with one choice. */
function answer(message: Record<string, unknown>, finish: string | null = "stop", extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    id: "chatcmpl-7",
    object: "chat.completion",
    created: CREATED,
    model: "gpt-test",
    choices: [{ index: 0, message: { role: "assistant", ...message }, finish_reason: finish }],
    usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 },
    ...extra,
  });
}

/** Usage with every detail both SDK models read (and no key the openai kind's schema would drop). */
const DETAILED_USAGE = {
  prompt_tokens: 120,
  completion_tokens: 50,
  total_tokens: 170,
  prompt_tokens_details: { cached_tokens: 100 },
  completion_tokens_details: { reasoning_tokens: 30, accepted_prediction_tokens: 2, rejected_prediction_tokens: 1 },
};

const STREAM_ERROR = { error: { message: "The server had an error", type: "server_error", param: null, code: null } };

// ---- both kinds -----------------------------------------------------------------------------

describe.each(KINDS)("chat completions read as the SDK's %s model does", (_kind, config) => {
  describe("the fake provider's answers", () => {
    it("a plain answer", async () => {
      const theirs = await expectSame(config, fakeJson(reply("Hello there, how are you?")), false);
      expect(theirs).toMatchObject({ text: "Hello there, how are you?", response: META_SEEN });
    });

    it.each([1, 2, 5, 64])("a plain answer streamed in %i pieces", async (chunks) => {
      const text = "Hello there, how are you today? Fine, thanks.";
      const theirs = await expectSame(config, fakeStream(reply(text), chunks), true);
      expect(theirs).toMatchObject({ text, finishReason: { unified: "stop", raw: "stop" }, response: META_SEEN });
      expect(theirs.usage).toMatchObject({ inputTokens: { total: 12 }, outputTokens: { total: 7 } });
    });

    it("streamed pieces equal the SDK's text-delta parts one by one", async () => {
      const body = fakeStream(reply("one two three four five six"), 6);
      const theirs = await sdkReading(config, body, { stream: true });
      const mine = wireReading(formatFor(config), body, { stream: true });
      expect(theirs.pieces.length).toBe(6);
      expect(mine.pieces).toEqual(theirs.pieces);
    });

    it("an empty text", async () => {
      expect(await expectSame(config, fakeJson(reply("")), false)).toMatchObject({ text: "" });
      expect(await expectSame(config, fakeStream(reply(""), 3), true)).toMatchObject({ text: "", pieces: [] });
    });
  });

  describe("usage", () => {
    it.each([false, true])("cache and reasoning details (stream: %s)", async (stream) => {
      const body = stream
        ? chunk({ content: "Hi" }) + chunk({}, "stop") + usageChunk(DETAILED_USAGE) + DONE
        : answer({ content: "Hi" }, "stop", { usage: DETAILED_USAGE });
      const theirs = await expectSame(config, body, stream);
      expect(theirs.usage).toEqual({
        inputTokens: { total: 120, noCache: 20, cacheRead: 100, cacheWrite: undefined },
        outputTokens: { total: 50, text: 20, reasoning: 30 },
        raw: DETAILED_USAGE,
      });
    });

    it.each([false, true])("no usage at all (stream: %s)", async (stream) => {
      const body = stream
        ? chunk({ content: "Hi" }, "stop") + DONE
        : JSON.stringify({ ...JSON.parse(answer({ content: "Hi" })), usage: undefined });
      expect((await expectSame(config, body, stream)).usage).toMatchObject({ raw: undefined });
    });

    it.each([false, true])("usage with nulls, and reasoning above the total (stream: %s)", async (stream) => {
      const usage = {
        prompt_tokens: null,
        completion_tokens: 3,
        prompt_tokens_details: null,
        completion_tokens_details: { reasoning_tokens: 5 },
      };
      const body = stream
        ? chunk({ content: "Hi" }, "stop") + usageChunk(usage)
        : answer({ content: "Hi" }, "stop", { usage });
      const theirs = await expectSame(config, body, stream);
      expect(theirs.usage).toMatchObject({ inputTokens: { total: 0 }, outputTokens: { text: 0, reasoning: 5 } });
    });

    it("an empty usage object", async () => {
      await expectSame(config, answer({ content: "Hi" }, "stop", { usage: {} }), false);
    });

    it("the last usage wins, usage on the finish chunk (vLLM, Ollama)", async () => {
      const body =
        chunk({ content: "Hi" }, null, { usage: { prompt_tokens: 1, completion_tokens: 1 } }) +
        chunk({}, "stop", { usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });
      expect((await expectSame(config, body, true)).usage).toMatchObject({ inputTokens: { total: 3 } });
    });
  });

  describe("finish reasons", () => {
    const MAPPED = [
      ["stop", "stop"],
      ["length", "length"],
      ["content_filter", "content-filter"],
      ["tool_calls", "tool-calls"],
      ["function_call", "tool-calls"],
      ["eos", "other"],
      ["", "other"],
    ] as const;

    it.each(MAPPED)("%j → %s, not streamed", async (raw, unified) => {
      const theirs = await expectSame(config, answer({ content: "Hi" }, raw), false);
      expect(theirs.finishReason).toEqual({ unified, raw });
    });

    it.each(MAPPED)("%j → %s, streamed", async (raw, unified) => {
      const theirs = await expectSame(config, chunk({ content: "Hi" }) + chunk({}, raw) + DONE, true);
      // A raw "" is a finish reason for both SDKs (`!= null`): it maps to other and is kept as "".
      expect(theirs.finishReason).toEqual({ unified, raw });
    });

    it("no finish reason in a non-streamed answer → other", async () => {
      const theirs = await expectSame(config, answer({ content: "Hi" }, null), false);
      expect(theirs.finishReason).toEqual({ unified: "other", raw: undefined });
    });

    it("a later finish reason replaces an earlier one", async () => {
      const theirs = await expectSame(config, chunk({ content: "Hi" }, "length") + chunk({}, "stop"), true);
      expect(theirs.finishReason).toEqual({ unified: "stop", raw: "stop" });
    });
  });

  describe("refusals (the refusal is text, and a refusal with stop is a content filter)", () => {
    it("not streamed", async () => {
      const theirs = await expectSame(config, answer({ content: null, refusal: "I can't help with that." }), false);
      expect(theirs).toMatchObject({
        text: "I can't help with that.",
        finishReason: { unified: "content-filter", raw: "stop" },
      });
    });

    it("not streamed, after some content", async () => {
      const theirs = await expectSame(config, answer({ content: "Well. ", refusal: "No." }), false);
      expect(theirs).toMatchObject({ text: "Well. No." });
    });

    it("an empty refusal is none", async () => {
      const theirs = await expectSame(config, answer({ content: "Hi", refusal: "" }), false);
      expect(theirs.finishReason).toEqual({ unified: "stop", raw: "stop" });
    });

    it("streamed", async () => {
      const body = chunk({ role: "assistant", content: "" }) + chunk({ refusal: "I can" }) + chunk({ refusal: "not." });
      const theirs = await expectSame(config, `${body}${chunk({}, "stop")}${DONE}`, true);
      expect(theirs).toMatchObject({ pieces: ["I can", "not."], finishReason: { unified: "content-filter" } });
    });

    it("streamed, with length: a refusal only changes stop", async () => {
      const theirs = await expectSame(config, chunk({ refusal: "No" }) + chunk({}, "length"), true);
      expect(theirs.finishReason).toEqual({ unified: "length", raw: "length" });
    });

    it("content and refusal in one delta: two pieces, content first", async () => {
      const theirs = await expectSame(config, chunk({ content: "Hm. ", refusal: "No." }, "stop"), true);
      expect(theirs.pieces).toEqual(["Hm. ", "No."]);
    });
  });

  describe("reasoning is not text", () => {
    it("reasoning_content and reasoning, not streamed", async () => {
      const body = answer({ content: "Answer.", reasoning_content: "Let me think." });
      expect(await expectSame(config, body, false)).toMatchObject({ text: "Answer." });
      expect(
        await expectSame(config, answer({ content: "Answer.", reasoning: "gpt-oss thinks" }), false),
      ).toMatchObject({ text: "Answer." });
    });

    it("reasoning_content deltas, then text", async () => {
      const body =
        chunk({ role: "assistant", reasoning_content: "Let me " }) +
        chunk({ reasoning_content: "think." }) +
        chunk({ reasoning: "More." }) +
        chunk({ content: "Answer" }) +
        chunk({ content: "." }) +
        chunk({}, "stop") +
        usageChunk(DETAILED_USAGE) +
        DONE;
      expect(await expectSame(config, body, true)).toMatchObject({ pieces: ["Answer", "."] });
    });
  });

  describe("errors and unreadable answers", () => {
    it("an error chunk after some text: the provider's error object as sent", async () => {
      const body = chunk({ role: "assistant", content: "" }) + chunk({ content: "Hal" }) + sse(STREAM_ERROR);
      expect(await expectSame(config, body, true)).toEqual({ error: STREAM_ERROR.error });
    });

    it("the first error wins, later chunks do not matter", async () => {
      const second = { error: { message: "second", type: "x" } };
      const body = `${chunk({ content: "Hi" })}${sse(STREAM_ERROR)}${sse(second)}${chunk({}, "stop")}`;
      expect(await expectSame(config, body, true)).toEqual({ error: STREAM_ERROR.error });
    });

    it("malformed JSON in one event", async () => {
      const body = `${chunk({ content: "Hi" })}data: {"id": "x", choices: [\n\n${chunk({}, "stop")}${DONE}`;
      expect(await expectSame(config, body, true)).toEqual({ error: { malformed: true } });
    });

    it("malformed JSON before an error chunk: the malformed one comes first", async () => {
      const body = `${chunk({ content: "Hi" })}data: nope\n\n${sse(STREAM_ERROR)}`;
      expect(await expectSame(config, body, true)).toEqual({ error: { malformed: true } });
    });

    it.each([
      ["no choices key", { ...META, usage: { prompt_tokens: 1 } }],
      ["choices not a list", { ...META, choices: {} }],
      ["content a number", { ...META, choices: [{ index: 0, delta: { content: 5 } }] }],
      ["a chunk that is a list", [1, 2]],
      ["usage not an object", { ...META, choices: [], usage: "lots" }],
      ["an empty object", {}],
    ])("a chunk the schema refuses: %s", async (_name, bad) => {
      const body = `${chunk({ content: "Hi" })}${sse(bad)}${chunk({}, "stop")}`;
      expect(await expectSame(config, body, true)).toEqual({ error: { malformed: true } });
    });

    it("a first chunk whose id is a number", async () => {
      const body = sse({ ...META, id: 5, choices: [{ index: 0, delta: { content: "Hi" }, finish_reason: "stop" }] });
      expect(await expectSame(config, body, true)).toEqual({ error: { malformed: true } });
    });

    it.each([
      ["not JSON", "oops"],
      ["no choices", JSON.stringify({ id: "x", choices: [] })],
      ["choices missing", JSON.stringify({ id: "x" })],
      ["an error object with status 200", JSON.stringify(STREAM_ERROR)],
      ["a choice without message", JSON.stringify({ choices: [{ index: 0, finish_reason: "stop" }] })],
      ["content a number", answer({ content: 5 })],
      ["usage not an object", answer({ content: "Hi" }, "stop", { usage: 5 })],
      [
        "cached_tokens a string",
        answer({ content: "Hi" }, "stop", { usage: { prompt_tokens_details: { cached_tokens: "1" } } }),
      ],
      ["created a string", answer({ content: "Hi" }, "stop", { created: "today" })],
      ["finish_reason a number", answer({ content: "Hi" }, 5 as unknown as string)],
      ["a list", "[]"],
    ])("a malformed body: %s", async (_name, body) => {
      expect(await expectSame(config, body, false)).toEqual({ error: { malformed: true } });
    });
  });

  describe("what the decoder ignores", () => {
    it("fields that are not text: logprobs, system_fingerprint, service_tier, url citations", async () => {
      const logprobs = { content: [{ token: "Hi", logprob: -0.1, top_logprobs: [] }], refusal: null };
      const annotations = [
        { type: "url_citation", url_citation: { start_index: 0, end_index: 2, url: "https://x.test", title: "X" } },
      ];
      const body =
        sse({
          ...META,
          system_fingerprint: "fp_1",
          service_tier: "default",
          choices: [
            { index: 0, delta: { role: "assistant", content: "Hi", annotations }, logprobs, finish_reason: null },
          ],
        }) + chunk({}, "stop");
      expect(await expectSame(config, body, true)).toMatchObject({ text: "Hi" });
      const json = answer({ content: "Hi", annotations }, "stop", { system_fingerprint: "fp_1" });
      expect(await expectSame(config, json, false)).toMatchObject({ text: "Hi" });
    });

    it("a role-only first delta, a delta of null, events after [DONE]", async () => {
      const body =
        chunk({ role: "assistant" }) +
        sse({ ...META, choices: [{ index: 0, delta: null, finish_reason: null }] }) +
        chunk({ content: "Hi" }) +
        DONE +
        chunk({ content: "!" }, "stop");
      expect(await expectSame(config, body, true)).toMatchObject({ pieces: ["Hi", "!"] });
    });

    it("an event name (event: ping) does not matter, its data is read", async () => {
      const body = `event: ping\n${chunk({ content: "Hi" })}${chunk({}, "stop")}`;
      expect(await expectSame(config, body, true)).toMatchObject({ text: "Hi" });
    });
  });

  describe("server-sent events on the wire", () => {
    const PLAIN = chunk({ content: "Hel" }) + chunk({ content: "lo" }) + chunk({}, "stop") + usageChunk(DETAILED_USAGE);

    it("CRLF line ends", async () => {
      const body = `${PLAIN}${DONE}`.replaceAll("\n", "\r\n");
      expect(await expectSame(config, body, true)).toMatchObject({ pieces: ["Hel", "lo"] });
    });

    it("CR line ends", async () => {
      const body = `${PLAIN}${DONE}`.replaceAll("\n", "\r");
      expect(await expectSame(config, body, true)).toMatchObject({ pieces: ["Hel", "lo"] });
    });

    it("`data:` without a space", async () => {
      const body = `${PLAIN}${DONE}`.replaceAll("data: ", "data:");
      expect(await expectSame(config, body, true)).toMatchObject({ pieces: ["Hel", "lo"] });
    });

    it("comment lines (keep-alives, OpenRouter's processing notes), id: and retry: fields", async () => {
      const body = `: OPENROUTER PROCESSING\n\n${chunk({ content: "Hel" })}:ping\nid: 4\nretry: 100\n${chunk({ content: "lo" })}${chunk({}, "stop")}${DONE}`;
      expect(await expectSame(config, body, true)).toMatchObject({ pieces: ["Hel", "lo"] });
    });

    it("a chunk's JSON split over two data: lines (joined with a newline, still JSON)", async () => {
      const json = JSON.stringify({
        ...META,
        choices: [{ index: 0, delta: { content: "Hi" }, finish_reason: "stop" }],
      });
      const cut = json.indexOf(",") + 1; // between two members, where a newline is only white space
      const body = `data: ${json.slice(0, cut)}\ndata: ${json.slice(cut)}\n\n`;
      expect(await expectSame(config, body, true)).toMatchObject({ text: "Hi" });
    });

    it("[DONE] missing", async () => {
      expect(await expectSame(config, PLAIN, true)).toMatchObject({ text: "Hello" });
    });

    it("a final event without its blank line is never dispatched (both parsers drop it)", async () => {
      const body = PLAIN.slice(0, -1);
      const theirs = await expectSame(config, body, true);
      // The usage chunk was the last event: nobody saw it.
      expect(theirs.usage).toMatchObject({ raw: undefined });
    });

    it("a chunk whose choices are empty, with usage only", async () => {
      const body = chunk({ content: "Hi" }, "stop") + usageChunk({ prompt_tokens: 5, completion_tokens: 1 }) + DONE;
      expect((await expectSame(config, body, true)).usage).toMatchObject({ inputTokens: { total: 5 } });
    });

    // The SDK decodes bytes with a TextDecoderStream (streamed) or Response.text() (not streamed),
    // which drop a BOM; eventsource-parser's own BOM check looks for the UTF-8 bytes as char codes,
    // so index.ts (and wireReading) drop a leading U+FEFF themselves.
    agreed("a byte-order mark before the first event is dropped", config, `\uFEFF${PLAIN}`, true, {
      pieces: ["Hel", "lo"],
    });
    agreed(
      "a byte-order mark before a non-streamed body is dropped",
      config,
      `\uFEFF${answer({ content: "Hi" })}`,
      false,
      { text: "Hi" },
    );
  });
});

// ---- openai-compatible only -----------------------------------------------------------------

describe("chat completions read as the SDK's openai-compatible model does (only there)", () => {
  const config = COMPATIBLE;

  it("content as a list of parts: text parts are text, thinking parts are not", async () => {
    const content = [
      { type: "thinking", thinking: [{ type: "text", text: "hmm" }] },
      { type: "text", text: "Hello" },
      { type: "image_url", image_url: { url: "x" } },
      { type: "reasoning", text: "a part of another type, with a text: not text" },
      { type: "text", text: " there" },
    ];
    expect(await expectSame(config, answer({ content }), false)).toMatchObject({ text: "Hello there" });
  });

  it("content parts in a delta (one part per delta, as Mistral sends them)", async () => {
    const body =
      chunk({ content: [{ type: "thinking", thinking: [{ type: "text", text: "hmm" }] }] }) +
      chunk({ content: [{ type: "text", text: "Hel" }] }) +
      chunk({ content: [{ type: "text", text: "lo" }] }) +
      chunk({ content: [{ type: "refusal", text: "not text either" }] }) +
      chunk({}, "stop");
    expect(await expectSame(config, body, true)).toMatchObject({ pieces: ["Hel", "lo"] });
  });

  it("a content part without a type is refused", async () => {
    const body = chunk({ content: [{ text: "Hi" }] }, "stop");
    expect(await expectSame(config, body, true)).toEqual({ error: { malformed: true } });
    expect(await expectSame(config, answer({ content: [{ text: "Hi" }] }), false)).toEqual({
      error: { malformed: true },
    });
  });

  it("a refusal that is not a string is ignored, streamed (some servers send false)", async () => {
    expect(await expectSame(config, chunk({ content: "Hi", refusal: false }, "stop"), true)).toMatchObject({
      text: "Hi",
      finishReason: { unified: "stop" },
    });
  });

  it('a delta with role "" and choices without index', async () => {
    const body = chunk({ role: "", content: "Hi" }) + sse({ ...META, choices: [{ delta: {}, finish_reason: "stop" }] });
    expect(await expectSame(config, body, true)).toMatchObject({ text: "Hi" });
    const json = JSON.stringify({ id: "x", choices: [{ message: { content: "Hi" }, finish_reason: "stop" }] });
    expect(await expectSame(config, json, false)).toMatchObject({ text: "Hi", response: { id: "x" } });
  });

  it("created 0 is a timestamp (1970)", async () => {
    const body = sse({
      ...META,
      created: 0,
      choices: [{ index: 0, delta: { content: "Hi" }, finish_reason: "stop" }],
    });
    expect((await expectSame(config, body, true)).response).toMatchObject({ timestamp: "1970-01-01T00:00:00.000Z" });
    expect((await expectSame(config, answer({ content: "Hi" }, "stop", { created: 0 }), false)).response).toMatchObject(
      { timestamp: "1970-01-01T00:00:00.000Z" },
    );
  });

  it("metadata comes from the first chunk, even when it has none", async () => {
    const body = sse({ choices: [{ index: 0, delta: { content: "Hi" }, finish_reason: null }] }) + chunk({}, "stop");
    expect((await expectSame(config, body, true)).response).toEqual({});
  });

  it("a stream that ends without a finish reason is refused", async () => {
    const body =
      chunk({ role: "assistant", content: "" }) + chunk({ content: "Hi" }) + usageChunk(DETAILED_USAGE) + DONE;
    expect(await expectSame(config, body, true)).toEqual({ error: { malformed: true } });
  });

  it("a final finish event without its blank line is lost, so the stream has no finish", async () => {
    const body = (chunk({ content: "Hi" }) + chunk({}, "stop")).slice(0, -1);
    expect(await expectSame(config, body, true)).toEqual({ error: { malformed: true } });
  });

  it.each([
    ["an empty body", ""],
    ["comments only", ": keep-alive\n\n"],
  ])("%s is refused (no finish)", async (_name, body) => {
    expect(await expectSame(config, body, true)).toEqual({ error: { malformed: true } });
  });

  it("an error chunk before any text: the provider's error object", async () => {
    const body = chunk({ role: "assistant", content: "" }) + sse(STREAM_ERROR);
    expect(await expectSame(config, body, true)).toEqual({ error: STREAM_ERROR.error });
  });

  it("a chunk with both choices and error is an error, whatever the error is", async () => {
    const body = `${chunk({ content: "Hi" })}${sse({ ...META, choices: [], error: "boom" })}${chunk({}, "stop")}`;
    expect(await expectSame(config, body, true)).toEqual({ error: "boom" });
  });

  it("usage keys the SDK does not know stay in raw (looseObject)", async () => {
    const usage = {
      prompt_tokens: 10,
      completion_tokens: 5,
      cost: 0.001,
      prompt_tokens_details: { cached_tokens: 4, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 2, audio_tokens: 0 },
    };
    const body = chunk({ content: "Hi" }, "stop") + usageChunk(usage);
    expect((await expectSame(config, body, true)).usage).toMatchObject({ raw: usage });
    expect((await expectSame(config, answer({ content: "Hi" }, "stop", { usage }), false)).usage).toMatchObject({
      raw: usage,
    });
  });

  it("cache_write_tokens is not read (cacheWrite stays undefined)", async () => {
    const usage = {
      prompt_tokens: 10,
      completion_tokens: 5,
      prompt_tokens_details: { cached_tokens: 4, cache_write_tokens: 3 },
    };
    const theirs = await expectSame(config, chunk({ content: "Hi" }, "stop") + usageChunk(usage), true);
    expect(theirs.usage).toMatchObject({ inputTokens: { noCache: 6, cacheWrite: undefined } });
  });

  it("audio.transcript is not text", async () => {
    const body = answer({ content: null, audio: { transcript: "spoken" } });
    expect(await expectSame(config, body, false)).toMatchObject({ text: "" });
  });

  // Where the decoder is looser than the SDK's zod schemas or reads a field differently:
  agreed(
    "a refusal that is not a string, not streamed, is ignored (the SDK's `z.unknown().transform`)",
    config,
    answer({ content: "Hi", refusal: false }),
    false,
    {
      text: "Hi",
      finishReason: { unified: "stop", raw: "stop" },
    },
  );
  agreed(
    "an error chunk whose error is not {message: string,…} and has no choices is malformed",
    config,
    chunk({ content: "Hi" }) + sse({ error: "boom" }),
    true,
    { error: { malformed: true } },
  );
  agreed("the same with error: null", config, chunk({ content: "Hi" }) + sse({ error: null }), true, {
    error: { malformed: true },
  });
  agreed(
    "an error object with keys beyond message/type/param/code (OpenRouter's metadata) loses them, as the SDK's error schema (z.object) strips them",
    config,
    chunk({ content: "Hi" }) +
      sse({ error: { message: "Upstream failed", code: 502, metadata: { provider_name: "X", raw: "…" } } }),
    true,
    { error: { message: "Upstream failed", code: 502 } },
  );
  agreed(
    "two text parts in one delta are two pieces, one text-delta per part",
    config,
    chunk(
      {
        content: [
          { type: "text", text: "Hel" },
          { type: "text", text: "lo" },
        ],
      },
      "stop",
    ),
    true,
    { pieces: ["Hel", "lo"] },
  );
  for (const [name, bad] of [
    ["a choice that is null", { ...META, choices: [null] }],
    ["a delta that is a string", { ...META, choices: [{ index: 0, delta: "x" }] }],
    [
      "a finish_reason that is a number (the decoder keeps String(5))",
      { ...META, choices: [{ index: 0, delta: {}, finish_reason: 5 }] },
    ],
    ["reasoning_content that is a number", { ...META, choices: [{ index: 0, delta: { reasoning_content: 5 } }] }],
    ["a delta role other than assistant", { ...META, choices: [{ index: 0, delta: { role: "user" } }] }],
    ["malformed tool_calls", { ...META, choices: [{ index: 0, delta: { tool_calls: [{ index: 0 }] } }] }],
    [
      "an id that is a number in a later chunk (only the first chunk's metadata is checked)",
      { ...META, id: 5, choices: [] },
    ],
    ["usage not an object in a chunk whose usage is later replaced", { ...META, choices: [], usage: "lots" }],
    [
      "a second choice that is malformed",
      {
        ...META,
        choices: [
          { index: 0, delta: {} },
          { index: 1, delta: 7 },
        ],
      },
    ],
  ] as const)
    divergence(
      `a chunk the SDK's schema refuses, the decoder accepts: ${name}`,
      config,
      `${chunk({ content: "Hi" })}${sse(bad)}${chunk({}, "stop", { usage: { prompt_tokens: 1 } })}`,
      true,
      { error: { malformed: true } },
    );
  for (const [name, body] of [
    ["message.role user", answer({ role: "user", content: "Hi" })],
    ["malformed tool_calls", answer({ content: "Hi", tool_calls: [{ id: "x" }] })],
    ["reasoning_content a number", answer({ content: "Hi", reasoning_content: 5 })],
    [
      "a second choice that is malformed",
      JSON.stringify({ choices: [{ index: 0, message: { content: "Hi" }, finish_reason: "stop" }, { index: 1 }] }),
    ],
  ] as const)
    divergence(`a body the SDK's schema refuses, the decoder accepts: ${name}`, config, body, false, {
      error: { malformed: true },
    });
});
