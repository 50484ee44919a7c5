// readTakenAnswer over a hand-made TakenAnswer (chunk boundaries, BOM, a throwing listener, body
// errors, unreadable bodies) and wireFormatOf (which provider kind is read by which decoder). The
// decoders themselves are compared with the SDK in their own tests (./*.test.ts).
import { describe, expect, it } from "vitest";
import type { ProviderConfig } from "../config";
import type { BodySink, TakenAnswer } from "../egress-fetch";
import { anthropicWire } from "./anthropic";
import { googleWire } from "./google";
import { MalformedAnswerError, readTakenAnswer, wireFormatOf } from "./index";
import { openaiChatWire } from "./openai-chat";
import { openaiResponsesWire } from "./openai-responses";
import { sdkReading } from "./testing";
import type { SseEvent, WireAnswer, WireFormat } from "./types";

/** A TakenAnswer the test drives: `sink()` is what readTakenAnswer passed to `read`. */
function handMade() {
  const state = { sink: undefined as BodySink | undefined, reads: 0, cancels: 0 };
  const answer: TakenAnswer = {
    status: 200,
    headers: { "content-type": "text/event-stream" },
    read(sink) {
      state.reads += 1;
      state.sink = sink;
    },
    cancel() {
      state.cancels += 1;
    },
  };
  const sink = () => {
    if (!state.sink) throw new Error("read() was not called");
    return state.sink;
  };
  return { answer, state, sink };
}

/** `text` as UTF-8, cut at the given byte offsets. */
function cutAt(text: string, offsets: number[]): Buffer[] {
  const bytes = Buffer.from(text, "utf8");
  const out: Buffer[] = [];
  let from = 0;
  for (const o of [...offsets, bytes.length]) {
    out.push(bytes.subarray(from, o));
    from = o;
  }
  return out;
}

const BOM = "\uFEFF";
const COMPATIBLE: ProviderConfig = { name: "p", kind: "openai-compatible", baseUrl: "http://127.0.0.1:9/v1" };
const chunk = (content: string) =>
  `data: ${JSON.stringify({ id: "c1", created: 1, model: "m", choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
const finish = `data: ${JSON.stringify({
  id: "c1",
  created: 1,
  model: "m",
  choices: [{ index: 0, delta: {}, finish_reason: "stop" }],
  usage: { prompt_tokens: 3, completion_tokens: 2 },
})}\n\ndata: [DONE]\n\n`;
const whole = (content: string) =>
  JSON.stringify({
    id: "c1",
    created: 1,
    model: "m",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: 3, completion_tokens: 2 },
  });

/** Feeds `chunks` then ends; the answer and the texts `onText` got (streamed when `stream`). */
async function readAll(chunks: Buffer[], stream: boolean): Promise<{ answer: WireAnswer; texts: string[] }> {
  const t = handMade();
  const texts: string[] = [];
  const reading = readTakenAnswer(t.answer, openaiChatWire, stream ? (x) => texts.push(x) : undefined);
  expect(t.state.reads).toBe(1);
  for (const c of chunks) t.sink().chunk(c);
  t.sink().end();
  const answer = await reading;
  expect(t.state.cancels).toBe(0);
  return { answer, texts };
}

describe("readTakenAnswer", () => {
  it("streamed: a multi-byte character split across two chunks arrives whole", async () => {
    const body = chunk("caf\u00e9 \u20ac5 \u{1F600}") + finish;
    const bytes = Buffer.from(body, "utf8");
    const euro = bytes.indexOf(Buffer.from("\u20ac", "utf8"));
    const emoji = bytes.indexOf(Buffer.from("\u{1F600}", "utf8"));
    // the euro sign (3 bytes) cut after its first byte, the emoji (4 bytes) after its second
    const { answer, texts } = await readAll(cutAt(body, [euro + 1, emoji + 2]), true);
    expect(texts).toEqual(["caf\u00e9 \u20ac5 \u{1F600}"]);
    expect(answer.text).toBe("caf\u00e9 \u20ac5 \u{1F600}");
    expect(answer.finishReason).toEqual({ unified: "stop", raw: "stop" });
  });

  it("streamed: a character split at every byte boundary (one byte per chunk)", async () => {
    const body = chunk("\u00fcber \u20ac") + chunk("\u{1F600}!") + finish;
    const bytes = Buffer.from(body, "utf8");
    const { answer, texts } = await readAll(
      [...bytes].map((b) => Buffer.from([b])),
      true,
    );
    expect(texts).toEqual(["\u00fcber \u20ac", "\u{1F600}!"]);
    expect(answer.text).toBe("\u00fcber \u20ac\u{1F600}!");
  });

  it("not streamed: a multi-byte character split across two chunks arrives whole", async () => {
    const body = whole("na\u00efve \u20ac \u{1F600}");
    const bytes = Buffer.from(body, "utf8");
    const euro = bytes.indexOf(Buffer.from("\u20ac", "utf8"));
    const emoji = bytes.indexOf(Buffer.from("\u{1F600}", "utf8"));
    const { answer, texts } = await readAll(cutAt(body, [euro + 2, emoji + 3]), false);
    expect(texts).toEqual([]);
    expect(answer.text).toBe("na\u00efve \u20ac \u{1F600}");
    expect(answer.usage.inputTokens.total).toBe(3);
    expect(answer.usage.outputTokens.total).toBe(2);
    expect(answer.response?.id).toBe("c1");
  });

  it("streamed: a UTF-8 BOM at the start is dropped (whole, or split over chunks)", async () => {
    const body = BOM + chunk("first") + chunk("second") + finish;
    const one = await readAll([Buffer.from(body, "utf8")], true);
    expect(one.texts).toEqual(["first", "second"]);
    // the BOM's three bytes in three chunks: the decoder yields nothing until the character is whole
    const split = await readAll(cutAt(body, [1, 2, 3, 10]), true);
    expect(split.texts).toEqual(["first", "second"]);
    expect(split.answer.text).toBe("firstsecond");
  });

  it("streamed: only a BOM at the very start is dropped, not one starting a later chunk", async () => {
    const body = chunk(`a${BOM}b`) + finish;
    const bytes = Buffer.from(body, "utf8");
    const at = bytes.indexOf(Buffer.from(BOM, "utf8"));
    const { texts } = await readAll(cutAt(body, [at]), true);
    expect(texts).toEqual([`a${BOM}b`]);
  });

  it("not streamed: a UTF-8 BOM at the start is dropped", async () => {
    const body = BOM + whole("hello");
    const { answer } = await readAll(cutAt(body, [2]), false);
    expect(answer.text).toBe("hello");
  });

  it("a throwing onText cancels the answer and rejects with that error; later body events change nothing", async () => {
    const t = handMade();
    const boom = new Error("listener failed");
    const got: string[] = [];
    const reading = readTakenAnswer(t.answer, openaiChatWire, (x) => {
      got.push(x);
      throw boom;
    });
    const settled = reading.then(
      (v) => ({ resolved: v }),
      (e: unknown) => ({ rejected: e }),
    );
    t.sink().chunk(Buffer.from(chunk("one")));
    expect(t.state.cancels).toBe(1);
    // what the connection still delivers after the cancel is not read
    t.sink().chunk(Buffer.from(chunk("two")));
    t.sink().chunk(Buffer.from(finish));
    t.sink().end();
    t.sink().error(new Error("closed after cancel"));
    expect(await settled).toEqual({ rejected: boom });
    expect(got).toEqual(["one"]);
    expect(t.state.cancels).toBe(1);
  });

  it("after a throwing onText, the decoder is neither fed nor ended", async () => {
    const t = handMade();
    const events: string[] = [];
    let ends = 0;
    const spy: WireFormat = {
      readAnswer: () => {
        throw new Error("not used");
      },
      streamAnswer: () => ({
        push(event: SseEvent, onText) {
          events.push(event.data);
          onText(event.data);
        },
        end() {
          ends += 1;
          return { text: "", finishReason: { unified: "stop", raw: "stop" }, usage: {} as WireAnswer["usage"] };
        },
      }),
    };
    const boom = new Error("no more");
    const reading = readTakenAnswer(t.answer, spy, () => {
      throw boom;
    });
    t.sink().chunk(Buffer.from("data: 1\n\n"));
    t.sink().chunk(Buffer.from("data: 2\n\n"));
    t.sink().end();
    await expect(reading).rejects.toBe(boom);
    expect(events).toEqual(["1"]);
    expect(ends).toBe(0);
    expect(t.state.cancels).toBe(1);
  });

  it("an error from the body rejects with it (streamed and not)", async () => {
    for (const stream of [true, false]) {
      const t = handMade();
      const texts: string[] = [];
      const reading = readTakenAnswer(t.answer, openaiChatWire, stream ? (x) => texts.push(x) : undefined);
      t.sink().chunk(Buffer.from(stream ? chunk("partial") : whole("partial").slice(0, 20)));
      const broken = new Error(`connection broke (stream: ${stream})`);
      t.sink().error(broken);
      await expect(reading).rejects.toBe(broken);
      expect(texts).toEqual(stream ? ["partial"] : []);
    }
  });

  it("a body that is not JSON is a MalformedAnswerError (also an empty one)", async () => {
    for (const body of ["<html>Bad gateway</html>", "", '{"choices": ['] as const) {
      const t = handMade();
      const reading = readTakenAnswer(t.answer, openaiChatWire, undefined);
      if (body) t.sink().chunk(Buffer.from(body));
      t.sink().end();
      await expect(reading).rejects.toBeInstanceOf(MalformedAnswerError);
    }
  });

  it("the decoder's error at the end rejects: a chat stream without a finish reason", async () => {
    const t = handMade();
    const texts: string[] = [];
    const reading = readTakenAnswer(t.answer, openaiChatWire, (x) => texts.push(x));
    t.sink().chunk(Buffer.from(`${chunk("cut short")}data: [DONE]\n\n`));
    t.sink().end();
    const err = await reading.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MalformedAnswerError);
    expect((err as Error).message).toMatch(/finish reason/);
    expect(texts).toEqual(["cut short"]);
    expect(t.state.cancels).toBe(0);
  });

  it("a provider's error inside the stream rejects with that error as sent", async () => {
    const t = handMade();
    const reading = readTakenAnswer(t.answer, openaiChatWire, () => {});
    t.sink().chunk(
      Buffer.from(`data: ${JSON.stringify({ error: { message: "overloaded", type: "server_error" } })}\n\n`),
    );
    t.sink().end();
    await expect(reading).rejects.toEqual({ message: "overloaded", type: "server_error" });
  });

  it("like the SDK's reading, an event without its closing blank line is not read at the end", async () => {
    // eventsource-parser dispatches an event at its blank line; the SDK's EventSourceParserStream
    // does not flush a pending one when the body ends, and neither does readTakenAnswer
    const body = chunk("x") + finish.replace(/\n\ndata: \[DONE\]\n\n$/, "\n");
    const sdk = await sdkReading(COMPATIBLE, body, { stream: true });
    expect(sdk.error).toEqual({ malformed: true });
    const t = handMade();
    const reading = readTakenAnswer(t.answer, openaiChatWire, () => {});
    t.sink().chunk(Buffer.from(body));
    t.sink().end();
    await expect(reading).rejects.toBeInstanceOf(MalformedAnswerError);
    // with its blank line, the same event is read
    const { answer } = await readAll([Buffer.from(`${body}\n`)], true);
    expect(answer.finishReason.unified).toBe("stop");
  });
});

describe("wireFormatOf", () => {
  const config = (over: Partial<ProviderConfig> & Pick<ProviderConfig, "kind">): ProviderConfig => ({
    name: "p",
    ...over,
  });
  const plain = { structuredOutput: false };
  const structured = { structuredOutput: true };

  it("reads each kind with its own decoder", () => {
    expect(wireFormatOf(config({ kind: "openai-compatible", baseUrl: "http://x/v1" }), plain)).toBe(openaiChatWire);
    expect(wireFormatOf(config({ kind: "openai" }), plain)).toBe(openaiResponsesWire);
    expect(wireFormatOf(config({ kind: "openai", api: "responses" }), plain)).toBe(openaiResponsesWire);
    expect(wireFormatOf(config({ kind: "anthropic" }), plain)).toBe(anthropicWire);
    expect(wireFormatOf(config({ kind: "google" }), plain)).toBe(googleWire);
  });

  it("structured output is read by the decoder too, except Anthropic's", () => {
    expect(wireFormatOf(config({ kind: "openai-compatible", baseUrl: "http://x/v1" }), structured)).toBe(
      openaiChatWire,
    );
    expect(wireFormatOf(config({ kind: "openai" }), structured)).toBe(openaiResponsesWire);
    expect(wireFormatOf(config({ kind: "google" }), structured)).toBe(googleWire);
    expect(wireFormatOf(config({ kind: "anthropic" }), structured)).toBeUndefined();
  });

  it("OpenAI's chat completions stay with the SDK", () => {
    expect(wireFormatOf(config({ kind: "openai", api: "chat" }), plain)).toBeUndefined();
    expect(wireFormatOf(config({ kind: "openai", api: "chat" }), structured)).toBeUndefined();
  });
});
