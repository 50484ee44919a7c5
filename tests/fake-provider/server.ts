/**
 * A fake model provider on 127.0.0.1 (a random port unless told): OpenAI chat completions and
 * Responses, Anthropic Messages, Google generateContent/streamGenerateContent, streaming (SSE) and
 * not, plus the three model listings. Real HTTP, so everything that crosses a process (the AI SDK
 * providers, workers, the Next server under Playwright) can be tested without the network.
 *
 * Replies are deterministic: the echo carries a digest of the prompt, tool arguments and JSON are
 * examples of the schema sent. Scenarios (errors, cut streams, hangs…) are picked per request by
 * the model name or a scripted queue — see ./scenarios.ts. Every request is recorded (headers,
 * body) for assertions. Control endpoints for other processes: `POST /__fake/queue` (a scenario
 * or a list), `GET /__fake/requests`, `POST /__fake/reset`.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { anthropic } from "./anthropic";
import { google } from "./google";
import { openaiChat } from "./openai-chat";
import { openaiResponses } from "./openai-responses";
import type { ParsedRequest, Protocol, ProtocolName, Reply, ToolCall } from "./protocol";
import { exampleOf, type Scenario, stepsFromModel } from "./scenarios";

export interface FakeProviderOptions {
  /** 0 (default): a free port. */
  port?: number;
  host?: string;
  /** Delay before the response starts (ms). */
  latencyMs?: number;
  /** Pieces a streamed text (and tool arguments) are cut into. Default 3. */
  chunks?: number;
  /** Delay between streamed pieces (ms). Default 0. */
  chunkDelayMs?: number;
  /** When set, every API request must carry this key (Bearer, x-api-key, x-goog-api-key or ?key=), else 401. */
  apiKey?: string;
  /** Model ids the listings return. */
  models?: string[];
  /** false: the listings answer 404, like servers without one. Default true. */
  listing?: boolean;
  /** Called right after each streamed frame is written (benchmarks time chunks end to end). */
  onFrame?: (frame: { request: number; index: number; text: string; at: number }) => void;
}

export interface RecordedRequest {
  seq: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-cased names. */
  headers: Record<string, string>;
  /** Parsed JSON (or the raw text when it was not JSON). */
  body: unknown;
  protocol?: ProtocolName | "models";
  model?: string;
  stream?: boolean;
  scenario?: Scenario;
}

export interface FakeProvider {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Base URLs as the AI SDK providers want them. */
  baseUrls: { openai: string; anthropic: string; google: string; openaiCompatible: string };
  /** Requests in arrival order (control requests excluded). */
  requests: RecordedRequest[];
  /** Script the next requests (first in, first out), whatever their model. */
  enqueue(...scenarios: Scenario[]): void;
  /** Forget recorded requests, the queue and the per-model counters. */
  reset(): void;
  /** Change latency/chunking/key for the following requests. */
  configure(options: Pick<FakeProviderOptions, "latencyMs" | "chunks" | "chunkDelayMs" | "apiKey" | "listing">): void;
  /** Requests being answered or hanging right now. */
  openRequests(): number;
  stop(): Promise<void>;
}

export const DEFAULT_FAKE_MODELS = [
  "fake-ok",
  "fake-tool",
  "fake-json",
  "fake-bad-json",
  "fake-429-then-ok",
  "fake-500-then-ok",
  "fake-cut",
  "fake-hang",
];

const PROTOCOLS: Record<ProtocolName, Protocol> = {
  "openai-chat": openaiChat,
  "openai-responses": openaiResponses,
  anthropic,
  google,
};

const sleep = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());
const digestOf = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12);
const tokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

/** The reply for a scenario that answers (not error/cut/hang); `cut` answers like `ok` and breaks later. */
export function buildReply(p: ParsedRequest, scenario: Scenario, id: string): Reply {
  const digest = digestOf(p.promptText);
  const calls: ToolCall[] = [];
  let text = "";
  const schemaOf = (name: string) => p.tools.find((t) => t.name === name)?.schema;
  const offered = p.tools.filter((t) => t.name !== p.forcedTool);
  const wantsTools = (scenario.kind === "tool" || scenario.kind === "tools") && p.toolResults.length === 0;
  if (wantsTools && offered.length > 0) {
    const chosen = scenario.kind === "tools" ? offered : [offered.find((t) => t.name === scenario.tool) ?? offered[0]!];
    for (const [i, t] of chosen.entries())
      calls.push({
        id: `call_${digest.slice(0, 8)}_${i}`,
        name: t.name,
        arguments: (scenario.arguments ?? (exampleOf(t.schema) as Record<string, unknown>)) || {},
      });
  } else if (p.forcedTool) {
    const args =
      scenario.kind === "bad-json"
        ? { __invalid: true }
        : ((scenario.value ?? exampleOf(schemaOf(p.forcedTool))) as Record<string, unknown>);
    calls.push({ id: `call_${digest.slice(0, 8)}_0`, name: p.forcedTool, arguments: args ?? {} });
  } else if (scenario.kind === "bad-json") {
    text = '["invalid"]';
  } else if (p.outputSchema !== undefined || scenario.kind === "json") {
    text = JSON.stringify(scenario.value ?? (p.outputSchema !== undefined ? exampleOf(p.outputSchema) : { digest }));
  } else if (p.jsonMode) {
    text = JSON.stringify({ echo: digest });
  } else if (scenario.text !== undefined) {
    text = scenario.text;
  } else if (p.toolResults.length > 0) {
    text = `Tool results ${digest}: ${p.toolResults.map((r) => r.output).join(" | ")}`;
  } else {
    text = `Echo ${digest}: ${p.lastUserText.replace(/\s+/g, " ").trim().slice(0, 120)}`;
  }
  const outText = text + calls.map((c) => c.name + JSON.stringify(c.arguments)).join("");
  return {
    id,
    model: p.model,
    text,
    toolCalls: calls,
    usage: {
      inputTokens: scenario.usage?.inputTokens ?? tokens(p.promptText),
      outputTokens: scenario.usage?.outputTokens ?? tokens(outText),
    },
  };
}

function route(method: string, path: string): { protocol: ProtocolName; model?: string; stream?: boolean } | null {
  if (method !== "POST") return null;
  if (path.endsWith("/chat/completions")) return { protocol: "openai-chat" };
  if (path.endsWith("/responses")) return { protocol: "openai-responses" };
  if (path.endsWith("/messages")) return { protocol: "anthropic" };
  const g = path.match(/\/models\/([^/]+):(generateContent|streamGenerateContent)$/);
  if (g) return { protocol: "google", model: decodeURIComponent(g[1]!), stream: g[2] === "streamGenerateContent" };
  return null;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

function keyOf(headers: Record<string, string>, query: Record<string, string>): string | undefined {
  const bearer = headers.authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
  return bearer ?? headers["x-api-key"] ?? headers["x-goog-api-key"] ?? query.key;
}

export async function startFakeProvider(options: FakeProviderOptions = {}): Promise<FakeProvider> {
  const settings = {
    latencyMs: options.latencyMs ?? 0,
    chunks: options.chunks ?? 3,
    chunkDelayMs: options.chunkDelayMs ?? 0,
    apiKey: options.apiKey,
    listing: options.listing ?? true,
  };
  const models = options.models ?? DEFAULT_FAKE_MODELS;
  const requests: RecordedRequest[] = [];
  const queue: Scenario[] = [];
  const counters = new Map<string, number>();
  const sockets = new Set<Socket>();
  const open = new Set<ServerResponse>();
  let seq = 0;

  function scenarioFor(model: string, headers: Record<string, string>): Scenario {
    const scripted = queue.shift();
    if (scripted) return scripted;
    const stem = (headers["x-fake-sequence"] ?? headers["idempotency-key"] ?? "").replace(/(:\d+){2}$/, "");
    const key = `${model}\u0000${stem}`;
    const n = counters.get(key) ?? 0;
    counters.set(key, n + 1);
    const steps = stepsFromModel(model);
    return steps[Math.min(n, steps.length - 1)]!;
  }

  const json = (res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...extra });
    res.end(text);
  };

  function listModels(res: ServerResponse, path: string, headers: Record<string, string>) {
    if (path.includes("/v1beta/") || path.startsWith("/v1beta")) {
      return json(res, 200, {
        models: models.map((id) => ({
          name: `models/${id}`,
          displayName: id,
          supportedGenerationMethods: ["generateContent", "streamGenerateContent"],
        })),
      });
    }
    if (headers["anthropic-version"]) {
      return json(res, 200, {
        data: models.map((id) => ({ type: "model", id, display_name: id, created_at: "2026-01-01T00:00:00Z" })),
        has_more: false,
        first_id: models[0] ?? null,
        last_id: models.at(-1) ?? null,
      });
    }
    return json(res, 200, {
      object: "list",
      data: models.map((id) => ({ id, object: "model", created: 1_767_225_600, owned_by: "fake" })),
    });
  }

  async function control(req: IncomingMessage, res: ServerResponse, path: string) {
    if (path === "/__fake/requests") return json(res, 200, requests);
    if (path === "/__fake/reset") {
      api.reset();
      return json(res, 200, { ok: true });
    }
    if (path === "/__fake/queue") {
      const body = JSON.parse((await readBody(req)) || "[]") as Scenario | Scenario[];
      api.enqueue(...(Array.isArray(body) ? body : [body]));
      return json(res, 200, { queued: queue.length });
    }
    return json(res, 404, { error: { message: "unknown control path" } });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://fake");
    const path = url.pathname;
    if (path.startsWith("/__fake/")) return control(req, res, path);
    const query = Object.fromEntries(url.searchParams);
    const headers = headersOf(req);
    const raw = await readBody(req);
    let body: unknown = raw;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {}
    const record: RecordedRequest = { seq: ++seq, method: req.method ?? "GET", path, query, headers, body };
    requests.push(record);

    const isList = req.method === "GET" && /\/models\/?$/.test(path);
    const r = route(record.method, path);
    const proto = r ? PROTOCOLS[r.protocol] : undefined;
    if (settings.apiKey !== undefined && keyOf(headers, query) !== settings.apiKey) {
      const message = "Incorrect API key provided.";
      return json(res, 401, proto ? proto.error(401, message) : { error: { message } });
    }
    if (isList && !settings.listing) return json(res, 404, { error: { message: "Not found" } });
    if (isList) {
      record.protocol = "models";
      await sleep(settings.latencyMs);
      return listModels(res, path, headers);
    }
    if (!r || !proto) return json(res, 404, { error: { message: `No fake route for ${record.method} ${path}` } });

    const parsed = proto.parse((body && typeof body === "object" ? body : {}) as Record<string, unknown>, r.model);
    if (r.stream !== undefined) parsed.stream = r.stream;
    const scenario = scenarioFor(parsed.model, headers);
    Object.assign(record, { protocol: r.protocol, model: parsed.model, stream: parsed.stream, scenario });

    await sleep(scenario.latencyMs ?? settings.latencyMs);
    if (res.destroyed) return;
    if (scenario.kind === "hang") return; // answered by nobody: the client gives up, or stop() closes it
    if (scenario.kind === "error") {
      const status = scenario.status ?? 500;
      const extra: Record<string, string> = {};
      const retryAfter = scenario.retryAfter ?? (status === 429 ? "1" : undefined);
      if (retryAfter !== undefined) extra["retry-after"] = retryAfter;
      return json(res, status, proto.error(status, `Fake ${status} (${parsed.model}).`), extra);
    }

    const reply = buildReply(parsed, scenario, `fake${record.seq}`);
    const cut = scenario.kind === "cut";
    if (!parsed.stream) {
      const text = JSON.stringify(proto.json(reply));
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      if (!cut) return res.end(text);
      res.write(text.slice(0, Math.floor(text.length / 2)));
      return setTimeout(() => res.socket?.destroy(), 10);
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    const frames = proto.frames(reply, scenario.chunks ?? settings.chunks);
    const stopAt = cut ? Math.max(1, Math.floor(frames.length / 2)) : frames.length;
    const delay = scenario.chunkDelayMs ?? settings.chunkDelayMs;
    if (delay === 0 && !cut) {
      // Zero latency: no time passes between the frames, so they leave together (one write with
      // the head), as from a provider whose whole answer is ready. With a delay, one write each.
      res.end(frames.join(""));
      const at = performance.now();
      for (const [index, text] of frames.entries()) options.onFrame?.({ request: record.seq, index, text, at });
      return;
    }
    res.flushHeaders();
    for (let i = 0; i < stopAt; i++) {
      if (res.destroyed) return;
      if (i > 0) await sleep(delay);
      res.write(frames[i]);
      options.onFrame?.({ request: record.seq, index: i, text: frames[i]!, at: performance.now() });
    }
    if (cut) return setTimeout(() => res.socket?.destroy(), 10);
    res.end();
  }

  const server: Server = createServer((req, res) => {
    open.add(res);
    res.on("close", () => open.delete(res));
    handle(req, res).catch((e) => {
      if (!res.headersSent) json(res, 500, { error: { message: `fake provider: ${String(e)}` } });
      else res.destroy();
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.host ?? "127.0.0.1"}:${port}`;

  const api: FakeProvider = {
    url,
    port,
    baseUrls: { openai: `${url}/v1`, anthropic: `${url}/v1`, google: `${url}/v1beta`, openaiCompatible: `${url}/v1` },
    requests,
    enqueue: (...s) => {
      queue.push(...s);
    },
    reset() {
      requests.length = 0;
      queue.length = 0;
      counters.clear();
    },
    configure(o) {
      if (o.latencyMs !== undefined) settings.latencyMs = o.latencyMs;
      if (o.chunks !== undefined) settings.chunks = o.chunks;
      if (o.chunkDelayMs !== undefined) settings.chunkDelayMs = o.chunkDelayMs;
      if ("apiKey" in o) settings.apiKey = o.apiKey;
      if (o.listing !== undefined) settings.listing = o.listing;
    },
    openRequests: () => open.size,
    stop() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
  return api;
}
