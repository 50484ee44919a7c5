/**
 * What the fake provider does with one request. A scenario is chosen per request: first from the
 * scripted queue (`server.enqueue(...)`, or `POST /__fake/queue` from another process), else from
 * the model name, so a workflow can pick one with `model: "<provider>:fake-429-then-ok"`.
 *
 * Model names: `fake-<step>[-then-<step>]*`. The n-th request for the same model (and the same
 * Idempotency-Key stem, when the client sends one) plays the n-th step; the last step repeats.
 * Steps: ok (echo) · tool (call the first offered tool, then answer) · tools (call every offered
 * tool at once) · json (an example of the requested schema) · bad-json (JSON that does not match)
 * · 400 401 404 429 500 503 (errors; 429 carries Retry-After) · cut (the stream or body breaks off
 * midway) · hang (no response until the client gives up). Anything else is `ok`.
 */

export type ScenarioKind = "ok" | "tool" | "tools" | "json" | "bad-json" | "error" | "cut" | "hang";

export interface Scenario {
  kind: ScenarioKind;
  /** `error`: the HTTP status (default 500). */
  status?: number;
  /** `error` with 429/503: the Retry-After header value (default "1" for 429). */
  retryAfter?: string;
  /** `ok`: a fixed reply instead of the echo. */
  text?: string;
  /** `json`: a fixed object instead of an example of the schema. */
  value?: unknown;
  /** `tool`: which offered tool to call (default the first) and with which arguments (default an example of its schema). */
  tool?: string;
  arguments?: Record<string, unknown>;
  /** Per-scenario overrides of the server's settings. */
  latencyMs?: number;
  chunks?: number;
  chunkDelayMs?: number;
  usage?: { inputTokens?: number; outputTokens?: number };
}

const ERROR_STEPS = new Set(["400", "401", "403", "404", "429", "500", "502", "503"]);

/** One step of a model name (`429`, `tool`, `ok`…) as a scenario. */
export function scenarioFromStep(step: string): Scenario {
  const s = step.trim().toLowerCase();
  if (ERROR_STEPS.has(s)) return { kind: "error", status: Number(s), ...(s === "429" ? { retryAfter: "1" } : {}) };
  switch (s) {
    case "tool":
    case "tools":
    case "json":
    case "bad-json":
    case "cut":
    case "hang":
      return { kind: s };
    default:
      return { kind: "ok" };
  }
}

/** The steps a model name scripts (`fake-429-then-ok` → [429, ok]). */
export function stepsFromModel(model: string): Scenario[] {
  const name = model.replace(/^models\//, "").replace(/^fake-?/, "");
  return name.split("-then-").map(scenarioFromStep);
}

/** An example value that matches a JSON Schema (deterministic; enough for the shapes tests use). */
export function exampleOf(schema: unknown, depth = 0): unknown {
  if (!schema || typeof schema !== "object" || depth > 12) return null;
  const s = schema as Record<string, unknown>;
  if ("const" in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const list = s[key];
    if (Array.isArray(list) && list.length > 0) return exampleOf(list[0], depth + 1);
  }
  const type = String(Array.isArray(s.type) ? s.type[0] : (s.type ?? (s.properties ? "object" : ""))).toLowerCase();
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, unknown>))
        out[k] = exampleOf(v, depth + 1);
      return out;
    }
    case "array": {
      const min = typeof s.minItems === "number" ? s.minItems : 1;
      return Array.from({ length: Math.min(min, 5) }, () => exampleOf(s.items, depth + 1));
    }
    case "string":
      return "fake".padEnd(typeof s.minLength === "number" ? s.minLength : 0, "x");
    case "integer":
    case "number":
      return typeof s.minimum === "number" ? s.minimum : 1;
    case "boolean":
      return true;
    default:
      return null;
  }
}
