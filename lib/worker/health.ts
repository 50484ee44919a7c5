// A worker's health port (`switchboard worker --health-port N`): a small HTTP server for probes
// and scrapers, next to no other surface.
//
//   GET /live     200 while the process runs
//   GET /ready    200 when the database is reachable and migrated and the worker takes jobs; else 503
//   GET /health   both, as JSON (200 when ready, else 503)
//   GET /metrics  Prometheus text (lib/telemetry/metrics.ts)
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PROMETHEUS_CONTENT_TYPE } from "../telemetry/metrics";

export interface Readiness {
  ready: boolean;
  [detail: string]: unknown;
}

export interface HealthServerOptions {
  port: number;
  /** Interface to bind (default 0.0.0.0: probes come from outside a container). */
  host?: string;
  readiness(): Promise<Readiness>;
  metrics(): Promise<string>;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(JSON.stringify(body));
    };
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/live") return json(200, { live: true });
    if (path === "/ready" || path === "/health") {
      options.readiness().then(
        (r) => json(r.ready ? 200 : 503, path === "/ready" ? { ready: r.ready } : { live: true, ...r }),
        () => json(503, { ready: false }),
      );
      return;
    }
    if (path === "/metrics") {
      options.metrics().then(
        (text) => {
          res.writeHead(200, { "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" });
          res.end(text);
        },
        () => res.writeHead(500).end(),
      );
      return;
    }
    json(404, { error: "not found" });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
