// The metrics over OTLP/HTTP to a real collector stub on 127.0.0.1, which decodes the JSON
// requests the official exporter sends: the instruments arrive by name with their values and
// attributes (counters, the step-duration histogram, the queue-depth gauge), from a host started
// with OTEL_EXPORTER_OTLP_ENDPOINT set as from the exporter itself; the collector's address goes
// through the egress policy (refused on the private network unless allowed).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isEgressDeniedError } from "@/lib/contracts/errors";
import { openTestSqlite } from "../db/testing";
import { readEnv } from "../env";
import { createHost } from "../host";
import { switchboardMetrics } from "./metrics";
import { metricsUrlFromEnv, startMetricsExport } from "./metrics-export";

interface Point {
  attributes?: { key: string; value: { stringValue?: string } }[];
  asDouble?: number;
  asInt?: number | string;
  count?: number | string;
  sum?: number;
  bucketCounts?: (number | string)[];
  explicitBounds?: number[];
}
interface OtlpMetric {
  name: string;
  unit?: string;
  sum?: { dataPoints: Point[]; isMonotonic?: boolean; aggregationTemporality?: number };
  gauge?: { dataPoints: Point[] };
  histogram?: { dataPoints: Point[] };
}
interface Request {
  path: string;
  contentType: string;
  resource: Record<string, string>;
  metrics: Map<string, OtlpMetric>;
}

/** A collector: stores each POST's decoded metrics. */
async function startCollector(): Promise<{ url: string; requests: Request[]; stop(): Promise<void> }> {
  const requests: Request[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const parsed = JSON.parse(body) as {
        resourceMetrics: {
          resource: { attributes: { key: string; value: { stringValue?: string } }[] };
          scopeMetrics: { metrics: OtlpMetric[] }[];
        }[];
      };
      for (const rm of parsed.resourceMetrics)
        requests.push({
          path: req.url ?? "",
          contentType: String(req.headers["content-type"]),
          resource: Object.fromEntries(rm.resource.attributes.map((a) => [a.key, a.value.stringValue ?? ""])),
          metrics: new Map(rm.scopeMetrics.flatMap((s) => s.metrics).map((m) => [m.name, m])),
        });
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () => new Promise((r) => server.close(() => r())),
  };
}

const value = (p: Point) => Number(p.asDouble ?? p.asInt ?? 0);
const attr = (p: Point, key: string) => p.attributes?.find((a) => a.key === key)?.value.stringValue;

describe("metrics over OTLP/HTTP", () => {
  let collector: Awaited<ReturnType<typeof startCollector>>;
  beforeAll(async () => {
    collector = await startCollector();
  });
  afterAll(async () => {
    await collector?.stop();
  });

  it("sends every instrument with its values and attributes", async () => {
    const metrics = switchboardMetrics();
    const before = await metrics.collect();
    const finishedBefore = before.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === "switchboard.runs.finished")
      ?.dataPoints.filter((p) => p.attributes.status === "succeeded")
      .reduce((a, p) => a + (p.value as number), 0);
    metrics.runsFinished.add(3, { status: "succeeded" });
    metrics.runsFinished.add(1, { status: "failed" });
    metrics.leaseTakeovers.add(2);
    metrics.budgetReservations.add(5, { outcome: "reserved" });
    metrics.budgetReservations.add(1, { outcome: "refused" });
    metrics.stepDuration.record(7);
    metrics.stepDuration.record(700);
    metrics.setQueueDepthSource(async () => ({ waiting: 11, running: 4, scheduled: 2 }));
    const exp = startMetricsExport({
      url: `${collector.url}/v1/metrics`,
      intervalMs: 60_000,
      serviceName: "switchboard-test",
      instance: "worker:h:1",
      egress: { allowPrivateNetwork: true },
      metrics,
    });
    try {
      await exp.flush();
    } finally {
      metrics.setQueueDepthSource(null);
      await exp.shutdown();
    }
    expect(collector.requests.length).toBeGreaterThanOrEqual(2); // the flush and the last send on shutdown
    const r = collector.requests[0]!;
    expect(r.path).toBe("/v1/metrics");
    expect(r.contentType).toMatch(/application\/json/);
    expect(r.resource).toMatchObject({ "service.name": "switchboard-test", "service.instance.id": "worker:h:1" });

    const finished = r.metrics.get("switchboard.runs.finished")!;
    expect(finished.sum?.isMonotonic).toBe(true);
    const succeeded = finished.sum!.dataPoints.find((p) => attr(p, "status") === "succeeded")!;
    expect(value(succeeded)).toBe((finishedBefore ?? 0) + 3);
    expect(value(finished.sum!.dataPoints.find((p) => attr(p, "status") === "failed")!)).toBeGreaterThanOrEqual(1);
    expect(value(r.metrics.get("switchboard.lease.takeovers")!.sum!.dataPoints[0]!)).toBeGreaterThanOrEqual(2);
    const budget = r.metrics.get("switchboard.budget.reservations")!.sum!.dataPoints;
    expect(value(budget.find((p) => attr(p, "outcome") === "reserved")!)).toBeGreaterThanOrEqual(5);
    expect(value(budget.find((p) => attr(p, "outcome") === "refused")!)).toBeGreaterThanOrEqual(1);
    const depth = r.metrics.get("switchboard.queue.depth")!.gauge!.dataPoints;
    expect(Object.fromEntries(depth.map((p) => [attr(p, "state"), value(p)]))).toEqual({
      waiting: 11,
      running: 4,
      scheduled: 2,
    });
    const hist = r.metrics.get("switchboard.step.duration")!;
    expect(hist.unit).toBe("ms");
    const h = hist.histogram!.dataPoints[0]!;
    expect(Number(h.count)).toBeGreaterThanOrEqual(2);
    expect(Number(h.sum)).toBeGreaterThanOrEqual(707);
    expect(h.explicitBounds).toContain(1000);
    expect(h.bucketCounts!.map(Number).reduce((a, b) => a + b, 0)).toBe(Number(h.count));
  });

  it("refuses a collector the egress policy refuses", () => {
    let error: unknown;
    try {
      startMetricsExport({ url: `${collector.url}/v1/metrics`, egress: { allowPrivateNetwork: false } });
    } catch (e) {
      error = e;
    }
    expect(isEgressDeniedError(error)).toBe(true);
  });

  it("is configured by the environment: a host started with metrics exports them, and stops with the host", async () => {
    expect(metricsUrlFromEnv({})).toBeNull();
    expect(metricsUrlFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318/" })).toBe("http://c:4318/v1/metrics");
    expect(
      metricsUrlFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318",
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "http://m:9000/otlp/metrics",
      }),
    ).toBe("http://m:9000/otlp/metrics");

    const db = await openTestSqlite();
    const lines: string[] = [];
    const seen = collector.requests.length;
    const host = await createHost({
      role: "worker",
      db,
      owner: "worker:metrics-host:7",
      env: readEnv({
        ...process.env,
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${collector.url}/custom/metrics`,
        OTEL_METRIC_EXPORT_INTERVAL: "100",
        SWITCHBOARD_ALLOW_PRIVATE_NETWORK: "1",
      }),
      log: (l) => lines.push(l),
    });
    try {
      await host.start({ metrics: true });
      expect(lines.join("\n")).toContain(`exporting metrics over OTLP to ${collector.url}/custom/metrics`);
      const started = Date.now();
      while (collector.requests.length < seen + 2 && Date.now() - started < 10_000)
        await new Promise((r) => setTimeout(r, 50));
    } finally {
      await host.close();
      await db.dispose();
    }
    const mine = collector.requests.slice(seen);
    expect(mine.length).toBeGreaterThanOrEqual(2); // periodic
    expect(mine.every((r) => r.path === "/custom/metrics")).toBe(true);
    expect(mine[0]!.resource["service.instance.id"]).toBe("worker:metrics-host:7");
    expect(mine[0]!.metrics.has("switchboard.runs.finished")).toBe(true);
    const after = collector.requests.length;
    await new Promise((r) => setTimeout(r, 400));
    expect(collector.requests.length).toBe(after); // stopped with the host
  });
});
