import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HistoryFixture, insertHistoryFixture } from "@/lib/db/history-fixture";
import { openTestSqlite } from "@/lib/db/testing";
import { createRunEventHub } from "@/lib/engine/notifier";
import { attachRunTelemetry, exportStoredRun, startRunTelemetryFromEnv, telemetryFromEnv } from "./export";
import { createRunTelemetry, traceIdForRun } from "./run-trace";

type OtlpValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
type OtlpSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: OtlpValue }[];
  status?: { code?: number };
};

/** A local OTLP/HTTP receiver: collects the spans of every POST /v1/traces (JSON encoding). */
function startReceiver(): Promise<{ server: Server; url: string; spans: OtlpSpan[]; paths: string[] }> {
  const spans: OtlpSpan[] = [];
  const paths: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      paths.push(`${req.method} ${req.url} ${req.headers["content-type"]}`);
      const json = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
      for (const rs of json.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, paths }),
    ),
  );
}

const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  if (!v) return undefined;
  return v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.doubleValue ?? v.boolValue));
};

describe("OpenTelemetry export of runs", () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let db: Awaited<ReturnType<typeof openTestSqlite>>;
  let fx: HistoryFixture;
  beforeAll(async () => {
    receiver = await startReceiver();
    db = await openTestSqlite();
    fx = await insertHistoryFixture(db, { count: 30, seed: 3 });
  });
  afterAll(async () => {
    receiver?.server.close();
    await db?.dispose();
  });

  it("sends a trace per run with a span per step and GenAI attributes", async () => {
    const telemetry = createRunTelemetry({ endpoint: receiver.url });
    const run =
      fx.runs.find((r) => r.stepCount >= 3 && r.status === "failed") ?? fx.runs.find((r) => r.stepCount >= 3)!;
    const steps = fx.steps.filter((s) => s.runId === run.id);
    expect(await exportStoredRun(db, telemetry, run.id)).toBe(true);
    await telemetry.flush();
    await telemetry.shutdown();

    expect(receiver.paths[0]).toMatch(/^POST \/v1\/traces application\/json/);
    const mine = receiver.spans.filter((s) => s.traceId === traceIdForRun(run.id));
    expect(mine).toHaveLength(steps.length + 1 + fx.approvals.filter((a) => a.runId === run.id).length);
    const root = mine.find((s) => !s.parentSpanId)!;
    expect(root.name).toMatch(/^workflow\.run /);
    expect(attr(root, "switchboard.run.id")).toBe(run.id);
    expect(attr(root, "gen_ai.usage.input_tokens")).toBe(run.inputTokens);
    const children = mine.filter((s) => s.parentSpanId === root.spanId);
    expect(children).toHaveLength(mine.length - 1);

    const agent = steps.find((s) => s.model === "openai:gpt-5-mini");
    if (agent) {
      const span = mine.find((s) => attr(s, "switchboard.step.id") === agent.id)!;
      expect(span.name).toBe("chat gpt-5-mini");
      expect(attr(span, "gen_ai.request.model")).toBe("gpt-5-mini");
      expect(attr(span, "gen_ai.provider.name")).toBe("openai");
      expect(attr(span, "gen_ai.usage.input_tokens")).toBe(agent.inputTokens);
      expect(attr(span, "gen_ai.usage.output_tokens")).toBe(agent.outputTokens);
      expect(BigInt(span.startTimeUnixNano)).toBe(BigInt(agent.startedAt.getTime()) * 1_000_000n);
    }
    const failed = steps.find((s) => s.status === "failed");
    if (failed) {
      const span = mine.find((s) => attr(s, "switchboard.step.id") === failed.id)!;
      expect(span.status?.code).toBe(2);
    }
    const plain = steps.find((s) => !s.model)!;
    const plainSpan = mine.find((s) => attr(s, "switchboard.step.id") === plain.id)!;
    expect(attr(plainSpan, "gen_ai.request.model")).toBeUndefined();
  });

  it("exports when a run-ending event is published, and only then", async () => {
    receiver.spans.length = 0;
    const hub = createRunEventHub();
    const telemetry = createRunTelemetry({ endpoint: receiver.url });
    const stop = attachRunTelemetry(db, hub, telemetry);
    const [a, b] = fx.runs.slice(0, 2);
    const ev = (type: string) => [{ runId: "x", seq: 1, type, data: {}, createdAt: new Date() }] as never;
    hub.publish(a!.id, ev("step.succeeded"));
    hub.publish(b!.id, ev("run.succeeded"));
    await new Promise((r) => setTimeout(r, 200));
    await telemetry.flush();
    stop();
    await telemetry.shutdown();
    expect(receiver.spans.some((s) => s.traceId === traceIdForRun(b!.id))).toBe(true);
    expect(receiver.spans.some((s) => s.traceId === traceIdForRun(a!.id))).toBe(false);
  });

  it("start-up helper: exports finished runs once per hub when the endpoint is set, nothing otherwise", async () => {
    receiver.spans.length = 0;
    const hub = createRunEventHub();
    expect(startRunTelemetryFromEnv(db, hub, {})).toBeNull();
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
    const handle = startRunTelemetryFromEnv(db, hub, env)!;
    expect(handle).not.toBeNull();
    // The web server and the worker start-up may both call it in one process: one subscription.
    expect(startRunTelemetryFromEnv(db, hub, env)).toBe(handle);
    const run = fx.runs[2]!;
    hub.publish(run.id, [{ runId: run.id, seq: 1, type: "run.failed", data: {}, createdAt: new Date() }] as never);
    await new Promise((r) => setTimeout(r, 200));
    await handle.telemetry.flush();
    await handle.stop();
    const roots = receiver.spans.filter((s) => s.traceId === traceIdForRun(run.id) && !s.parentSpanId);
    expect(roots).toHaveLength(1);
    // After stop, nothing more is exported and a new start works again.
    const again = startRunTelemetryFromEnv(db, hub, env)!;
    expect(again).not.toBe(handle);
    await again.stop();
  });

  it("is off unless OTEL_EXPORTER_OTLP_ENDPOINT is set", () => {
    expect(telemetryFromEnv({})).toBeNull();
    expect(telemetryFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url })).not.toBeNull();
  });
});
