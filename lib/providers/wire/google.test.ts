/**
 * The Gemini decoder against @ai-sdk/google's own reading of the same bytes (see ./testing.ts).
 */
import { APICallError } from "ai";
import { describe, expect, it } from "vitest";
import { google } from "@/tests/fake-provider/google";
import { type Reply, sse } from "@/tests/fake-provider/protocol";
import type { ProviderConfig } from "../config";
import { resolveLanguageModel } from "../registry";
import { googleWire } from "./google";
import { answerOf, expectAgreement, sdkReading, thrownBy, wireReading } from "./testing";

const config = { name: "p", kind: "google", baseUrl: "http://127.0.0.1:9/v1beta" } as ProviderConfig;

const reply = (over: Partial<Reply> = {}): Reply => ({
  id: "resp-1",
  model: "gemini-2.5-flash",
  text: "Hello there, how are you today?",
  toolCalls: [],
  usage: { inputTokens: 12, outputTokens: 7 },
  ...over,
});

const sseOf = (...chunks: unknown[]) => chunks.map((chunk) => sse(chunk)).join("");

/** A chunk (or body) whose first candidate has `parts`, plus `extra` fields on the candidate. */
const withParts = (parts: unknown[], candidate: Record<string, unknown> = {}, top: Record<string, unknown> = {}) => ({
  candidates: [{ content: { role: "model", parts }, index: 0, ...candidate }],
  ...top,
});

const usage = { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 };

/** Both readings of `bytes`; they must agree. Returns the SDK's, to check what it is by hand. */
const agree = (bytes: string, stream: boolean) => expectAgreement(config, googleWire, bytes, { stream });

describe("googleWire: the fake provider's answers", () => {
  for (const text of ["Hello there, how are you today?", "x", "ünïcødé 🎉 text with\nnew lines"])
    it(`reads a plain answer (${JSON.stringify(text.slice(0, 8))})`, async () => {
      const r = answerOf(await agree(JSON.stringify(google.json(reply({ text }))), false));
      expect(r.text).toBe(text);
      expect(r.finishReason).toEqual({ unified: "stop", raw: "STOP" });
      expect(r.response?.id).toBe("resp-1");
    });

  for (const chunks of [1, 2, 3, 7, 40])
    it(`reads a plain stream in ${chunks} chunk(s)`, async () => {
      const r = answerOf(await agree(google.frames(reply(), chunks).join(""), true));
      expect(r.text).toBe(reply().text);
      expect(r.pieces?.length).toBe(Math.min(chunks, reply().text.length));
      expect(r.usage?.inputTokens.total).toBe(12);
    });

  it("hands out the same pieces as the SDK's text-delta parts, one by one", async () => {
    const bytes = google.frames(reply(), 6).join("");
    const sdk = await sdkReading(config, bytes, { stream: true });
    const wire = wireReading(googleWire, bytes, { stream: true });
    expect(sdk.pieces.length).toBe(6);
    expect(wire.pieces).toEqual(sdk.pieces);
  });

  it("reads an empty text, whole and streamed", async () => {
    const empty = reply({ text: "" });
    expect(answerOf(await agree(JSON.stringify(google.json(empty)), false)).text).toBe("");
    const streamed = answerOf(await agree(google.frames(empty, 3).join(""), true));
    expect(streamed.pieces).toEqual([]);
    expect(streamed.finishReason).toEqual({ unified: "stop", raw: "STOP" });
  });

  it("reads a function call as no text, and STOP with it as tool-calls", async () => {
    const withCall = reply({ text: "Let me look.", toolCalls: [{ id: "c1", name: "lookup", arguments: { q: 1 } }] });
    for (const stream of [false, true]) {
      const bytes = stream ? google.frames(withCall, 2).join("") : JSON.stringify(google.json(withCall));
      const r = answerOf(await agree(bytes, stream));
      expect(r.text).toBe("Let me look.");
      expect(r.finishReason).toEqual({ unified: "tool-calls", raw: "STOP" });
    }
  });
});

describe("googleWire: finish reasons", () => {
  const mapped: Record<string, string> = {
    STOP: "stop",
    MAX_TOKENS: "length",
    CONTINUATION: "length", // without a continuationToken (with one the SDK asks for the rest)
    IMAGE_SAFETY: "content-filter",
    RECITATION: "content-filter",
    SAFETY: "content-filter",
    BLOCKLIST: "content-filter",
    PROHIBITED_CONTENT: "content-filter",
    SPII: "content-filter",
    MALFORMED_FUNCTION_CALL: "error",
    FINISH_REASON_UNSPECIFIED: "other",
    OTHER: "other",
    LANGUAGE: "other", // one the SDK does not know
  };
  for (const [raw, unified] of Object.entries(mapped))
    it(`maps ${raw} to ${unified}`, async () => {
      const whole = withParts([{ text: "Some text" }], { finishReason: raw }, { usageMetadata: usage });
      expect(answerOf(await agree(JSON.stringify(whole), false)).finishReason).toEqual({ unified, raw });
      const streamed = sseOf(withParts([{ text: "Some " }]), whole);
      expect(answerOf(await agree(streamed, true)).finishReason).toEqual({ unified, raw });
    });

  it("keeps tool-calls only for STOP (MAX_TOKENS with a call stays length)", async () => {
    const body = withParts([{ functionCall: { name: "f", args: {} } }], { finishReason: "MAX_TOKENS" });
    expect(answerOf(await agree(JSON.stringify(body), false)).finishReason?.unified).toBe("length");
    expect(answerOf(await agree(sseOf(body), true)).finishReason?.unified).toBe("length");
  });

  it("counts a function call without a name as no call (STOP stays stop)", async () => {
    const body = withParts([{ text: "a" }, { functionCall: { args: { x: 1 } } }], { finishReason: "STOP" });
    expect(answerOf(await agree(JSON.stringify(body), false)).finishReason?.unified).toBe("stop");
    expect(answerOf(await agree(sseOf(body), true)).finishReason?.unified).toBe("stop");
  });

  it("counts a function call streamed in pieces once its last piece came", async () => {
    const start = withParts([
      { functionCall: { name: "f", willContinue: true, partialArgs: [{ jsonPath: "$.a", stringValue: "x" }] } },
    ]);
    const more = withParts([
      { functionCall: { partialArgs: [{ jsonPath: "$.a", stringValue: "y", willContinue: true }] } },
    ]);
    const last = withParts([{ functionCall: {} }], { finishReason: "STOP" });
    expect(answerOf(await agree(sseOf(start, more, last), true)).finishReason?.unified).toBe("tool-calls");
    // Closed in the part that opens it, or by a later last piece.
    const whole = withParts([{ functionCall: { name: "f", partialArgs: [{ jsonPath: "$.a", numberValue: 1 }] } }], {
      finishReason: "STOP",
    });
    expect(answerOf(await agree(sseOf(whole), true)).finishReason?.unified).toBe("tool-calls");
    const lastPiece = withParts([{ functionCall: { partialArgs: [{ jsonPath: "$.b", boolValue: true }] } }], {
      finishReason: "STOP",
    });
    expect(answerOf(await agree(sseOf(start, lastPiece), true)).finishReason?.unified).toBe("tool-calls");
    // A last piece or an empty part with no call open completes nothing.
    expect(answerOf(await agree(sseOf(lastPiece), true)).finishReason?.unified).toBe("stop");
    expect(answerOf(await agree(sseOf(last), true)).finishReason?.unified).toBe("stop");
    // Never closed: the SDK has no call when STOP comes.
    expect(
      answerOf(await agree(sseOf(start, more, withParts([], { finishReason: "STOP" })), true)).finishReason?.unified,
    ).toBe("stop");
  });

  it("uses the finish reason at the time it came (a call after STOP does not change it)", async () => {
    const body = sseOf(
      withParts([{ text: "a" }], { finishReason: "STOP" }),
      withParts([{ functionCall: { name: "f", args: {} } }]),
    );
    expect(answerOf(await agree(body, true)).finishReason).toEqual({ unified: "stop", raw: "STOP" });
  });

  it("finishes as other when the stream ends without a finish reason (the SDK does not refuse it)", async () => {
    const body = google.frames(reply(), 3).slice(0, 2).join("");
    const r = answerOf(await agree(body, true));
    expect(r.finishReason).toEqual({ unified: "other", raw: undefined });
    expect(r.text.length).toBeGreaterThan(0);
  });

  it("reads a whole answer with no candidate as empty, finishing as other", async () => {
    const r = answerOf(await agree(JSON.stringify({ usageMetadata: usage, responseId: "r" }), false));
    expect(r).toMatchObject({ text: "", finishReason: { unified: "other", raw: undefined } });
  });

  it("reads an empty stream as an empty answer with nothing known", async () => {
    const r = answerOf(await agree("", true));
    expect(r.response).toBeUndefined();
    expect(r.usage?.inputTokens.total).toBeUndefined();
  });
});

describe("googleWire: blocked prompts", () => {
  const blocked = { promptFeedback: { blockReason: "SAFETY", safetyRatings: [] }, usageMetadata: usage };

  it("reads a blocked prompt (no candidates) as content-filter with the block reason", async () => {
    const whole = answerOf(await agree(JSON.stringify(blocked), false));
    expect(whole).toMatchObject({ text: "", finishReason: { unified: "content-filter", raw: "SAFETY" } });
    const streamed = answerOf(await agree(sseOf(blocked), true));
    expect(streamed.finishReason).toEqual({ unified: "content-filter", raw: "SAFETY" });
  });

  it("reads no candidate after a blocked prompt in a stream", async () => {
    const r = answerOf(await agree(sseOf(blocked, withParts([{ text: "late" }], { finishReason: "STOP" })), true));
    expect(r).toMatchObject({ text: "", finishReason: { unified: "content-filter", raw: "SAFETY" } });
  });

  for (const reason of ["OTHER", "BLOCKLIST", "PROHIBITED_CONTENT", "IMAGE_SAFETY", "SOMETHING_NEW"])
    it(`reads a prompt blocked for ${reason} as content-filter`, async () => {
      const body = { promptFeedback: { blockReason: reason } };
      for (const stream of [false, true])
        expect(answerOf(await agree(stream ? sseOf(body) : JSON.stringify(body), stream)).finishReason).toEqual({
          unified: "content-filter",
          raw: reason,
        });
    });

  it("lets a candidate's finish reason win over the block reason in a whole answer", async () => {
    const body = {
      ...withParts([{ text: "t" }], { finishReason: "SAFETY" }),
      promptFeedback: { blockReason: "OTHER" },
    };
    expect(answerOf(await agree(JSON.stringify(body), false)).finishReason).toEqual({
      unified: "content-filter",
      raw: "SAFETY",
    });
  });

  for (const reason of ["BLOCK_REASON_UNSPECIFIED", "BLOCKED_REASON_UNSPECIFIED", ""])
    it(`does not count ${JSON.stringify(reason)} as a block`, async () => {
      const body = { promptFeedback: { blockReason: reason } };
      expect(answerOf(await agree(JSON.stringify(body), false)).finishReason).toEqual({
        unified: "other",
        raw: undefined,
      });
      expect(answerOf(await agree(sseOf(body, withParts([{ text: "ok" }], { finishReason: "STOP" })), true)).text).toBe(
        "ok",
      );
    });
});

describe("googleWire: usage", () => {
  const detailed = {
    promptTokenCount: 100,
    candidatesTokenCount: 20,
    thoughtsTokenCount: 30,
    cachedContentTokenCount: 60,
    toolUsePromptTokenCount: 3,
    totalTokenCount: 150,
    trafficType: "ON_DEMAND",
    promptTokensDetails: [{ modality: "TEXT", tokenCount: 100 }],
    cacheTokensDetails: [{ modality: "TEXT", tokenCount: 60 }],
    candidatesTokensDetails: [{ modality: "TEXT", tokenCount: 20 }],
    someNewField: { nested: [1, 2] },
  };

  it("converts cache and thought counts as the SDK does (output = candidates + thoughts)", async () => {
    const body = withParts([{ text: "t" }], { finishReason: "STOP" }, { usageMetadata: detailed });
    for (const stream of [false, true]) {
      const r = answerOf(await agree(stream ? sseOf(body) : JSON.stringify(body), stream));
      expect(r.usage).toEqual({
        inputTokens: { total: 100, noCache: 40, cacheRead: 60, cacheWrite: undefined },
        outputTokens: { total: 50, text: 20, reasoning: 30 },
        raw: detailed,
      });
    }
  });

  it("counts missing or null counts as 0 once there is usage", async () => {
    const body = withParts(
      [{ text: "t" }],
      { finishReason: "STOP" },
      { usageMetadata: { candidatesTokenCount: null } },
    );
    expect(answerOf(await agree(JSON.stringify(body), false)).usage?.inputTokens.total).toBe(0);
  });

  it("keeps the last usage of a stream (arriving in the last chunk, or earlier)", async () => {
    const early = sseOf(
      withParts([{ text: "a" }], {}, { usageMetadata: { promptTokenCount: 1 } }),
      withParts([{ text: "b" }], {}, { usageMetadata: detailed }),
      withParts([{ text: "c" }], { finishReason: "STOP" }),
    );
    expect(answerOf(await agree(early, true)).usage?.raw).toEqual(detailed);
  });

  it("adds the usage of both sides of a CONTINUATION finish (no token: the SDK does not go on)", async () => {
    const body = sseOf(
      withParts([{ text: "a" }], { finishReason: "CONTINUATION" }, { usageMetadata: detailed }),
      withParts([{ text: "b" }], { finishReason: "STOP" }, { usageMetadata: { ...detailed, promptTokenCount: 5 } }),
    );
    const r = answerOf(await agree(body, true));
    expect(r.usage?.inputTokens.total).toBe(105);
    expect(r.finishReason).toEqual({ unified: "stop", raw: "STOP" });
  });

  it("reports unknown usage when none came", async () => {
    const body = withParts([{ text: "t" }], { finishReason: "STOP" });
    for (const stream of [false, true])
      expect(answerOf(await agree(stream ? sseOf(body) : JSON.stringify(body), stream)).usage?.raw).toBeUndefined();
  });
});

describe("googleWire: parts that are not text", () => {
  it("leaves thoughts out of the text", async () => {
    const body = withParts(
      [
        { text: "Thinking about it…", thought: true },
        { text: "The answer.", thoughtSignature: "c2ln" },
        { text: "", thoughtSignature: "c2ln" },
        { text: "More thinking", thought: true },
        { text: " Done." },
      ],
      { finishReason: "STOP" },
      { usageMetadata: { ...usage, thoughtsTokenCount: 9 } },
    );
    for (const stream of [false, true]) {
      const r = answerOf(await agree(stream ? sseOf(body) : JSON.stringify(body), stream));
      expect(r.text).toBe("The answer. Done.");
    }
    const streamed = sseOf(
      withParts([{ text: "hmm", thought: true }]),
      withParts([{ text: "ok", thought: false }]),
      withParts([], { finishReason: "STOP" }),
    );
    expect(answerOf(await agree(streamed, true)).pieces).toEqual(["ok"]);
  });

  it("leaves code execution, inline data and server tool parts out of the text", async () => {
    const body = withParts(
      [
        { executableCode: { language: "PYTHON", code: "print(1)" }, text: "hidden" },
        { codeExecutionResult: { outcome: "OUTCOME_OK", output: "1" } },
        { inlineData: { mimeType: "image/png", data: "iVBO" }, text: "hidden too" },
        { toolCall: { toolType: "GOOGLE_SEARCH", id: "t1", args: {} } },
        { toolResponse: { toolType: "GOOGLE_SEARCH", id: "t1", response: {} } },
        { functionCall: { name: "f", args: {} }, text: "not text either" },
        { text: "visible" },
      ],
      { finishReason: "STOP" },
    );
    for (const stream of [false, true]) {
      const r = answerOf(await agree(stream ? sseOf(body) : JSON.stringify(body), stream));
      expect(r.text).toBe("visible");
    }
  });

  it("reads a part as the SDK's schema does: a functionCall that does not fit is dropped, its text kept", async () => {
    // SDK oddity followed: the union's first member refuses `name: 5`, the last member takes the
    // part without its functionCall, so the part is text and no call.
    const body = withParts([{ functionCall: { name: 5 }, text: "kept" }], { finishReason: "STOP" });
    for (const stream of [false, true]) {
      const r = answerOf(await agree(stream ? sseOf(body) : JSON.stringify(body), stream));
      expect(r).toMatchObject({ text: "kept", finishReason: { unified: "stop" } });
    }
  });

  it("reads only the first candidate", async () => {
    const body = {
      candidates: [
        { content: { parts: [{ text: "first" }] }, finishReason: "STOP" },
        { content: { parts: [{ text: "second" }] }, finishReason: "MAX_TOKENS" },
      ],
    };
    for (const stream of [false, true])
      expect(answerOf(await agree(stream ? sseOf(body) : JSON.stringify(body), stream)).text).toBe("first");
  });

  it("ignores what it does not use: [DONE], event names, metadata, unknown fields", async () => {
    const body =
      ": keep-alive\n\n" +
      sseOf(
        withParts([{ text: "A" }], {
          safetyRatings: [{ category: "HARM_CATEGORY_HARASSMENT", probability: "NEGLIGIBLE", blocked: false }],
          citationMetadata: { citationSources: [{ startIndex: 1 }] },
          avgLogprobs: -0.5,
          groundingMetadata: { webSearchQueries: ["q"] },
        }),
      ) +
      `event: message\n${sse(withParts([{ text: "B" }], { finishReason: "STOP", finishMessage: "done" }, { usageMetadata: usage, modelVersion: "gemini-x", createTime: "2025-01-01T00:00:00Z" }))}` +
      sse("[DONE]");
    const r = answerOf(await agree(body, true));
    expect(r.pieces).toEqual(["A", "B"]);
  });

  it("accepts content that is empty or absent", async () => {
    for (const content of [{}, null, { parts: null }, { role: "model" }]) {
      const body = { candidates: [{ content, finishReason: "STOP" }] };
      for (const stream of [false, true]) answerOf(await agree(stream ? sseOf(body) : JSON.stringify(body), stream));
    }
  });
});

describe("googleWire: response metadata", () => {
  it("reports responseId as the id, and no model id nor timestamp (modelVersion is not read)", async () => {
    const whole = answerOf(await agree(JSON.stringify(google.json(reply())), false));
    expect(whole.response).toEqual({ id: "resp-1", modelId: undefined, timestamp: undefined });
    const streamed = answerOf(await agree(google.frames(reply(), 2).join(""), true));
    expect(streamed.response).toEqual({ id: "resp-1", modelId: undefined, timestamp: undefined });
  });

  it("takes the first responseId of a stream, and none when no chunk has one", async () => {
    const later = sseOf(
      withParts([{ text: "a" }]),
      withParts([{ text: "b" }], { finishReason: "STOP" }, { responseId: "r2" }),
    );
    expect(answerOf(await agree(later, true)).response?.id).toBe("r2");
    const two = sseOf(withParts([{ text: "a" }], {}, { responseId: "r1" }), withParts([], {}, { responseId: "r2" }));
    expect(answerOf(await agree(two, true)).response?.id).toBe("r1");
    const none = sseOf(withParts([{ text: "a" }], { finishReason: "STOP" }));
    expect(answerOf(await agree(none, true)).response).toBeUndefined();
    expect(answerOf(await agree(JSON.stringify(withParts([{ text: "a" }])), false)).response?.id).toBeUndefined();
  });
});

describe("googleWire: errors", () => {
  const streamError = { error: { code: 503, message: "The model is overloaded.", status: "UNAVAILABLE" } };

  it("throws an error the stream reports, as the SDK's APICallError", async () => {
    const body = sseOf(
      withParts([{ text: "partial" }]),
      streamError,
      withParts([{ text: "more" }], { finishReason: "STOP" }),
    );
    const r = await agree(body, true);
    expect(r).toEqual({ error: { error: "AI_APICallError: The model is overloaded." } });
    const wire = wireReading(googleWire, body, { stream: true }).error;
    expect(wire).toEqual({ error: "AI_APICallError: The model is overloaded." });
  });

  it("gives the thrown error the SDK's status (code, else from status) and data", () => {
    for (const [error, status] of [
      [{ code: 429, message: "slow down", status: "RESOURCE_EXHAUSTED" }, 429],
      [{ code: null, message: "gone", status: "NOT_FOUND", details: [] }, 404],
      [{ code: null, message: "odd", status: "SOMETHING_NEW" }, undefined],
    ] as const) {
      const decoder = googleWire.streamAnswer();
      decoder.push({ event: undefined, data: JSON.stringify({ error, extra: 1 }) }, () => {});
      const thrown = thrownBy(() => decoder.end());
      expect(APICallError.isInstance(thrown)).toBe(true);
      const e = thrown as APICallError;
      expect(e.statusCode).toBe(status);
      expect(e.data).toEqual(error);
      expect(e.isRetryable).toBe(status === 429);
    }
  });

  it("keeps the first error", async () => {
    const second = { error: { code: 500, message: "second", status: "INTERNAL" } };
    expect(await agree(sseOf(streamError, second), true)).toEqual({
      error: { error: "AI_APICallError: The model is overloaded." },
    });
    expect(await agree(sseOf("{nope", streamError), true)).toEqual({ error: { malformed: true } });
  });

  it("refuses an error object that does not fit the schema (code missing)", async () => {
    expect(await agree(sseOf({ error: { message: "m", status: "INTERNAL" } }), true)).toEqual({
      error: { malformed: true },
    });
  });

  it("ignores an error object in a whole 2xx answer, as the SDK does", async () => {
    const r = answerOf(await agree(JSON.stringify(streamError), false));
    expect(r.finishReason).toEqual({ unified: "other", raw: undefined });
  });

  const malformed: [string, unknown][] = [
    ["text that is not a string", withParts([{ text: 5 }])],
    ["thought that is not a boolean", withParts([{ text: "a", thought: "yes" }])],
    ["parts that are not a list", { candidates: [{ content: { parts: "x" } }] }],
    ["content that is a list", { candidates: [{ content: [] }] }],
    ["candidates that are not a list", { candidates: {} }],
    ["a candidate that is not an object", { candidates: ["x"] }],
    [
      "a later candidate that is malformed",
      { candidates: [{ content: { parts: [{ text: "a" }] } }, { finishReason: 3 }] },
    ],
    ["a finish reason that is not a string", withParts([{ text: "a" }], { finishReason: 1 })],
    [
      "a usage count that is not a number",
      withParts([{ text: "a" }], {}, { usageMetadata: { promptTokenCount: "1" } }),
    ],
    [
      "usage details that are malformed",
      withParts([], {}, { usageMetadata: { promptTokensDetails: [{ modality: 1 }] } }),
    ],
    ["a block reason that is not a string", { promptFeedback: { blockReason: 1 } }],
    ["a responseId that is not a string", withParts([{ text: "a" }], {}, { responseId: 7 })],
    ["a safety rating that is malformed", withParts([{ text: "a" }], { safetyRatings: [{ blocked: "no" }] })],
    ["executable code without its code", withParts([{ executableCode: { language: "PYTHON" } }])],
    ["a part that is not an object", withParts(["text"])],
    ["a body that is not an object", [1, 2]],
    ["null", null],
  ];
  for (const [what, body] of malformed)
    it(`refuses ${what}`, async () => {
      expect(await agree(JSON.stringify(body), false)).toEqual({ error: { malformed: true } });
      expect(await agree(sseOf(withParts([{ text: "ok" }]), body), true)).toEqual({ error: { malformed: true } });
    });

  it("refuses a chunk or body that is not JSON", async () => {
    expect(await agree('{"candidates": [', false)).toEqual({ error: { malformed: true } });
    expect(await agree(sseOf(withParts([{ text: "ok" }]), "{not json"), true)).toEqual({ error: { malformed: true } });
    expect(await agree("data: \n\n", true)).toEqual({ error: { malformed: true } });
  });
});

describe("googleWire: a CONTINUATION with a token (a known divergence)", () => {
  const first = withParts(
    [{ text: "Part one. " }],
    { finishReason: "CONTINUATION", continuationToken: "tok" },
    { usageMetadata: usage },
  );
  const rest = withParts([{ text: "Part two." }], { finishReason: "STOP" }, { usageMetadata: usage });

  it("is read as cut off (the SDK would request the rest with the token; a decoder cannot)", async () => {
    // The SDK's reading, over a fetch that answers the first call with `first` and the next with `rest`.
    const bodies = [JSON.stringify(first), JSON.stringify(rest)];
    const requests: unknown[] = [];
    const fetch = (async (_url: unknown, init?: RequestInit) => {
      requests.push(JSON.parse(String(init?.body)));
      return new Response(bodies.shift(), { status: 200, headers: { "content-type": "application/json" } });
    }) as typeof globalThis.fetch;
    const model = resolveLanguageModel(config, "m", { apiKey: "k", fetch });
    const sdk = await model.doGenerate({ prompt: [{ role: "user", content: [{ type: "text", text: "Hi" }] }] });
    expect(sdk.content).toMatchObject([
      { type: "text", text: "Part one. " },
      { type: "text", text: "Part two." },
    ]);
    expect(requests[1]).toMatchObject({ continuationToken: "tok" });

    const whole = wireReading(googleWire, JSON.stringify(first), { stream: false });
    expect(whole).toMatchObject({ text: "Part one. ", finishReason: { unified: "length", raw: "CONTINUATION" } });
    const streamed = wireReading(googleWire, sseOf(first), { stream: true });
    expect(streamed).toMatchObject({
      pieces: ["Part one. "],
      finishReason: { unified: "length", raw: "CONTINUATION" },
    });
    expect(streamed.usage?.inputTokens.total).toBe(10);
  });
});
