// Security headers on every response (next.config.js): no framing, no MIME sniffing, a referrer
// policy, a permissions policy, a CSP, and HSTS only over HTTPS.
import { PHASE_DEVELOPMENT_SERVER, PHASE_PRODUCTION_SERVER } from "next/constants.js";
import { describe, expect, it } from "vitest";

type Header = { key: string; value: string };
// next.config.js is plain JavaScript without types: load it by URL and type what we use.
const config = (await import(new URL("../../next.config.js", import.meta.url).href)) as {
  default: (phase: string) => { headers?: () => Promise<unknown> };
  HSTS: Header;
};
const nextConfig = config.default;
const HSTS = config.HSTS;

type Rule = { source: string; has?: { type: string; key: string; value?: string }[]; headers: Header[] };

async function rules(phase: string, env: Record<string, string | undefined> = {}): Promise<Rule[]> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return (await nextConfig(phase).headers?.()) as Rule[];
  } finally {
    process.env = saved;
  }
}

/** Whether a rule's source pattern (`/:path*`, `/workflows/:id`) matches the path. */
function matches(source: string, path: string): boolean {
  if (source === "/:path*") return true;
  const pattern = source.replace(/:[a-z]+\*/g, ".*").replace(/:[a-z]+/g, "[^/]+");
  return new RegExp(`^${pattern}$`).test(path);
}

/** The headers a request gets: every matching rule whose `has` conditions it meets; later rules win. */
function headersFor(all: Rule[], request: Record<string, string> = {}, path = "/signin"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rule of all) {
    const applies =
      matches(rule.source, path) &&
      (rule.has ?? []).every((h) => h.type === "header" && new RegExp(`^${h.value}$`).test(request[h.key] ?? ""));
    if (applies) for (const h of rule.headers) out[h.key.toLowerCase()] = h.value;
  }
  return out;
}

describe("security headers", () => {
  it("every response forbids framing and sniffing and carries a CSP, referrer and permissions policy", async () => {
    const h = headersFor(await rules(PHASE_PRODUCTION_SERVER));
    const csp = h["content-security-policy"] ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'self'");
    expect(csp).toMatch(/default-src 'self'/);
    expect(h["x-frame-options"]).toBe("DENY");
    expect(h["x-content-type-options"]).toBe("nosniff");
    expect(h["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(h["permissions-policy"]).toMatch(/camera=\(\).*microphone=\(\).*geolocation=\(\)/);
    expect(h["strict-transport-security"]).toBeUndefined();
  });

  it("HSTS only when the request came over HTTPS, or always when SWITCHBOARD_HSTS=1", async () => {
    const prod = await rules(PHASE_PRODUCTION_SERVER);
    expect(headersFor(prod, { "x-forwarded-proto": "https" })["strict-transport-security"]).toBe(HSTS.value);
    expect(headersFor(prod, { "x-forwarded-proto": "https, http" })["strict-transport-security"]).toBe(HSTS.value);
    expect(headersFor(prod, { "x-forwarded-proto": "http" })["strict-transport-security"]).toBeUndefined();
    const forced = await rules(PHASE_PRODUCTION_SERVER, { SWITCHBOARD_HSTS: "1" });
    expect(headersFor(forced)["strict-transport-security"]).toBe(HSTS.value);
    expect(HSTS.value).toMatch(/max-age=\d{8,}/);
  });

  it("one policy for every page: a CSP belongs to the document, and client navigation keeps it", async () => {
    const prod = await rules(PHASE_PRODUCTION_SERVER);
    const csp = headersFor(prod)["content-security-policy"];
    for (const path of ["/workflows", "/workflows/abc123", "/inbox", "/runs/r1", "/api/v1/runs"])
      expect(headersFor(prod, {}, path)["content-security-policy"], path).toBe(csp);
    // The editor compiles JSON Schemas with Ajv in the browser (new Function).
    expect(csp).toContain("'unsafe-eval'");
  });

  it("the development server may open its HMR socket; production may not", async () => {
    const dev = headersFor(await rules(PHASE_DEVELOPMENT_SERVER))["content-security-policy"];
    expect(dev).toMatch(/connect-src 'self' ws: wss:/);
    expect(dev).toContain("frame-ancestors 'none'");
    const prod = headersFor(await rules(PHASE_PRODUCTION_SERVER))["content-security-policy"];
    expect(prod).toMatch(/connect-src 'self';/);
  });
});
