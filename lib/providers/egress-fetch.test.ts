// The providers' fetch: the egress guard, streaming bodies, redirects, size limit and aborts.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CancelledError, EgressDeniedError, NonRetryableError, RetryableError } from "@/lib/contracts/errors";
import { createEgressFetch } from "./egress-fetch";

const seen: { path: string; headers: IncomingMessage["headers"] }[] = [];
let server: Server;
let other: Server;
let base = "";
let otherBase = "";

const listen = (s: Server) =>
  new Promise<string>((r) =>
    s.listen(0, "127.0.0.1", () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)),
  );

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ path: req.url ?? "", headers: req.headers });
    if (req.url === "/stream") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: one\n\n");
      setTimeout(() => res.end("data: two\n\n"), 150);
    } else if (req.url === "/big") {
      res.writeHead(200);
      res.end(Buffer.alloc(4096, 97));
    } else if (req.url === "/slow-body") {
      res.writeHead(200);
      res.write("partial");
    } else if (req.url === "/broken") {
      res.writeHead(200, { "content-length": "100" });
      res.write("only some");
      setTimeout(() => res.socket?.destroy(), 10);
    } else if (req.url === "/redirect-away") {
      res.writeHead(307, { location: `${otherBase}/landing` });
      res.end();
    } else if (req.url === "/redirect-home") {
      res.writeHead(307, { location: "/echo" });
      res.end();
    } else if (req.url === "/empty") {
      res.writeHead(204);
      res.end();
    } else {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json", "x-multi": ["a", "b"] });
        res.end(JSON.stringify({ method: req.method, body }));
      });
    }
  });
  other = createServer((req, res) => {
    seen.push({ path: `other:${req.url}`, headers: req.headers });
    res.end("landed");
  });
  base = await listen(server);
  otherBase = await listen(other);
});
afterAll(async () => {
  server.closeAllConnections();
  other.closeAllConnections();
  await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => other.close(r))]);
});

const open = createEgressFetch({ allowPrivateNetwork: true, maxResponseBytes: 1024 });

describe("egress fetch", () => {
  it("refuses loopback, localhost, metadata and non-http URLs unless private networks are allowed", async () => {
    const guarded = createEgressFetch();
    for (const url of [`${base}/echo`, "http://localhost:1/x", "http://169.254.169.254/latest", "http://[::1]:1/"])
      await expect(guarded(url)).rejects.toBeInstanceOf(EgressDeniedError);
    await expect(guarded("file:///etc/passwd")).rejects.toBeInstanceOf(EgressDeniedError);
    expect(seen.some((s) => s.path === "/echo")).toBe(false);
  });

  it("sends method, headers and body; returns status and headers", async () => {
    const res = await open(`${base}/echo`, { method: "POST", headers: { "x-test": "1" }, body: '{"a":1}' });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("x-multi")).toBe("a, b");
    expect(await res.json()).toEqual({ method: "POST", body: '{"a":1}' });
    expect(seen.at(-1)!.headers["x-test"]).toBe("1");
    expect((await open(`${base}/empty`)).status).toBe(204);
  });

  it("streams the body as it arrives", async () => {
    const res = await open(`${base}/stream`);
    const reader = res.body!.getReader();
    const started = performance.now();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe("data: one\n\n");
    expect(performance.now() - started).toBeLessThan(120);
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
    expect(rest).toBe("data: two\n\n");
  });

  it("errors the body with a RetryableError when the connection breaks", async () => {
    const res = await open(`${base}/broken`);
    await expect(res.text()).rejects.toBeInstanceOf(RetryableError);
  });

  it("refuses bodies over the size limit", async () => {
    const res = await open(`${base}/big`);
    await expect(res.text()).rejects.toBeInstanceOf(NonRetryableError);
  });

  it("an abort rejects with the signal's reason, before and during the body", async () => {
    const before = new AbortController();
    const reason = new CancelledError();
    before.abort(reason);
    await expect(open(`${base}/echo`, { signal: before.signal })).rejects.toBe(reason);
    const during = new AbortController();
    const res = await open(`${base}/slow-body`, { signal: during.signal });
    const reading = res.text();
    during.abort(reason);
    await expect(reading).rejects.toBe(reason);
  });

  it("follows redirects and drops credentials when the origin changes", async () => {
    const home = await open(`${base}/redirect-home`, { headers: { authorization: "Bearer sk-secret" } });
    expect(home.status).toBe(200);
    expect(seen.at(-1)!.headers.authorization).toBe("Bearer sk-secret");
    const away = await open(`${base}/redirect-away`, {
      headers: { authorization: "Bearer sk-secret", "x-api-key": "k" },
    });
    expect(await away.text()).toBe("landed");
    const landing = seen.at(-1)!;
    expect(landing.path).toBe("other:/landing");
    expect(landing.headers.authorization).toBeUndefined();
    expect(landing.headers["x-api-key"]).toBeUndefined();
  });
});
