// Who is really on the other end of a request: the address sign-in throttling counts and the
// audit log records.
//
// Route handlers do not see the TCP socket. Next's server sets `x-forwarded-for` to the socket's
// address only when the request has none (`??=` in next/dist/server/base-server.js), so a client
// that sends its own X-Forwarded-For chooses the address. bin/start.mjs therefore preloads
// bin/peer-address.cjs into the server process, which writes the socket's address into
// `x-switchboard-peer` on every request (overwriting what the client sent) and sets a global flag.
//
// The rule:
//   - the peer is that header, read only when the preload is active in this process;
//   - X-Forwarded-For / X-Real-IP are read only when the peer is in SWITCHBOARD_TRUSTED_PROXIES
//     (IPs or CIDRs, comma-separated; default none). X-Forwarded-For is walked from the right,
//     skipping trusted proxies: the first untrusted address is the client (a client can prepend
//     anything, but not what the proxies appended);
//   - otherwise the client is the peer;
//   - without the preload (someone ran `next start` by hand) the client is unknown (null): the
//     throttle then counts per account only, never per forged address.
import { BlockList, isIP } from "node:net";
import { readEnv } from "@/lib/env";

export const PEER_HEADER = "x-switchboard-peer";
const FLAG = Symbol.for("switchboard.peerHeader");

type HeaderSource = Headers | Record<string, unknown> | undefined | null;

function header(headers: HeaderSource, name: string): string | null {
  if (!headers) return null;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name);
  const value = (headers as Record<string, unknown>)[name];
  if (Array.isArray(value)) return typeof value[0] === "string" ? value[0] : null;
  return typeof value === "string" ? value : null;
}

/** "::ffff:10.0.0.1" → "10.0.0.1", "[::1]" → "::1", anything not an IP → null. */
export function normalizeIp(value: string | null | undefined): string | null {
  if (!value) return null;
  let v = value.trim();
  if (v.startsWith("[") && v.includes("]")) v = v.slice(1, v.indexOf("]"));
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(v)) v = v.slice(7);
  // "1.2.3.4:5678" (some proxies add the port)
  if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(v)) v = v.slice(0, v.lastIndexOf(":"));
  return isIP(v) ? v : null;
}

export type TrustedProxies = { has(ip: string): boolean; readonly size: number };

/** Parses "10.0.0.1, 10.1.0.0/16, ::1" (throws naming a bad entry). */
export function parseTrustedProxies(list: string): TrustedProxies {
  const blocks = new BlockList();
  let size = 0;
  for (const raw of list.split(",")) {
    const entry = raw.trim();
    if (!entry) continue;
    const [address, prefix] = entry.split("/");
    const ip = normalizeIp(address);
    const family = ip ? isIP(ip) : 0;
    if (!ip || !family) throw new Error(`SWITCHBOARD_TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR.`);
    const type = family === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) blocks.addAddress(ip, type);
    else {
      const bits = Number(prefix);
      if (!/^\d+$/.test(prefix) || bits > (family === 6 ? 128 : 32))
        throw new Error(`SWITCHBOARD_TRUSTED_PROXIES: "${entry}" has a bad prefix length.`);
      blocks.addSubnet(ip, bits, type);
    }
    size++;
  }
  return {
    size,
    has(ip) {
      const n = normalizeIp(ip);
      if (!n) return false;
      return blocks.check(n, isIP(n) === 6 ? "ipv6" : "ipv4");
    },
  };
}

let cached: { list: string; proxies: TrustedProxies } | null = null;

function trustedFromEnv(): TrustedProxies {
  const list = readEnv().SWITCHBOARD_TRUSTED_PROXIES;
  if (cached?.list !== list) cached = { list, proxies: parseTrustedProxies(list) };
  return cached.proxies;
}

/** Is bin/peer-address.cjs loaded in this process (so `x-switchboard-peer` is the socket's address)? */
export function peerHeaderActive(): boolean {
  return (globalThis as Record<symbol, unknown>)[FLAG] === PEER_HEADER;
}

/**
 * The client's address for this request's headers, or null when it cannot be known. `options`
 * are for tests (defaults: the environment's proxies, the preload's flag).
 */
export function clientAddress(
  headers: HeaderSource,
  options: { trusted?: TrustedProxies; peerKnown?: boolean } = {},
): string | null {
  const peerKnown = options.peerKnown ?? peerHeaderActive();
  if (!peerKnown) return null;
  const peer = normalizeIp(header(headers, PEER_HEADER));
  if (!peer) return null;
  const trusted = options.trusted ?? trustedFromEnv();
  if (trusted.size === 0 || !trusted.has(peer)) return peer;
  const forwarded = header(headers, "x-forwarded-for");
  if (forwarded) {
    const hops = forwarded.split(",").map((h) => h.trim());
    let last: string | null = null;
    for (let i = hops.length - 1; i >= 0; i--) {
      const ip = normalizeIp(hops[i]);
      // garbage in the chain: what is left of it was written by the client
      if (!ip) return last ?? peer;
      if (!trusted.has(ip)) return ip;
      last = ip;
    }
    return last ?? peer;
  }
  const real = normalizeIp(header(headers, "x-real-ip"));
  return real ?? peer;
}
