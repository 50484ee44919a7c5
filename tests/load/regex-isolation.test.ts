// Load test (bounded: at most ~20 s, loopback only, stops by itself): while one workspace keeps
// starting runs with pathological regular expressions — in a JSONata expression and in its input
// schema's `pattern` — another workspace's runs, started over HTTP on the same process, stay fast.
// Before user patterns ran with RE2 semantics, each such run blocked the whole process for
// seconds (the event loop cannot be interrupted inside a backtracking match).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isInputValidationError } from "@/lib/contracts/errors";
import { seedWorkflowVersion } from "@/lib/db/fixtures";
import { createTestHost, type TestHost } from "@/lib/host-testing";

// ~1.5 s per match for a backtracking engine on this machine (doubling with each extra "a").
const EVIL = `${"a".repeat(25)}!`;

const doc = (name: string, nodes: unknown[], input?: unknown) => ({
  format: "switchboard.workflow/v1",
  name,
  ...(input ? { input } : {}),
  nodes: [
    { id: "start", type: "trigger", config: { kind: "manual" } },
    ...nodes,
    { id: "done", type: "end", config: { output: { result: "{{ vars }}" } } },
  ],
  edges: [
    { source: "start", target: nodes.length ? "work" : "done" },
    ...(nodes.length ? [{ source: "work", target: "done" }] : []),
  ],
});

const EXPRESSION_DOC = doc("evil expression", [
  { id: "work", type: "set", config: { vars: { found: "{{ $match(input.text, /^(a+)+$/) }}" } } },
]);
const SCHEMA_DOC = doc("evil schema", [{ id: "work", type: "set", config: { vars: { ok: true } } }], {
  type: "object",
  properties: { code: { type: "string", pattern: "^(a+)+$" } },
});
const CALM_DOC = doc("calm", [{ id: "work", type: "set", config: { vars: { next: "{{ input.n + 1 }}" } } }]);

let host: TestHost;
let server: Server;
let base: string;
const sources: Record<
  string,
  { document: unknown; workspaceId: string; workflowId: string; workflowVersionId: string }
> = {};

beforeAll(async () => {
  host = await createTestHost();
  for (const [key, document] of [
    ["expression", EXPRESSION_DOC],
    ["schema", SCHEMA_DOC],
    ["calm", CALM_DOC],
  ] as const)
    sources[key] = { document, ...(await seedWorkflowVersion(host.db, document)) };
  // The evil workflows live in one workspace, the calm one in another.
  expect(sources.calm?.workspaceId).not.toBe(sources.expression?.workspaceId);

  server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const source = sources[url.pathname.slice(1)];
    if (!source) return res.writeHead(404).end();
    let body = "";
    for await (const chunk of req) body += chunk;
    try {
      const result = await host.engine.execute(source, JSON.parse(body || "{}"));
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: result.status }));
    } catch (error) {
      const status = isInputValidationError(error) ? 400 : 500;
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ error: String(error) }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 30_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await host?.dispose();
});

async function post(path: string, input: unknown): Promise<{ status: number; ms: number; body: unknown }> {
  const t = performance.now();
  const res = await fetch(`${base}/${path}`, { method: "POST", body: JSON.stringify(input) });
  const body = await res.json();
  return { status: res.status, ms: performance.now() - t, body };
}

/** `count` calm runs one after another (stopping early past `deadline`); their latencies. */
async function calmRuns(count: number, deadline: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count && performance.now() < deadline; i++) {
    const r = await post("calm", { n: i });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: "succeeded" });
    out.push(r.ms);
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

describe("one workspace's pathological regular expressions do not slow another's runs", () => {
  it("calm runs stay fast while evil runs are started in a loop", async () => {
    const started = performance.now();
    await calmRuns(5, Number.POSITIVE_INFINITY); // warm-up
    const baseline = await calmRuns(20, started + 6_000);

    let stop = false;
    const evil: { status: number; ms: number }[] = [];
    const attacker = async (path: string, input: unknown) => {
      while (!stop && performance.now() - started < 15_000) evil.push(await post(path, input));
    };
    const attackers = [attacker("expression", { text: EVIL }), attacker("schema", { code: EVIL })];
    const loaded = await calmRuns(20, started + 12_000);
    stop = true;
    await Promise.all(attackers);

    // The evil runs themselves end quickly: the expression finds no match, the input is refused (400).
    expect(evil.length).toBeGreaterThan(4);
    expect(new Set(evil.map((e) => e.status))).toEqual(new Set([200, 400]));
    const bound = Math.max(median(baseline) * 10, 250) + Math.max(...baseline);
    const report = { baselineMedian: median(baseline), loadedMedian: median(loaded), loadedMax: Math.max(...loaded) };
    expect(loaded.length, JSON.stringify(report)).toBe(20);
    expect(Math.max(...loaded), JSON.stringify(report)).toBeLessThan(bound);
    expect(Math.max(...evil.map((e) => e.ms)), JSON.stringify(report)).toBeLessThan(bound);
  }, 30_000);
});
