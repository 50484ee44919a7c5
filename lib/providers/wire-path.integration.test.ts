// The wire path end to end: a plain-text call through the gateway over real HTTP (the fake
// provider server), its 2xx answer read by ./wire (the egress fetch's TAKE_ANSWER), against the
// same call through a gateway whose fetch drops TAKE_ANSWER so the AI SDK reads the answer. Both
// must give the same results, deltas and errors; the recording fetch shows which path was taken.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { CancelledError, RateLimitError, RetryableError } from "@/lib/contracts/errors";
import { type ModelDelta, type ModelRequest, modelUsageOf } from "@/lib/contracts/ports";
import { type FakeProvider, startFakeProvider } from "@/tests/fake-provider/server";
import type { ProviderConfig } from "./config";
import { createEgressFetch, type FetchFunction, TAKE_ANSWER } from "./egress-fetch";
import { createProviderGateway, type ProviderGateway } from "./gateway";
import { createProviderPriceTable } from "./prices";
import { AnswerTaken } from "./wire";

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const KEY = "sk-fake-0123456789";
const PORT = 3150;

interface Kind {
  name: string;
  config: Omit<ProviderConfig, "name" | "baseUrl">;
  base: keyof FakeProvider["baseUrls"];
}

// The four kinds whose plain-text answers are read by ./wire, configured as in gateway.integration.test.ts.
const KINDS: Kind[] = [
  { name: "co", config: { kind: "openai-compatible", apiKey: KEY }, base: "openaiCompatible" },
  { name: "oa", config: { kind: "openai", apiKey: KEY }, base: "openai" },
  { name: "an", config: { kind: "anthropic", apiKey: KEY }, base: "anthropic" },
  { name: "go", config: { kind: "google", apiKey: KEY }, base: "google" },
];

/** One HTTP request a gateway's fetch made: whether TAKE_ANSWER was passed and how the fetch settled. */
interface Sent {
  provider: string;
  take: boolean;
  outcome: "response" | "taken" | "error";
  status?: number;
  /** Wire path: pieces of the body read, and how many of them ended inside a UTF-8 character. */
  reads?: { chunks: number; splitInsideCharacter: number };
}

let fake: FakeProvider;
let wire: ProviderGateway;
let sdk: ProviderGateway;
const sent: { wire: Sent[]; sdk: Sent[] } = { wire: [], sdk: [] };

/** The egress fetch, recording each request into `log`; `dropTake` removes TAKE_ANSWER first. */
function recordingFetch(config: ProviderConfig, log: Sent[], dropTake: boolean): FetchFunction {
  const egress = createEgressFetch({ allowPrivateNetwork: true });
  return async (input, init = {}) => {
    const options = { ...init } as RequestInit & { [TAKE_ANSWER]?: unknown };
    const entry: Sent = { provider: config.name, take: options[TAKE_ANSWER] !== undefined, outcome: "error" };
    log.push(entry);
    if (dropTake) delete options[TAKE_ANSWER];
    try {
      const res = await egress(input, options);
      entry.outcome = "response";
      entry.status = res.status;
      return res;
    } catch (e) {
      if (e instanceof AnswerTaken) {
        entry.outcome = "taken";
        entry.status = e.answer.status;
        const reads = { chunks: 0, splitInsideCharacter: 0 };
        const read = e.answer.read;
        e.answer.read = (sink) =>
          read({
            ...sink,
            chunk: (c) => {
              reads.chunks += 1;
              if (c.toString("utf8").endsWith("\uFFFD")) reads.splitInsideCharacter += 1;
              return sink.chunk(c);
            },
          });
        entry.reads = reads;
      }
      throw e;
    }
  };
}

beforeAll(async () => {
  fake = await startFakeProvider({ port: PORT });
  const providers = KINDS.map((k) => ({
    name: k.name,
    baseUrl: fake.baseUrls[k.base],
    allowPrivateNetwork: true,
    ...k.config,
  })) as ProviderConfig[];
  const overrides = Object.fromEntries(
    KINDS.flatMap((k) =>
      ["fake-ok", "fake-json"].map((m) => [`${k.name}:${m}`, { inputPerMTok: 3, outputPerMTok: 15 }]),
    ),
  );
  const prices = createProviderPriceTable({ providers, overrides });
  wire = createProviderGateway({ providers, prices, fetchFor: (c) => recordingFetch(c, sent.wire, false) });
  sdk = createProviderGateway({ providers, prices, fetchFor: (c) => recordingFetch(c, sent.sdk, true) });
});
afterAll(() => fake.stop());
beforeEach(() => {
  fake.reset();
  fake.configure({ chunks: 3, chunkDelayMs: 0 });
  sent.wire.length = 0;
  sent.sdk.length = 0;
});

const request = (model: string, over: Partial<ModelRequest> = {}): ModelRequest => ({
  model,
  instructions: "You answer briefly.",
  messages: [{ role: "user", content: "Où est mon remboursement ? Ça fait 30 € — merci 🙏" }],
  signal: new AbortController().signal,
  attempt: 1,
  idempotencyKey: "run7:wire:1",
  ...over,
});

const schema = {
  type: "object",
  properties: { category: { type: "string" }, urgent: { type: "boolean" }, score: { type: "number" } },
  required: ["category", "urgent", "score"],
};

/** The same request through `gateway`, with its deltas' texts when streamed. */
async function run(gateway: ProviderGateway, model: string, stream: boolean, over: Partial<ModelRequest> = {}) {
  const deltas: string[] = [];
  const onDelta = (d: ModelDelta) => {
    if (d.type === "text") deltas.push(d.text);
  };
  const result = await gateway.generate(request(model, { ...(stream ? { onDelta } : {}), ...over }));
  return { result, deltas };
}

/** What an error is as far as the engine is concerned: its class, retryability, Retry-After and attached usage. */
function shapeOf(e: unknown) {
  const err = e as Error & { retryable?: boolean; retryAfterMs?: number };
  return {
    class: err?.constructor?.name,
    retryable: err.retryable,
    retryAfterMs: err.retryAfterMs,
    usage: modelUsageOf(err),
  };
}

describe.each(KINDS)("$name ($config.kind)", (kind) => {
  describe.each([
    ["not streamed", false, 0],
    ["streamed, frames in one write", true, 0],
    ["streamed, frames apart", true, 5],
  ] as const)("%s", (_label, stream, chunkDelayMs) => {
    beforeEach(() => fake.configure({ chunkDelayMs, chunks: 4 }));

    it("the wire path and the SDK's reading give the same result and deltas", async () => {
      const ours = await run(wire, `${kind.name}:fake-ok`, stream);
      const theirs = await run(sdk, `${kind.name}:fake-ok`, stream);
      // the wire path was taken: TAKE_ANSWER passed, the 2xx answer handed over
      expect(sent.wire).toMatchObject([{ provider: kind.name, take: true, outcome: "taken", status: 200 }]);
      // the other gateway asked for it too, but its fetch dropped it: the SDK read a Response
      expect(sent.sdk).toEqual([{ provider: kind.name, take: true, outcome: "response", status: 200 }]);
      expect(fake.requests.map((r) => r.stream)).toEqual([stream, stream]);
      expect(ours.result.text).toMatch(/^Echo [0-9a-f]{12}: Où est mon remboursement \? Ça fait 30 € — merci 🙏$/);
      expect(ours.result).toEqual(theirs.result);
      expect(ours.result.finishReason).toBe("stop");
      expect(ours.result.usage.inputTokens).toBeGreaterThan(0);
      expect(ours.result.usage.outputTokens).toBeGreaterThan(0);
      expect(ours.result.usage.costUsd).toBeCloseTo(
        (ours.result.usage.inputTokens * 3 + ours.result.usage.outputTokens * 15) / 1e6,
        12,
      );
      expect(ours.deltas).toEqual(theirs.deltas);
      if (stream) {
        expect(ours.deltas.length).toBeGreaterThan(1);
        expect(ours.deltas.join("")).toBe(ours.result.text);
      } else expect(ours.deltas).toEqual([]);
    });

    it("a long answer of multi-byte characters, split inside characters on the way, is the same on both paths", async () => {
      // ~600 KB (every frame over 64 KB) of a 7-byte cycle of a 3- and a 4-byte character: the body
      // arrives in many reads, and two 64 KB reads in a row cannot both end between characters
      // (65 536 ≡ 2 mod 7, and the cycle's character boundaries are 3 apart)
      const text = ` \nü${"€🙏".repeat(86_000)}\n\t `;
      fake.enqueue({ kind: "ok", text }, { kind: "ok", text });
      const ours = await run(wire, `${kind.name}:fake-ok`, stream);
      const theirs = await run(sdk, `${kind.name}:fake-ok`, stream);
      expect(ours.result.text).toBe(text);
      expect(ours.result).toEqual(theirs.result);
      expect(ours.deltas).toEqual(theirs.deltas);
      if (stream) expect(ours.deltas.join("")).toBe(text);
      const [taken] = sent.wire;
      expect(taken).toMatchObject({ take: true, outcome: "taken" });
      expect(taken!.reads!.chunks).toBeGreaterThan(1);
      expect(taken!.reads!.splitInsideCharacter).toBeGreaterThan(0);
    });

    it("structured output gives the same object on both paths", async () => {
      const ours = await run(wire, `${kind.name}:fake-json`, stream, { outputSchema: schema });
      const theirs = await run(sdk, `${kind.name}:fake-json`, stream, { outputSchema: schema });
      expect(ours.result.object).toEqual({ category: "fake", urgent: true, score: 1 });
      expect(ours.result).toEqual(theirs.result);
      expect(ours.deltas).toEqual(theirs.deltas);
      // Anthropic's structured output is read by the SDK (wireFormatOf): no TAKE_ANSWER asked
      const wired = kind.config.kind !== "anthropic";
      expect(sent.wire).toMatchObject([
        { provider: kind.name, take: wired, outcome: wired ? "taken" : "response", status: 200 },
      ]);
    });

    it("a 429 with Retry-After maps to the same error on both paths (not taken: not 2xx)", async () => {
      fake.enqueue({ kind: "error", status: 429, retryAfter: "7" }, { kind: "error", status: 429, retryAfter: "7" });
      const ours = await run(wire, `${kind.name}:fake-ok`, stream).catch((e: unknown) => e);
      const theirs = await run(sdk, `${kind.name}:fake-ok`, stream).catch((e: unknown) => e);
      expect(ours).toBeInstanceOf(RateLimitError);
      expect((ours as RateLimitError).retryAfterMs).toBe(7000);
      expect(shapeOf(ours)).toEqual(shapeOf(theirs));
      expect((ours as Error).message).toBe((theirs as Error).message);
      expect(sent.wire).toEqual([{ provider: kind.name, take: true, outcome: "response", status: 429 }]);
    });

    it("a cut answer maps to the same error on both paths", async () => {
      const ours = await run(wire, `${kind.name}:fake-cut`, stream).catch((e: unknown) => e);
      const theirs = await run(sdk, `${kind.name}:fake-cut`, stream).catch((e: unknown) => e);
      expect(ours).toBeInstanceOf(RetryableError);
      expect(ours).not.toBeInstanceOf(RateLimitError);
      expect(shapeOf(ours)).toEqual(shapeOf(theirs));
      expect((ours as Error).message).toBe((theirs as Error).message);
      expect(sent.wire).toMatchObject([{ provider: kind.name, take: true, outcome: "taken", status: 200 }]);
    });
  });
});

describe.each(KINDS)("$name ($config.kind): an abort in the middle of a streamed answer", (kind) => {
  it("rejects with the caller's reason on both paths and closes the request", async () => {
    fake.configure({ chunks: 4, chunkDelayMs: 300 });
    const outcomes: unknown[] = [];
    for (const gateway of [wire, sdk]) {
      const ac = new AbortController();
      const reason = new CancelledError("Stopped by a test.");
      const deltas: string[] = [];
      const p = gateway
        .generate(
          request(`${kind.name}:fake-ok`, {
            signal: ac.signal,
            onDelta: (d) => {
              if (d.type === "text") deltas.push(d.text);
              ac.abort(reason);
            },
          }),
        )
        .catch((e: unknown) => e);
      const err = await p;
      expect(err).toBe(reason);
      outcomes.push({ deltas: deltas.length, usage: modelUsageOf(err) });
      await vi.waitFor(() => expect(fake.openRequests()).toBe(0));
    }
    expect(outcomes[0]).toEqual(outcomes[1]);
    expect(sent.wire).toMatchObject([{ provider: kind.name, take: true, outcome: "taken" }]);
  });
});

describe("not on the wire path", () => {
  it("OpenAI's chat completions (api: chat) are read by the SDK: no TAKE_ANSWER", async () => {
    const config: ProviderConfig = {
      name: "oc",
      kind: "openai",
      api: "chat",
      apiKey: KEY,
      baseUrl: fake.baseUrls.openai,
      allowPrivateNetwork: true,
    };
    const log: Sent[] = [];
    const gateway = createProviderGateway({ providers: [config], fetchFor: (c) => recordingFetch(c, log, false) });
    const r = await gateway.generate(request("oc:fake-ok"));
    expect(r.text).toMatch(/^Echo /);
    expect(log).toEqual([{ provider: "oc", take: false, outcome: "response", status: 200 }]);
  });
});
