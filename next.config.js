import { PHASE_DEVELOPMENT_SERVER } from "next/constants.js";

/**
 * Security headers on every response (pages, API routes, static files); docs/security.md.
 * The Content-Security-Policy forbids framing (clickjacking), plug-ins, other origins' scripts,
 * styles, images and connections, and <base> tricks. Scripts keep 'unsafe-inline' because Next's
 * app router inlines its bootstrap scripts (a nonce would force every page to be rendered per
 * request), and 'unsafe-eval' because the workflow editor validates JSON Schemas in the browser
 * with Ajv, which compiles them into functions — and a CSP belongs to the document, so every page
 * the editor can be reached from by client-side navigation needs it. With 'unsafe-inline' present
 * it adds no real exposure; dropping both is the next step (nonces; an interpreting validator).
 * Development also needs the HMR web socket.
 */
export function contentSecurityPolicy({ dev = false } = {}) {
  return [
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function securityHeaders({ dev = false } = {}) {
  const csp = contentSecurityPolicy({ dev });
  return [
    { key: "Content-Security-Policy", value: csp },
    { key: "X-Frame-Options", value: "DENY" },
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
    {
      key: "Permissions-Policy",
      value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    },
    { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  ];
}

/** Two years, subdomains included: what browsers' preload lists ask for. */
export const HSTS = { key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" };

/**
 * The `headers()` rules. HSTS only over HTTPS: when the request came through a TLS-terminating
 * proxy that says so (`X-Forwarded-Proto: https`), or on every response when
 * SWITCHBOARD_HSTS=1 (read when the app is built). Over plain HTTP browsers ignore it anyway,
 * but sending it to a development server on localhost would pin that host to HTTPS.
 */
export function headerRules({ dev = false, alwaysHsts = false } = {}) {
  const rules = [{ source: "/:path*", headers: securityHeaders({ dev }) }];
  if (alwaysHsts) rules.push({ source: "/:path*", headers: [HSTS] });
  else
    rules.push({
      source: "/:path*",
      has: [{ type: "header", key: "x-forwarded-proto", value: "https(?:\\s*,.*)?" }],
      headers: [HSTS],
    });
  return rules;
}

/** @type {(phase: string) => import('next').NextConfig} */
export default function nextConfig(phase) {
  return {
    // Separate dist dirs let several dev servers (and the e2e server) share one checkout.
    distDir: process.env.NEXT_DIST_DIR ?? ".next",
    // Native and Node-only packages stay out of the server bundle and load from node_modules.
    serverExternalPackages: ["better-sqlite3", "@node-rs/argon2", "pg", "jsonata"],
    poweredByHeader: false,
    typedRoutes: false,
    // Server actions: Next refuses a body over this while reading it, before decoding (413). It is
    // the largest any action takes (workflow import, save, check: 10 MiB, ACTION_LARGE_BODY_BYTES
    // in lib/server/action.ts); every other action refuses more than 1 MiB itself (`too_large`).
    experimental: { serverActions: { bodySizeLimit: "10mb" } },
    async headers() {
      return headerRules({
        dev: phase === PHASE_DEVELOPMENT_SERVER,
        alwaysHsts: process.env.SWITCHBOARD_HSTS === "1",
      });
    },
  };
}
