// OTLP export goes through the egress policy when the host gives one: a collector on a private
// or loopback address is refused unless the installation allows it (SWITCHBOARD_EGRESS_ALLOW or
// SWITCHBOARD_ALLOW_PRIVATE_NETWORK), and what leaves is redacted with the workspace's secrets.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SecretRedaction } from "@/lib/contracts/ports";
import { type HistoryFixture, insertHistoryFixture } from "@/lib/db/history-fixture";
import { openTestSqlite } from "@/lib/db/testing";
import { createRedactor } from "@/lib/vault/redact";
import { exportStoredRun, startRunTelemetryFromEnv } from "./export";
import { createRunTelemetry } from "./run-trace";

let server: Server;
let url: string;
const bodies: string[] = [];
let db: Awaited<ReturnType<typeof openTestSqlite>>;
let fx: HistoryFixture;
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      bodies.push(body);
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  db = await openTestSqlite();
  fx = await insertHistoryFixture(db, { count: 3, seed: 5 });
});
afterAll(async () => {
  server.close();
  await db.dispose();
});

describe("OTLP export and the egress policy", () => {
  it("refuses a loopback collector unless the installation allows it", () => {
    expect(() => createRunTelemetry({ endpoint: url, egress: {} })).toThrow(/private, loopback/);
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: url };
    expect(() => startRunTelemetryFromEnv(db, { subscribeAll: () => () => {} }, env, { egress: {} })).toThrow(
      /private, loopback/,
    );
    expect(() => createRunTelemetry({ endpoint: url, egress: { allowHosts: [new URL(url).host] } })).not.toThrow();
    expect(() => createRunTelemetry({ endpoint: url, egress: { allowPrivateNetwork: true } })).not.toThrow();
  });

  it("exports through the allowed host, with the workspace's secrets redacted", async () => {
    const run = fx.runs[0]!;
    const name = (await db.prisma.run.findUniqueOrThrow({ where: { id: run.id }, include: { workflow: true } }))
      .workflow.name;
    const secret = name.length >= 4 ? name : `${name}----`;
    const redactor = createRedactor([secret]);
    const redaction: SecretRedaction = { prepare: async () => {}, redact: (_ws, v) => redactor.redact(v) };
    const telemetry = createRunTelemetry({ endpoint: url, egress: { allowHosts: [new URL(url).host] } });
    bodies.length = 0;
    expect(await exportStoredRun(db, telemetry, run.id, { redaction })).toBe(true);
    await telemetry.flush();
    await telemetry.shutdown();
    const sent = bodies.join("\n");
    expect(sent).toContain("[redacted]");
    expect(sent).not.toContain(secret);
  });
});
