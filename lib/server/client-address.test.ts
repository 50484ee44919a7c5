// The real client's address: X-Forwarded-For / X-Real-IP only from trusted proxies, the socket's
// peer otherwise (stamped by bin/peer-address.cjs, which a client cannot forge).
import { spawn } from "node:child_process";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { clientAddress, normalizeIp, PEER_HEADER, parseTrustedProxies } from "./client-address";

const none = parseTrustedProxies("");
const proxies = parseTrustedProxies("10.0.0.5, 10.1.0.0/16, ::1");

describe("clientAddress", () => {
  it("ignores X-Forwarded-For and X-Real-IP from a peer that is not a trusted proxy", () => {
    const headers = new Headers({
      [PEER_HEADER]: "198.51.100.7",
      "x-forwarded-for": "1.2.3.4",
      "x-real-ip": "5.6.7.8",
    });
    expect(clientAddress(headers, { trusted: none, peerKnown: true })).toBe("198.51.100.7");
    expect(clientAddress(headers, { trusted: proxies, peerKnown: true })).toBe("198.51.100.7");
  });

  it("takes the first untrusted hop from the right when the peer is a trusted proxy", () => {
    const via = (xff: string) =>
      clientAddress(new Headers({ [PEER_HEADER]: "::ffff:10.0.0.5", "x-forwarded-for": xff }), {
        trusted: proxies,
        peerKnown: true,
      });
    expect(via("203.0.113.9")).toBe("203.0.113.9");
    // a client that prepends a forged address does not choose it: the proxy appended the real one
    expect(via("1.1.1.1, 203.0.113.9")).toBe("203.0.113.9");
    // two trusted proxies in a row
    expect(via("1.1.1.1, 203.0.113.9, 10.1.4.4")).toBe("203.0.113.9");
    // garbage written by the client before the proxies' hops
    expect(via("not-an-ip, 10.1.4.4")).toBe("10.1.4.4");
  });

  it("uses X-Real-IP from a trusted proxy without X-Forwarded-For", () => {
    const headers = { [PEER_HEADER]: "10.0.0.5", "x-real-ip": "203.0.113.10" };
    expect(clientAddress(headers, { trusted: proxies, peerKnown: true })).toBe("203.0.113.10");
  });

  it("knows no client when the peer header is not stamped by the preload (a forged one is ignored)", () => {
    const headers = new Headers({ [PEER_HEADER]: "203.0.113.1", "x-forwarded-for": "203.0.113.2" });
    expect(clientAddress(headers, { trusted: none, peerKnown: false })).toBeNull();
  });

  it("parses addresses and refuses a bad proxy list", () => {
    expect(normalizeIp("[::1]")).toBe("::1");
    expect(normalizeIp("::FFFF:192.0.2.1")).toBe("192.0.2.1");
    expect(normalizeIp("192.0.2.1:443")).toBe("192.0.2.1");
    expect(normalizeIp("evil")).toBeNull();
    expect(proxies.has("10.1.200.3")).toBe(true);
    expect(proxies.has("10.2.0.1")).toBe(false);
    expect(() => parseTrustedProxies("10.0.0.0/40")).toThrow(/prefix/);
    expect(() => parseTrustedProxies("proxy.local")).toThrow(/not an IP/);
  });
});

describe("bin/peer-address.cjs", () => {
  it("stamps the socket's address over whatever the client sent", async () => {
    // A real HTTP server in a child process with the preload, like `next start` under bin/start.mjs.
    const script = `
      const http = require("node:http");
      const server = http.createServer((req, res) => {
        res.end(JSON.stringify({ peer: req.headers["x-switchboard-peer"], raw: req.rawHeaders.filter((h) => /switchboard/i.test(h)).length,
          flag: globalThis[Symbol.for("switchboard.peerHeader")] }));
      });
      server.listen(0, "127.0.0.1", () => console.log(server.address().port));`;
    const child = spawn(process.execPath, ["--require", join(process.cwd(), "bin/peer-address.cjs"), "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout.once("data", (chunk) => resolve(Number(String(chunk).trim())));
        child.once("exit", () => reject(new Error("server exited")));
      });
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpRequest(
          {
            host: "127.0.0.1",
            port,
            path: "/",
            headers: { "X-Switchboard-Peer": "6.6.6.6", "x-forwarded-for": "7.7.7.7" },
          },
          (res) => {
            let text = "";
            res.on("data", (c) => {
              text += c;
            });
            res.on("end", () => resolve(text));
          },
        );
        req.on("error", reject);
        req.end();
      });
      expect(JSON.parse(body)).toEqual({ peer: "127.0.0.1", raw: 1, flag: PEER_HEADER });

      // a server action declaring a body over the limit: 413 at once, the server never sees it,
      // and nothing is read (the 64 MiB are never sent)
      const declared = 64 * 1024 * 1024;
      const refused = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: "127.0.0.1",
            port,
            method: "POST",
            path: "/workflows",
            headers: {
              "next-action": "abc123",
              "content-type": "text/plain;charset=UTF-8",
              "content-length": declared,
            },
          },
          (res) => {
            let text = "";
            res.on("data", (c) => {
              text += c;
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on("error", reject);
        req.write("x".repeat(1024));
      });
      expect(refused.status).toBe(413);
      expect(JSON.parse(refused.text)).toMatchObject({ error: { code: "too_large" } });
    } finally {
      child.kill();
    }
  });
});
