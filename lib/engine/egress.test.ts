import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkEgressUrl, mergeEgressPolicies, parseAllowEntry, privateAllowedFor } from "./egress";
import { createHttpFetcher } from "./http";

describe("egress allow-list entries", () => {
  it("normalises hosts, host:port and IPv6 literals", () => {
    const ok = (raw: string) => {
      const p = parseAllowEntry(raw);
      if (!p.ok) throw new Error(`${raw}: ${p.error}`);
      return p.text;
    };
    expect(ok("127.0.0.1:11434")).toBe("127.0.0.1:11434");
    expect(ok(" Ollama.Internal ")).toBe("ollama.internal");
    expect(ok("[::1]:8080")).toBe("[::1]:8080");
    expect(ok("fd00::5")).toBe("[fd00::5]");
    expect(ok("localhost")).toBe("localhost");
  });

  it("refuses URLs, bad ports and junk, saying why", () => {
    for (const [raw, why] of [
      ["http://127.0.0.1:11434", /not a URL/],
      ["127.0.0.1:0", /port/],
      ["127.0.0.1:70000", /port/],
      ["", /empty/],
      ["a b", /host name/],
      ["host/path", /host name/],
    ] as const) {
      const p = parseAllowEntry(raw);
      expect(p.ok, raw).toBe(false);
      if (!p.ok) expect(p.error).toMatch(why);
    }
  });
});

describe("the egress policy", () => {
  const url = (u: string) => new URL(u);

  it("allows a listed host on private addresses, on the listed port only", () => {
    const policy = { allowHosts: ["127.0.0.1:11434", "ollama.lan"] };
    expect(privateAllowedFor(policy, url("http://127.0.0.1:11434/v1"))).toBe(true);
    expect(privateAllowedFor(policy, url("http://127.0.0.1:11435/v1"))).toBe(false);
    expect(privateAllowedFor(policy, url("http://OLLAMA.lan:1234/"))).toBe(true);
    expect(privateAllowedFor(policy, url("http://ollama.lan.evil.test/"))).toBe(false);
    expect(privateAllowedFor(policy, url("http://169.254.169.254/latest"))).toBe(false);
    expect(privateAllowedFor({ allowHosts: ["example.test:443"] }, url("https://example.test/"))).toBe(true);
    expect(privateAllowedFor({ allowHosts: ["example.test:80"] }, url("https://example.test/"))).toBe(false);
  });

  it("the installation switch allows every private address", () => {
    expect(privateAllowedFor({ allowPrivateNetwork: true }, url("http://10.0.0.1/"))).toBe(true);
    expect(privateAllowedFor(true, url("http://10.0.0.1/"))).toBe(true);
    expect(privateAllowedFor(undefined, url("http://10.0.0.1/"))).toBe(false);
    expect(mergeEgressPolicies({ allowPrivateNetwork: false }, { allowHosts: ["a"] }, undefined)).toEqual({
      allowPrivateNetwork: false,
      allowHosts: ["a"],
    });
  });

  it("refuses literal private IPs and localhost before connecting, unless allowed", () => {
    expect(() => checkEgressUrl("http://127.0.0.1:9/", {})).toThrow(/Network egress/);
    expect(() => checkEgressUrl("http://localhost:9/", { allowHosts: ["127.0.0.1:9"] })).toThrow(/private/);
    expect(checkEgressUrl("http://localhost:9/", { allowHosts: ["localhost:9"] }).allowPrivate).toBe(true);
    expect(() => checkEgressUrl("ftp://example.test/", { allowPrivateNetwork: true })).toThrow(/http and https/);
  });
});

describe("the http fetcher with a workspace policy", () => {
  let server: Server;
  let port: number;
  const seen: { path: string; authorization?: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ path: req.url ?? "", authorization: req.headers.authorization });
      if (req.url === "/hop") {
        // same host written another way: another origin
        res.writeHead(302, { location: `http://localhost:${port}/end` });
        return res.end();
      }
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const request = (path: string, workspaceId = "ws-a") => ({
    method: "GET",
    url: `http://127.0.0.1:${port}${path}`,
    headers: { authorization: "Bearer tok-123456" },
    signal: new AbortController().signal,
    timeoutMs: 5000,
    maxResponseBytes: 10_000,
    allowPrivateNetwork: false,
    workspaceId,
  });

  it("asks the host's policy for the request's workspace", async () => {
    const fetcher = createHttpFetcher({
      policy: (ws) => (ws === "ws-a" ? { allowHosts: [`127.0.0.1:${port}`, `localhost:${port}`] } : {}),
    });
    const res = await fetcher.fetch(request("/x"));
    expect(res.body).toBe("ok");
    await expect(fetcher.fetch(request("/x", "ws-b"))).rejects.toMatchObject({ name: "EgressDeniedError" });
  });

  it("checks each redirect hop and drops credentials when the origin changes", async () => {
    seen.length = 0;
    const onlyFirst = createHttpFetcher({ policy: () => ({ allowHosts: [`127.0.0.1:${port}`] }) });
    await expect(onlyFirst.fetch(request("/hop"))).rejects.toMatchObject({ name: "EgressDeniedError" });
    const both = createHttpFetcher({ policy: () => ({ allowHosts: [`127.0.0.1:${port}`, `localhost:${port}`] }) });
    seen.length = 0;
    expect((await both.fetch(request("/hop"))).body).toBe("ok");
    expect(seen).toEqual([
      { path: "/hop", authorization: "Bearer tok-123456" },
      { path: "/end", authorization: undefined },
    ]);
  });
});
