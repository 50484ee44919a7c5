/**
 * The egress policy, in one place: every outbound call of Switchboard — the http node
 * (./http.ts), model providers (lib/providers/egress-fetch.ts), notification webhooks and OTLP
 * export — checks its URL and every address its host name resolves to here.
 *
 * Refused unless the policy allows them: loopback, private (RFC 1918, ULA), link-local (which
 * includes the cloud metadata address 169.254.169.254), CGNAT, "this network", multicast,
 * reserved, and IPv4 embedded in IPv6 (mapped, NAT64, 6to4) pointing at any of those. A policy
 * allows them all (`allowPrivateNetwork`: the installation's SWITCHBOARD_ALLOW_PRIVATE_NETWORK=1)
 * or for listed hosts only (`allowHosts`: a workspace's allow-list, `host` or `host:port`).
 *
 * The address check runs inside the socket's own DNS lookup (`guardedLookup`), so the address
 * that is checked is the address that is connected to (no DNS-rebinding window); literal IPs and
 * `localhost` are refused before connecting (`checkUrl`).
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { EgressDeniedError, NonRetryableError } from "@/lib/contracts/errors";
import type { EgressPolicy } from "@/lib/contracts/ports";

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

// ------------------------------------------------------------------ the allow-list

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*\.?$/;

export interface AllowEntry {
  /** lower-case host as a URL writes it (IPv6 in brackets) */
  host: string;
  port: number | null;
}

/**
 * Parses one allow-list entry (`host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 literal);
 * returns the normalised `host[:port]` or an error message.
 */
export function parseAllowEntry(
  raw: string,
): { ok: true; entry: AllowEntry; text: string } | { ok: false; error: string } {
  const value = raw.trim().toLowerCase();
  if (!value) return { ok: false, error: "is empty" };
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(value)) return { ok: false, error: "give a host or host:port, not a URL" };
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([0-9a-f:.]+)\](?::(\d+))?$/.exec(value);
  if (bracketed) {
    if (isIP(bracketed[1]!) !== 6) return { ok: false, error: "is not an IPv6 address" };
    host = `[${bracketed[1]}]`;
    portText = bracketed[2];
  } else if (isIP(value) === 6) {
    host = `[${value}]`;
  } else {
    const m = /^([^:/\s]+)(?::(\d+))?$/.exec(value);
    if (!m) return { ok: false, error: "must be a host name or IP address, optionally with :port" };
    host = m[1]!;
    portText = m[2];
    if (isIP(host) !== 4 && !HOST_NAME.test(host))
      return { ok: false, error: "must be a host name or IP address, optionally with :port" };
  }
  let port: number | null = null;
  if (portText !== undefined) {
    port = Number(portText);
    if (!Number.isInteger(port) || port < 1 || port > 65_535) return { ok: false, error: "has a port outside 1-65535" };
  }
  return { ok: true, entry: { host, port }, text: port === null ? host : `${host}:${port}` };
}

function defaultPort(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === "https:" ? 443 : 80;
}

/** True when the policy lets this URL's host reach private addresses. */
export function privateAllowedFor(policy: EgressPolicy | boolean | undefined, url: URL): boolean {
  if (typeof policy === "boolean" || !policy) return policy === true;
  if (policy.allowPrivateNetwork) return true;
  if (!policy.allowHosts || policy.allowHosts.length === 0) return false;
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  const port = defaultPort(url);
  for (const raw of policy.allowHosts) {
    const parsed = parseAllowEntry(raw);
    if (!parsed.ok) continue;
    const entryHost = parsed.entry.host.replace(/\.$/, "");
    if (entryHost === host && (parsed.entry.port === null || parsed.entry.port === port)) return true;
  }
  return false;
}

/** Merges policies: private addresses allowed when either allows them; allow-lists joined. */
export function mergeEgressPolicies(...policies: (EgressPolicy | undefined)[]): EgressPolicy {
  const hosts = new Set<string>();
  let any = false;
  for (const p of policies) {
    if (!p) continue;
    if (p.allowPrivateNetwork) any = true;
    for (const h of p.allowHosts ?? []) hosts.add(h);
  }
  return { allowPrivateNetwork: any, allowHosts: [...hosts] };
}

// ------------------------------------------------------------------ the checks

function denied(host: string, address: string) {
  return new EgressDeniedError(
    `The address ${address} of "${host}" is on a private, loopback, link-local or metadata network, which may not be called. An administrator can allow this host in Settings → Network egress (or every private address with SWITCHBOARD_ALLOW_PRIVATE_NETWORK=1).`,
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

/**
 * Checks a URL before any connection: scheme, literal IPs, `localhost`. Returns the URL and
 * whether its host may reach private addresses (pass that to `guardedLookup`). A boolean policy
 * is the old form: true allows every private address.
 */
export function checkEgressUrl(
  raw: string,
  policy: EgressPolicy | boolean | undefined,
): { url: URL; allowPrivate: boolean } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new NonRetryableError(`"${raw.slice(0, 200)}" is not a valid URL.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new EgressDeniedError(`Only http and https URLs can be called (got ${url.protocol}).`);
  const allowPrivate = privateAllowedFor(policy, url);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!allowPrivate && isIP(host) && isForbiddenAddress(host)) throw denied(host, host);
  if (!allowPrivate && (host === "localhost" || host.endsWith(".localhost"))) throw denied(host, "127.0.0.1");
  return { url, allowPrivate };
}

/** `checkEgressUrl` returning the URL only (the form lib/providers and older callers use). */
export function checkUrl(raw: string, policy: EgressPolicy | boolean | undefined): URL {
  return checkEgressUrl(raw, policy).url;
}

/**
 * Resolves a URL's host now and checks every address (for clients whose sockets we cannot hook,
 * e.g. an exporter library): throws EgressDeniedError when the policy refuses it.
 */
export async function assertEgressAllowed(raw: string, policy: EgressPolicy | boolean | undefined): Promise<URL> {
  const { url, allowPrivate } = checkEgressUrl(raw, policy);
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) return url;
  await new Promise<void>((resolve, reject) =>
    guardedLookup(false)(host, { all: true }, (err) => (err ? reject(err) : resolve())),
  );
  return url;
}
