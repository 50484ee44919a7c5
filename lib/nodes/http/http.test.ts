import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HttpFetcher, HttpRequest } from "@/lib/contracts/ports";
import { runSingle } from "@/lib/testing/run-single";

function stub(responses: { status: number; body?: string; headers?: Record<string, string> }[]) {
  const requests: Omit<HttpRequest, "signal">[] = [];
  const fetcher: HttpFetcher = {
    async fetch(req) {
      const { signal: _s, ...rest } = req;
      requests.push(rest);
      const r = responses[Math.min(requests.length - 1, responses.length - 1)]!;
      return {
        status: r.status,
        headers: r.headers ?? { "content-type": "application/json" },
        body: r.body ?? "{}",
        bytes: 2,
        url: req.url,
      };
    },
  };
  return { fetcher, requests };
}

const errorEdge = {
  extraNodes: [{ id: "oops", type: "end", config: { output: "{{ nodes.subject.output.error }}" } }],
  extraEdges: [{ source: "subject", target: "oops", sourceHandle: "error" }],
};

describe("http", () => {
  it("sends the rendered request with an Idempotency-Key and parses JSON", async () => {
    const { fetcher, requests } = stub([{ status: 200, body: '{"ok":true,"id":7}' }]);
    const { result, step } = await runSingle(
      "http",
      {
        method: "POST",
        url: "https://api.example.com/orders/{{ input.id }}",
        headers: { "X-Trace": "{{ input.id }}" },
        body: { qty: "{{ input.qty }}" },
      },
      { id: "o-1", qty: 3 },
      { http: fetcher },
    );
    expect(result.status).toBe("succeeded");
    expect(step!.output).toMatchObject({ status: 200, body: { ok: true, id: 7 } });
    expect(requests[0]).toMatchObject({
      method: "POST",
      url: "https://api.example.com/orders/o-1",
      body: '{"qty":3}',
      allowPrivateNetwork: false,
      maxResponseBytes: 1_000_000,
    });
    expect(requests[0]!.headers).toMatchObject({
      "x-trace": "o-1",
      "content-type": "application/json",
      "idempotency-key": `${result.runId}:subject:1`,
    });
  });

  it("retries 503 and 429 honouring Retry-After, with the same Idempotency-Key", async () => {
    const { fetcher, requests } = stub([
      { status: 503, headers: { "retry-after": "2" } },
      { status: 429, headers: { "retry-after": "7" } },
      { status: 200, body: '"done"' },
    ]);
    const { result, t } = await runSingle(
      "http",
      { url: "https://api.example.com/x" },
      {},
      {
        http: fetcher,
        node: { retry: { maxAttempts: 3, backoffMs: 1 } },
      },
    );
    expect(result.status).toBe("succeeded");
    expect(new Set(requests.map((r) => r.headers["idempotency-key"])).size).toBe(1);
    const delays = (await t.store.listEvents(result.runId, 0, 100))
      .filter((e) => e.type === "step.retrying")
      .map((e) => e.data.delayMs);
    expect(delays).toEqual([2000, 7000]);
  });

  it("4xx is not retried and takes the error outcome", async () => {
    const { fetcher, requests } = stub([{ status: 404, body: "not here", headers: {} }]);
    const { result } = await runSingle(
      "http",
      { url: "https://api.example.com/x" },
      {},
      { http: fetcher, node: { retry: { maxAttempts: 3 } }, ...errorEdge },
    );
    expect(requests).toHaveLength(1);
    expect(result.status).toBe("succeeded");
    expect(result.output).toMatchObject({ code: "non_retryable", details: { status: 404, body: "not here" } });
  });

  it("credentials become a bearer header; a missing one fails clearly", async () => {
    const { fetcher, requests } = stub([{ status: 200 }]);
    const settings = { credentials: { get: async (_ws: string, name: string) => (name === "crm" ? "s3cret" : null) } };
    await runSingle("http", { url: "https://api.example.com/x", credential: "crm" }, {}, { http: fetcher, settings });
    expect(requests[0]!.headers.authorization).toBe("Bearer s3cret");
    const { result } = await runSingle(
      "http",
      { url: "https://api.example.com/x", credential: "other" },
      {},
      { http: fetcher, settings },
    );
    expect(result.error!.message).toMatch(/credential "other" does not exist/);
  });
});

describe("http through the real egress guard", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === "/big") {
        res.end("x".repeat(5000));
        return;
      }
      if (req.url === "/redirect") {
        res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" });
        res.end();
        return;
      }
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ key: req.headers["idempotency-key"], path: req.url }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("refuses loopback, private, link-local and metadata addresses", async () => {
    for (const url of [
      `http://127.0.0.1:${port}/`,
      "http://localhost/",
      "http://10.1.2.3/",
      "http://192.168.0.10/",
      "http://169.254.169.254/latest/meta-data/",
      "http://[::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://[fd00:ec2::254]/",
      "file:///etc/passwd",
    ]) {
      const { result } = await runSingle("http", { url }, {}, { autoAdvance: false });
      expect(result.status, url).toBe("failed");
      expect(result.error!.code, url).toBe("egress_denied");
    }
  });

  it("an admin setting allows private networks; limits still apply", async () => {
    const ok = await runSingle(
      "http",
      { url: `http://127.0.0.1:${port}/hello` },
      {},
      { autoAdvance: false, settings: { allowPrivateNetwork: true } },
    );
    expect(ok.result.status).toBe("succeeded");
    expect(ok.step!.output).toMatchObject({
      status: 200,
      body: { key: `${ok.result.runId}:subject:1`, path: "/hello" },
    });
    const big = await runSingle(
      "http",
      { url: `http://127.0.0.1:${port}/big`, maxResponseBytes: 1000 },
      {},
      {
        autoAdvance: false,
        settings: { allowPrivateNetwork: true },
      },
    );
    expect(big.result.error!.message).toMatch(/larger than 1000 bytes/);
  });

  it("checks every redirect hop", async () => {
    // The first hop is allowed (admin setting off for metadata is irrelevant: the guard refuses 169.254/16 unless allowed).
    const { result } = await runSingle(
      "http",
      { url: `http://127.0.0.1:${port}/redirect` },
      {},
      { autoAdvance: false, settings: { allowPrivateNetwork: false } },
    );
    expect(result.error!.code).toBe("egress_denied");
  });
});
