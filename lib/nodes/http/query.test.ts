// An http step's query parameters as name → value rows: rendered, encoded and appended to the
// URL; a literal secret in one is flagged, masked for viewers and redacted like one in the URL.
import { describe, expect, it } from "vitest";
import type { HttpFetcher, HttpRequest } from "@/lib/contracts/ports";
import { runSingle } from "@/lib/testing/run-single";
import { findSecretLiterals, MASK, maskSecretLiterals, secretLiteralValues } from "@/lib/workflow/secret-literals";

function recorder() {
  const requests: Omit<HttpRequest, "signal">[] = [];
  const fetcher: HttpFetcher = {
    async fetch(req) {
      const { signal: _s, ...rest } = req;
      requests.push(rest);
      return { status: 200, headers: { "content-type": "application/json" }, body: "{}", bytes: 2, url: req.url };
    },
  };
  return { fetcher, requests };
}

describe("http query parameters", () => {
  it("renders each row, encodes it and appends it to the URL (after any query the URL has)", async () => {
    const { fetcher, requests } = recorder();
    const { result } = await runSingle(
      "http",
      { url: "https://api.example.com/search?lang=en", query: { q: "{{ input.q }}", page: "2" } },
      { q: "refund & returns" },
      { http: fetcher },
    );
    expect(result.status).toBe("succeeded");
    expect(requests[0]!.url).toBe("https://api.example.com/search?lang=en&q=refund+%26+returns&page=2");
  });

  it("without rows the URL is sent as it is", async () => {
    const { fetcher, requests } = recorder();
    await runSingle("http", { url: "https://api.example.com/x?a=1", query: {} }, {}, { http: fetcher });
    expect(requests[0]!.url).toBe("https://api.example.com/x?a=1");
  });

  it("a literal key in a row is a secret: flagged, masked and known for redaction; a template is not", () => {
    const doc = {
      nodes: [
        { id: "call", type: "http", config: { url: "https://x.test", query: { api_key: "sk-literal-123", q: "hi" } } },
        { id: "ok", type: "http", config: { url: "https://x.test", query: { api_key: "{{ vars.key }}" } } },
      ],
    };
    expect(findSecretLiterals(doc)).toEqual([
      {
        nodeId: "call",
        path: "nodes.0.config.query.api_key",
        message: 'The query parameter "api_key" holds a literal secret: move this into a credential.',
      },
    ]);
    const masked = maskSecretLiterals(doc) as typeof doc;
    expect(masked.nodes[0]!.config.query).toEqual({ api_key: MASK, q: "hi" });
    expect(masked.nodes[1]!.config.query).toEqual({ api_key: "{{ vars.key }}" });
    expect(secretLiteralValues(doc)).toContain("sk-literal-123");
  });
});
