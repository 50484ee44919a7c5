import { describe, expect, it } from "vitest";
import {
  findSecretLiterals,
  isLiteralSecretValue,
  MASK,
  maskSecretLiterals,
  secretLiteralValues,
} from "./secret-literals";

const doc = {
  format: "switchboard.workflow/v1",
  name: "x",
  nodes: [
    { id: "start", type: "trigger", config: { kind: "manual" } },
    {
      id: "h",
      type: "http",
      config: {
        url: "https://api.example.com/v1/items?api_key=sk-live-9a8b7c6d&page=2",
        headers: {
          Authorization: "Bearer sk-live-9a8b7c6d",
          "X-Trace": "abc-123-456",
          "Idempotency-Key": "fixed-key-123",
          "X-Api-Key": "{{ vars.key }}",
          "X-Auth-Token": "Bearer {{ vars.token }}",
        },
      },
    },
    { id: "h2", type: "http", config: { url: "https://x.test/?token={{ vars.t }}&q=1", headers: {} } },
  ],
  edges: [],
};

describe("secret literals in node configs", () => {
  it("finds literal Authorization/token headers and key-like query parameters, not templates", () => {
    expect(findSecretLiterals(doc)).toEqual([
      {
        nodeId: "h",
        path: "nodes.1.config.url",
        message: 'The URL\'s "api_key" parameter holds a literal secret: move this into a credential.',
      },
      {
        nodeId: "h",
        path: "nodes.1.config.headers.Authorization",
        message: 'The header "Authorization" holds a literal secret: move this into a credential.',
      },
    ]);
    expect(isLiteralSecretValue("Bearer {{ vars.x }}")).toBe(false);
    expect(isLiteralSecretValue("Basic dXNlcjpwYXNz")).toBe(true);
  });

  it("masks them, keeping everything else", () => {
    const masked = maskSecretLiterals(doc);
    const h = masked.nodes[1]!.config as { url: string; headers: Record<string, string> };
    expect(h.url).toBe(`https://api.example.com/v1/items?api_key=${MASK}&page=2`);
    expect(h.headers.Authorization).toBe(MASK);
    expect(h.headers["X-Trace"]).toBe("abc-123-456");
    expect(h.headers["X-Auth-Token"]).toBe("Bearer {{ vars.token }}");
    expect(JSON.stringify(masked)).not.toContain("sk-live");
    expect(findSecretLiterals(masked)).toEqual([]);
    expect(doc.nodes[1]!.config.headers!.Authorization).toBe("Bearer sk-live-9a8b7c6d");
  });

  it("gives the literal values themselves (for the run's redactor), not templates or scheme words", () => {
    const values = secretLiteralValues(doc);
    expect(values).toContain("sk-live-9a8b7c6d");
    expect(values.some((v) => v.includes("{{"))).toBe(false);
    expect(values).not.toContain("Bearer");
    expect(values).not.toContain("abc-123-456");
    expect(secretLiteralValues(maskSecretLiterals(doc))).toEqual([]);
  });
});
