// The http node's `credential`: resolved through the engine's CredentialResolver and sent as the
// credential's kind says; the secret leaves the run redacted (the engine's redaction hook).
import { describe, expect, it } from "vitest";
import type { CredentialResolver, HttpFetcher, HttpRequest, SecretRedaction } from "@/lib/contracts/ports";
import { runSingle } from "@/lib/testing/run-single";
import { createRedactor } from "@/lib/vault/redact";

function echo() {
  const requests: Omit<HttpRequest, "signal">[] = [];
  const fetcher: HttpFetcher = {
    async fetch(req) {
      const { signal: _s, ...rest } = req;
      requests.push(rest);
      // a careless server that echoes what it got
      return {
        status: 200,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ url: req.url, headers: req.headers }),
        bytes: 10,
        url: req.url,
      };
    },
  };
  return { fetcher, requests };
}

const SECRETS: Record<string, { value: string; kind: string; field?: string }> = {
  tok: { value: "tok-AAAA1111", kind: "bearer" },
  plain: { value: "plain-BBBB2222", kind: "secret" },
  basic: { value: "svc:pw-CCCC3333", kind: "basic" },
  hdr: { value: "hdr-DDDD4444", kind: "header", field: "X-Api-Key" },
  qry: { value: "qry-EEEE5555", kind: "query", field: "api_key" },
  nofield: { value: "nf-FFFF6666", kind: "header" },
};

const credentials: CredentialResolver = {
  get: async (_ws, name) => SECRETS[name]?.value ?? null,
  resolve: async (_ws, name) => SECRETS[name] ?? null,
};

const redactor = createRedactor(Object.values(SECRETS).map((s) => s.value));
const redaction: SecretRedaction = { prepare: async () => {}, redact: (_ws, v) => redactor.redact(v) };

describe("http credentials by kind", () => {
  it.each([
    ["tok", { authorization: "Bearer tok-AAAA1111" }],
    ["plain", { authorization: "Bearer plain-BBBB2222" }],
    ["basic", { authorization: `Basic ${Buffer.from("svc:pw-CCCC3333").toString("base64")}` }],
    ["hdr", { "x-api-key": "hdr-DDDD4444" }],
  ])("%s", async (name, expected) => {
    const { fetcher, requests } = echo();
    const { result } = await runSingle(
      "http",
      { url: "https://api.example.com/x?a=1", credential: name },
      {},
      { http: fetcher, settings: { credentials } },
    );
    expect(result.status).toBe("succeeded");
    expect(requests[0]!.headers).toMatchObject(expected);
    expect(requests[0]!.url).toBe("https://api.example.com/x?a=1");
    expect(requests[0]!.sensitiveHeaders).toEqual(Object.keys(expected));
  });

  it("query: the parameter is added to the URL", async () => {
    const { fetcher, requests } = echo();
    await runSingle(
      "http",
      { url: "https://api.example.com/x?a=1", credential: "qry" },
      {},
      { http: fetcher, settings: { credentials } },
    );
    expect(requests[0]!.url).toBe("https://api.example.com/x?a=1&api_key=qry-EEEE5555");
    expect(requests[0]!.headers.authorization).toBeUndefined();
  });

  it("the node's credentialHeader wins; a header credential without a header name fails clearly", async () => {
    const { fetcher, requests } = echo();
    await runSingle(
      "http",
      { url: "https://api.example.com/x", credential: "tok", credentialHeader: "X-Token" },
      {},
      { http: fetcher, settings: { credentials } },
    );
    expect(requests[0]!.headers["x-token"]).toBe("tok-AAAA1111");
    const { result } = await runSingle(
      "http",
      { url: "https://api.example.com/x", credential: "nofield" },
      {},
      { http: fetcher, settings: { credentials } },
    );
    expect(result.error?.message).toMatch(/names no header/);
  });

  it("the workspace goes with the request (for its egress allow-list)", async () => {
    const { fetcher, requests } = echo();
    await runSingle("http", { url: "https://api.example.com/x" }, {}, { http: fetcher });
    expect(requests[0]!.workspaceId).toBe("default");
  });

  it("with the engine's redaction, nothing stored, published or returned holds a secret", async () => {
    for (const name of Object.keys(SECRETS).filter((n) => n !== "nofield")) {
      const { fetcher } = echo();
      const { t, result } = await runSingle(
        "http",
        { url: "https://api.example.com/x", credential: name },
        {},
        {
          http: fetcher,
          settings: { credentials, redaction },
          extraNodes: [{ id: "done", type: "end", config: { output: "{{ nodes.subject.output.body }}" } }],
          extraEdges: [{ source: "subject", target: "done" }],
        },
      );
      expect(result.status).toBe("succeeded");
      const everything = JSON.stringify([t.store.dump(), t.published, result]);
      expect(everything).toContain("[redacted]");
      expect(redactor.contains(everything), name).toBe(false);
    }
  });
});
