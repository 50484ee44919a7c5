import { z } from "zod";
import { defineNode } from "@/lib/contracts/node-definition";

export const httpConfigSchema = z
  .object({
    method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]).default("GET"),
    url: z.string().min(1).max(8000).describe("http(s) URL (template)."),
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "must be a valid header name"), z.string())
      .default({}),
    query: z
      .record(z.string().min(1).max(200), z.string().max(8000))
      .optional()
      .describe("Query parameters added to the URL (name → value, templates allowed), encoded for you."),
    body: z
      .unknown()
      .optional()
      .describe("Request body: a string or JSON (templates allowed). JSON bodies are sent as application/json."),
    credential: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe(
        "Name of a workspace credential, sent as its kind says: bearer (`Authorization: Bearer`), basic, its header, or its query parameter.",
      ),
    credentialHeader: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe(
        "Header that carries the credential instead (the secret as it is; `Authorization` gets `Bearer <secret>`).",
      ),
    responseType: z.enum(["auto", "json", "text"]).default("auto").describe("How to read the response body."),
    maxResponseBytes: z
      .number()
      .int()
      .min(1)
      .max(10_000_000)
      .optional()
      .describe("Largest response accepted (default 1 MB, at most 10 MB)."),
  })
  .strict();

export type HttpConfig = z.infer<typeof httpConfigSchema>;

export const httpDefinition = defineNode({
  type: "http",
  label: "HTTP request",
  description: "Calls an HTTP endpoint through the egress guard.",
  icon: "globe",
  category: "integration",
  docs: [
    "Sends `method` to `url` (with the `query` parameters appended, encoded) with `headers` and `body` (templates). Loopback, private, link-local and cloud-metadata",
    "addresses are refused (every DNS answer is checked) unless an administrator allows the host (Settings → Network",
    "egress) or private networks. `credential` names a workspace credential, sent as its kind says (bearer, basic,",
    "header, query) and redacted from everything stored. Responses are limited in size and time. The `Idempotency-Key` header is `runId:nodeId:visit`, the same on every retry and",
    "after a crash. 5xx, 429 and network errors are retried (honouring Retry-After) when `retry` allows; a final",
    "failure takes the `error` outcome if it has edges, else fails the run. Output: `{ status, headers, body }`.",
  ].join(" "),
  configVersion: 1,
  migrations: [],
  configSchema: httpConfigSchema,
  defaults: { method: "GET", url: "https://example.com", headers: {}, responseType: "auto" },
  outcomes: () => ["default", "error"],
  primaryOutcome: () => "default",
  errorOutcome: "error",
  canBranch: () => true,
  expressions: (c) => {
    const out: { path: string; kind: "template"; value: unknown }[] = [
      { path: "url", kind: "template", value: c.url },
      { path: "headers", kind: "template", value: c.headers },
    ];
    if (c.query !== undefined) out.push({ path: "query", kind: "template", value: c.query });
    if (c.body !== undefined) out.push({ path: "body", kind: "template", value: c.body });
    return out;
  },
  atMostOnce: false,
  sideEffects: true,
  defaultMaxAttempts: 1,
  editor: {
    fieldLabels: { url: "URL", query: "Query parameters" },
    fieldEditors: { headers: "keyValue", query: "keyValue" },
    choiceFields: { credential: "credentials" },
  },
});
