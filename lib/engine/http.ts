/**
 * HTTP with an egress guard. Every address a host name resolves to is checked (not just the
 * first), and the check runs inside the socket's own DNS lookup, so the address that is checked
 * is the address that is connected to (no DNS-rebinding window). Literal IPs are checked before
 * connecting. Redirects are followed by hand (at most 5), each hop through the same guard.
 *
 * Refused unless `allowPrivateNetwork`: loopback, private (RFC 1918, ULA), link-local (which
 * includes the cloud metadata address 169.254.169.254), CGNAT, "this network", multicast,
 * reserved, and IPv4 embedded in IPv6 (mapped, NAT64, 6to4) pointing at any of those.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { EgressDeniedError, NonRetryableError, RetryableError, TimeoutError } from "./errors";
import type { HttpFetcher, HttpRequest, HttpResponse } from "./ports";

const blocked = new BlockList();
// IPv4
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(net, prefix, "ipv4");
}
// IPv6
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
  ["2001:db8::", 32],
  ["100::", 64],
] as const) {
  blocked.addSubnet(net, prefix, "ipv6");
}

/** IPv4 address embedded in an IPv6 one (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16), if any. */
function embeddedIpv4(ip: string): string | null {
  const lower = ip.toLowerCase();
  const dotted = lower.match(/^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) return dotted[1]!;
  const groups = expandIpv6(lower);
  if (!groups) return null;
  const toV4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  // ::ffff:x:y (mapped) and ::x:y (compatible)
  if (groups.slice(0, 5).every((g) => g === 0) && (groups[5] === 0xffff || groups[5] === 0))
    return toV4(groups[6]!, groups[7]!);
  // 64:ff9b::/96
  if (groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0))
    return toV4(groups[6]!, groups[7]!);
  // 2002:AABB:CCDD::/48 (6to4)
  if (groups[0] === 0x2002) return toV4(groups[1]!, groups[2]!);
  return null;
}

function expandIpv6(ip: string): number[] | null {
  if (ip.includes(".")) return null;
  const [head, tail] = ip.split("::") as [string, string | undefined];
  const h = head ? head.split(":") : [];
  const t = tail !== undefined && tail !== "" ? tail.split(":") : [];
  if (ip.split("::").length > 2) return null;
  const missing = 8 - h.length - t.length;
  if (tail === undefined && missing !== 0) return null;
  const all = [...h, ...Array(Math.max(0, missing)).fill("0"), ...t];
  if (all.length !== 8) return null;
  const out = all.map((g) => Number.parseInt(g || "0", 16));
  return out.some((n) => Number.isNaN(n) || n < 0 || n > 0xffff) ? null : out;
}

/** True when an IP literal is one the egress guard refuses. Non-IPs return true (refuse). */
export function isForbiddenAddress(ip: string): boolean {
  const clean = ip.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const family = isIP(clean);
  if (family === 4) return blocked.check(clean, "ipv4");
  if (family === 6) {
    if (blocked.check(clean, "ipv6")) return true;
    const v4 = embeddedIpv4(clean);
    if (v4) return blocked.check(v4, "ipv4");
    return false;
  }
  return true;
}

function denied(host: string, address: string) {
  return new EgressDeniedError(
    `The address ${address} of "${host}" is on a private, loopback, link-local or metadata network, which workflows may not call. An administrator can allow private networks.`,
  );
}

/** A socket `lookup` that resolves every address and refuses the call if any is forbidden. */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return ((hostname: string, options: unknown, callback: (...args: unknown[]) => void) => {
    const opts = (typeof options === "object" && options ? options : {}) as { family?: number; all?: boolean };
    dnsLookup(hostname, { all: true, family: opts.family ?? 0 }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err);
      if (!addresses || addresses.length === 0) return callback(new Error(`No address for ${hostname}`));
      if (!allowPrivate) {
        for (const a of addresses) if (isForbiddenAddress(a.address)) return callback(denied(hostname, a.address));
      }
      if (opts.all) return callback(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  }) as LookupFunction;
}

/** Checks a URL before any connection: scheme, credentials in the URL, literal IPs. */
export function checkUrl(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new NonRetryableError(`"${raw.slice(0, 200)}" is not a valid URL.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new EgressDeniedError(`Only http and https URLs can be called (got ${url.protocol}).`);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!allowPrivate && isIP(host) && isForbiddenAddress(host)) throw denied(host, host);
  if (!allowPrivate && (host === "localhost" || host.endsWith(".localhost"))) throw denied(host, "127.0.0.1");
  return url;
}

const MAX_REDIRECTS = 5;

function requestOnce(
  url: URL,
  req: HttpRequest,
  method: string,
  body: string | undefined,
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
        lookup: guardedLookup(req.allowPrivateNetwork),
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

/** The default HttpFetcher (node:http/https with the egress guard). */
export function createHttpFetcher(): HttpFetcher {
  return {
    async fetch(req) {
      let url = checkUrl(req.url, req.allowPrivateNetwork);
      let method = req.method.toUpperCase();
      let body = req.body;
      for (let hop = 0; ; hop++) {
        const res = await requestOnce(url, req, method, body);
        if ([301, 302, 303, 307, 308].includes(res.status) && res.location) {
          if (hop >= MAX_REDIRECTS) throw new NonRetryableError(`Too many redirects (more than ${MAX_REDIRECTS}).`);
          url = checkUrl(new URL(res.location, url).toString(), req.allowPrivateNetwork);
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

/** Retry-After (seconds or an HTTP date) in ms, or undefined. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.min(Math.round(Number(trimmed) * 1000), 3_600_000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.min(at - now.getTime(), 3_600_000));
}
