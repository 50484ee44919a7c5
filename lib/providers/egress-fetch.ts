/**
 * A WHATWG `fetch` for the AI SDK providers that goes through the same egress guard as the http
 * node: the URL is checked before connecting (scheme, literal IPs, localhost) and every address
 * a host name resolves to is checked inside the socket's own DNS lookup, so the address checked is
 * the address connected to. Redirects are followed by hand, each hop through the guard. The body
 * streams (SSE works); a connection that breaks mid-body errors the stream with a RetryableError,
 * and bodies over `maxResponseBytes` error with a NonRetryableError.
 *
 * Sockets are kept alive per fetch instance (one instance per provider), which saves a TCP (and
 * TLS) handshake per model call; a pooled socket was connected through the guarded lookup.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import https from "node:https";
import { EgressDeniedError, NonRetryableError, RetryableError } from "@/lib/contracts/errors";
import type { EgressPolicy as SharedEgressPolicy } from "@/lib/contracts/ports";
import { checkEgressUrl, guardedLookup } from "@/lib/engine/egress";

/**
 * The shared egress policy (lib/contracts/ports/egress.ts: the installation's switch and a
 * workspace's allow-list of private hosts) plus this fetch's own limit.
 */
export interface EgressPolicy extends SharedEgressPolicy {
  /** Largest response body accepted (bytes). Default 32 MiB. */
  maxResponseBytes?: number;
  /** Wording of errors ("the model provider", "the webhook"…). Default "the model provider". */
  peer?: string;
}

export type FetchFunction = typeof globalThis.fetch;

const MAX_REDIRECTS = 5;
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

async function bodyBytes(body: unknown, headers: Headers): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  // FormData, Blob, URLSearchParams, streams: serialised once by undici (with its content type).
  const serialised = new Response(body as BodyInit);
  const type = serialised.headers.get("content-type");
  if (type && !headers.has("content-type")) headers.set("content-type", type);
  return Buffer.from(await serialised.arrayBuffer());
}

/**
 * A request option of the egress fetch (`init[TAKE_ANSWER]`): a 2xx answer is handed to this
 * function, its body read as Node buffers (through the same guard: size limit, broken connection,
 * abort), instead of being wrapped in a WHATWG Response, and the fetch rejects with what the
 * function returns. The model gateway reads plain-text answers this way (./wire/index.ts).
 * Answers that are not 2xx come back as a Response, as without the option.
 */
export const TAKE_ANSWER: unique symbol = Symbol("switchboard.egress.takeAnswer");
export type TakeAnswer = (answer: TakenAnswer) => unknown;

export interface TakenAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** Reads the body into `sink` (once); errors are the fetch's own (RetryableError, size limit, abort reason). */
  read(sink: BodySink): void;
  /** Closes the connection without reading (nothing more will be read). */
  cancel(): void;
}

export interface BodySink {
  /** A piece of the body; false asks for a pause until the sink reads again (a web stream's pull). */
  chunk(chunk: Buffer): boolean | undefined;
  end(): void;
  error(e: unknown): void;
}

/**
 * Feeds `res`'s body to `sink`, ending it with exactly one of `end` or `error`: a body over
 * `maxBytes` is a NonRetryableError, a connection that breaks or closes early a RetryableError.
 * Returns the way to fail it from outside (an abort; `undefined`: cancelled, nothing reported).
 */
function guardBody(
  res: IncomingMessage,
  sink: BodySink,
  limits: { maxBytes: number; peer: string; done: () => void },
): (e: unknown) => void {
  let bytes = 0;
  let done = false;
  const fail = (e: unknown) => {
    if (done) return;
    done = true;
    limits.done();
    if (e !== undefined) sink.error(e);
  };
  res.on("data", (chunk: Buffer) => {
    if (done) return;
    bytes += chunk.length;
    if (bytes > limits.maxBytes) {
      fail(new NonRetryableError(`The response of ${limits.peer} is larger than ${limits.maxBytes} bytes.`));
      res.destroy();
      return;
    }
    if (sink.chunk(chunk) === false) res.pause();
  });
  res.on("end", () => {
    if (done) return;
    done = true;
    limits.done();
    sink.end();
  });
  res.on("error", (e) =>
    fail(new RetryableError(`The connection to ${limits.peer} broke: ${e.message}`, { cause: e })),
  );
  res.on("close", () => {
    if (!done) fail(new RetryableError(`The connection to ${limits.peer} closed before the response ended.`));
  });
  return fail;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

/** A fetch through the egress guard (see the file comment). */
export function createEgressFetch(policy: EgressPolicy = {}): FetchFunction {
  const maxBytes = policy.maxResponseBytes ?? 32 * 1024 * 1024;
  const peer = policy.peer ?? "the model provider";
  const lookups = { allowed: guardedLookup(true), guarded: guardedLookup(false) };
  // Pooled sockets are keyed by host and port, so a socket is only reused for the host (and the
  // policy decision) it was connected for; each new socket gets the lookup of its request.
  const agents = {
    "http:": new http.Agent({ keepAlive: true }),
    "https:": new https.Agent({ keepAlive: true }),
  };

  function once(
    url: URL,
    allowPrivate: boolean,
    method: string,
    headers: Headers,
    body: Buffer | undefined,
    signal: AbortSignal | undefined,
    take: TakeAnswer | undefined,
  ) {
    return new Promise<Response>((resolve, reject) => {
      const mod = url.protocol === "https:" ? https : http;
      const outHeaders: Record<string, string> = {};
      headers.forEach((v, k) => {
        outHeaders[k] = v;
      });
      if (body !== undefined) outHeaders["content-length"] = String(body.length);
      let settled = false;
      let fail: ((e: unknown) => void) | undefined;
      const onAbort = () => {
        const reason = abortReason(signal!);
        r.destroy();
        if (!settled) {
          settled = true;
          reject(reason);
        } else fail?.(reason);
      };
      const r = mod.request(
        url,
        {
          method,
          headers: outHeaders,
          agent: agents[url.protocol as "http:" | "https:"],
          lookup: allowPrivate ? lookups.allowed : lookups.guarded,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          settled = true;
          const guard = (sink: BodySink) => {
            fail = guardBody(res, sink, { maxBytes, peer, done: () => signal?.removeEventListener("abort", onAbort) });
          };
          if (take && status >= 200 && status < 300) {
            const read = (sink: BodySink) => {
              // (read a few turns later: an abort or a closed connection in between is reported now)
              if (signal?.aborted) {
                signal.removeEventListener("abort", onAbort);
                return sink.error(abortReason(signal));
              }
              guard(sink);
              if (res.destroyed && !res.complete)
                fail?.(new RetryableError(`The connection to ${peer} closed before the response ended.`));
            };
            const cancel = () => {
              // a read in progress ends without reporting anything, as the web stream's cancel
              fail?.(undefined);
              signal?.removeEventListener("abort", onAbort);
              res.destroy();
            };
            reject(take({ status, headers: res.headers, read, cancel }));
            return;
          }
          const responseHeaders = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (v === undefined) continue;
            for (const one of Array.isArray(v) ? v : [v]) responseHeaders.append(k, one);
          }
          let stream: ReadableStream<Uint8Array> | null = null;
          if (!NULL_BODY_STATUSES.has(status) && method !== "HEAD") {
            stream = new ReadableStream<Uint8Array>({
              start(controller) {
                guard({
                  chunk(chunk) {
                    controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
                    return (controller.desiredSize ?? 1) > 0;
                  },
                  end: () => controller.close(),
                  error: (e) => controller.error(e),
                });
              },
              pull() {
                res.resume();
              },
              cancel() {
                fail?.(undefined);
                res.destroy();
              },
            });
          } else {
            res.resume();
            signal?.removeEventListener("abort", onAbort);
          }
          resolve(new Response(stream, { status, statusText: res.statusMessage ?? "", headers: responseHeaders }));
        },
      );
      r.on("error", (e) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        if (signal?.aborted) return reject(abortReason(signal));
        const denied = e instanceof EgressDeniedError ? e : (e as { cause?: unknown }).cause;
        if (denied instanceof EgressDeniedError) return reject(denied);
        reject(new RetryableError(`Could not reach ${peer}: ${e.message}`, { cause: e }));
      });
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      r.end(body);
    });
  }

  return async function egressFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
    const request = typeof input === "object" && "url" in input && !(input instanceof URL) ? input : undefined;
    let { url, allowPrivate } = checkEgressUrl(request ? request.url : String(input), policy);
    let method = (init.method ?? request?.method ?? "GET").toUpperCase();
    const headers = new Headers(init.headers ?? request?.headers);
    let body = await bodyBytes(init.body ?? (request?.body ? await request.arrayBuffer() : undefined), headers);
    const signal = init.signal ?? request?.signal ?? undefined;
    const take = (init as { [TAKE_ANSWER]?: TakeAnswer })[TAKE_ANSWER];
    for (let hop = 0; ; hop++) {
      const res = await once(url, allowPrivate, method, headers, body, signal, take);
      const location = res.headers.get("location");
      if (![301, 302, 303, 307, 308].includes(res.status) || !location) return res;
      await res.body?.cancel();
      if (hop >= MAX_REDIRECTS) throw new NonRetryableError(`Too many redirects (more than ${MAX_REDIRECTS}).`);
      const next = checkEgressUrl(new URL(location, url).toString(), policy);
      if (next.url.origin !== url.origin) {
        // never carry credentials to another origin
        for (const h of ["authorization", "x-api-key", "x-goog-api-key", "api-key", "cookie"]) headers.delete(h);
      }
      url = next.url;
      allowPrivate = next.allowPrivate;
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
        method = "GET";
        body = undefined;
        headers.delete("content-type");
      }
    }
  };
}
