/**
 * The http node's HttpFetcher: node:http/https through the egress guard (./egress.ts, the one
 * policy every outbound call uses). Every address a host name resolves to is checked (not just
 * the first), inside the socket's own DNS lookup, so the address that is checked is the address
 * that is connected to. Literal IPs are checked before connecting. Redirects are followed by hand
 * (at most 5), each hop through the same guard.
 *
 * Private addresses are refused unless the request's `allowPrivateNetwork` (the installation's
 * switch) or the host's egress policy for the request's workspace (its allow-list) allows them.
 */
import http from "node:http";
import https from "node:https";
import { EgressDeniedError, NonRetryableError, RetryableError, TimeoutError } from "@/lib/contracts/errors";
import type { EgressPolicy, EgressPolicyResolver, HttpFetcher, HttpRequest, HttpResponse } from "@/lib/contracts/ports";
import { checkEgressUrl, guardedLookup, mergeEgressPolicies } from "./egress";

export { checkUrl, guardedLookup, isForbiddenAddress } from "./egress";

const MAX_REDIRECTS = 5;
const CREDENTIAL_HEADERS = ["authorization", "proxy-authorization", "cookie", "x-api-key", "api-key"];

/** The headers without the credential-carrying ones (a redirect to another origin must not carry them). */
function withoutCredentials(headers: Record<string, string>, extra: string[] = []): Record<string, string> {
  const drop = new Set([...CREDENTIAL_HEADERS, ...extra.map((h) => h.toLowerCase())]);
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !drop.has(k.toLowerCase())));
}

function requestOnce(
  url: URL,
  req: HttpRequest,
  method: string,
  body: string | undefined,
  allowPrivate: boolean,
): Promise<HttpResponse & { location?: string }> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === "https:" ? https : http;
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal.removeEventListener("abort", onAbort);
      fn();
    };
    const r = mod.request(
      url,
      {
        method,
        headers: {
          ...req.headers,
          ...(body !== undefined ? { "content-length": String(Buffer.byteLength(body)) } : {}),
        },
        lookup: guardedLookup(allowPrivate),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > req.maxResponseBytes) {
            res.destroy();
            finish(() =>
              reject(
                new NonRetryableError(`The response is larger than ${req.maxResponseBytes} bytes, the most allowed.`),
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on("end", () =>
          finish(() => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers))
              if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
            resolve({
              status: res.statusCode ?? 0,
              headers,
              body: Buffer.concat(chunks).toString("utf8"),
              bytes,
              url: url.toString(),
              location: typeof res.headers.location === "string" ? res.headers.location : undefined,
            });
          }),
        );
        res.on("error", (e) =>
          finish(() => reject(new RetryableError(`The connection broke: ${e.message}`, { cause: e }))),
        );
      },
    );
    const timer = setTimeout(() => {
      r.destroy();
      finish(() =>
        reject(new TimeoutError(`The request took longer than ${req.timeoutMs} ms.`, { timeoutMs: req.timeoutMs })),
      );
    }, req.timeoutMs);
    const onAbort = () => {
      r.destroy();
      finish(() => reject(req.signal.reason ?? new Error("aborted")));
    };
    if (req.signal.aborted) return onAbort();
    req.signal.addEventListener("abort", onAbort, { once: true });
    r.on("error", (e) =>
      finish(() => {
        if (e instanceof EgressDeniedError) return reject(e);
        const cause = (e as { cause?: unknown }).cause;
        if (cause instanceof EgressDeniedError) return reject(cause);
        reject(new RetryableError(`The request could not be sent: ${e.message}`, { cause: e }));
      }),
    );
    if (body !== undefined) r.write(body);
    r.end();
  });
}

export interface HttpFetcherOptions {
  /** The egress policy of a request's workspace (the host's: its allow-list), merged with the request's switch. */
  policy?: EgressPolicyResolver;
}

/** The default HttpFetcher (node:http/https with the egress guard). */
export function createHttpFetcher(options: HttpFetcherOptions = {}): HttpFetcher {
  return {
    async fetch(req) {
      const workspace: EgressPolicy | undefined = options.policy ? await options.policy(req.workspaceId) : undefined;
      const policy = mergeEgressPolicies({ allowPrivateNetwork: req.allowPrivateNetwork }, workspace);
      let { url, allowPrivate } = checkEgressUrl(req.url, policy);
      let method = req.method.toUpperCase();
      let body = req.body;
      let current = req;
      for (let hop = 0; ; hop++) {
        const res = await requestOnce(url, current, method, body, allowPrivate);
        if ([301, 302, 303, 307, 308].includes(res.status) && res.location) {
          if (hop >= MAX_REDIRECTS) throw new NonRetryableError(`Too many redirects (more than ${MAX_REDIRECTS}).`);
          const from = url.origin;
          ({ url, allowPrivate } = checkEgressUrl(new URL(res.location, url).toString(), policy));
          if (url.origin !== from)
            current = { ...current, headers: withoutCredentials(current.headers, current.sensitiveHeaders) };
          if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
            method = "GET";
            body = undefined;
          }
          continue;
        }
        const { location: _l, ...out } = res;
        return out;
      }
    },
  };
}
