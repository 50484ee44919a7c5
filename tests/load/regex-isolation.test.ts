// Load test (bounded: at most ~30 s, loopback only, stops by itself): while one workspace keeps
// starting runs with pathological regular expressions — in a JSONata expression and in its input
// schema's `pattern` — another workspace's runs, started over HTTP on the same process, stay fast.
// Before user patterns ran with RE2 semantics, each such run blocked the whole process for
// seconds (the event loop cannot be interrupted inside a backtracking match).
//
// What is measured for each request is the CPU time this process spent while it was in flight
// (every thread: server, engine, database driver, the test's own client), beside its wall time.
// A backtracking match is CPU work in this process, so it shows in the CPU time of every request
// it holds up, whatever else the machine does; wall time also grows with the machine's load (the
// suite's other forks and databases on two cores), which a fixed wall bound on the slowest of 40
// requests cannot tell from a regression. So: the slowest request is held to a CPU bound, and
// wall time to a bound on the median (a blocking match holds up nearly every calm request, and
// a stray descheduling only a few).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isInputValidationError } from "@/lib/contracts/errors";
import { seedWorkflowVersion } from "@/lib/db/fixtures";
import { createTestHost, type TestHost } from "@/lib/host-testing";

// ~1 s of CPU per match for a backtracking engine on a quiet two-core machine (about doubling
// with each extra "a"): several times the bounds below, so a regression cannot pass unseen.
const EVIL = `${"a".repeat(28)}!`;

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

/** A request's wall time and the CPU time this process spent meanwhile (ms). */
interface Timing {
  ms: number;
  cpuMs: number;
}

async function post(path: string, input: unknown): Promise<Timing & { status: number; body: unknown }> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const res = await fetch(`${base}/${path}`, { method: "POST", body: JSON.stringify(input) });
  const body = await res.json();
  const used = process.cpuUsage(cpu);
  return { status: res.status, ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000, body };
}

/** `count` calm runs one after another (stopping early past `deadline`); their timings. */
async function calmRuns(count: number, deadline: number): Promise<Timing[]> {
  const out: Timing[] = [];
  for (let i = 0; i < count && performance.now() < deadline; i++) {
    const r = await post("calm", { n: i });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: "succeeded" });
    out.push({ ms: r.ms, cpuMs: r.cpuMs });
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const max = (xs: number[]) => Math.max(...xs);
const round = (xs: number[]) => xs.map((x) => Math.round(x));

describe("one workspace's pathological regular expressions do not slow another's runs", () => {
  it("calm runs stay fast while evil runs are started in a loop", async () => {
    // Warm-up: every workflow once, with harmless input, so that first-use costs (compiling the
    // documents, the expression and the input schema, loading the regex engine) are not counted.
    await calmRuns(5, Number.POSITIVE_INFINITY);
    expect((await post("expression", { text: "aaa" })).body).toEqual({ status: "succeeded" });
    expect((await post("schema", { code: "aaa" })).body).toEqual({ status: "succeeded" });
    const baseline = await calmRuns(20, performance.now() + 8_000);

    let stop = false;
    const evil: (Timing & { status: number })[] = [];
    const attackUntil = performance.now() + 15_000;
    const attacker = async (path: string, input: unknown) => {
      while (!stop && performance.now() < attackUntil) evil.push(await post(path, input));
    };
    const attackers = [attacker("expression", { text: EVIL }), attacker("schema", { code: EVIL })];
    const loaded = await calmRuns(20, attackUntil);
    stop = true;
    await Promise.all(attackers);

    // The evil runs themselves end quickly: the expression finds no match, the input is refused (400).
    expect(evil.length).toBeGreaterThan(4);
    expect(new Set(evil.map((e) => e.status))).toEqual(new Set([200, 400]));
    const cpu = (xs: Timing[]) => xs.map((x) => x.cpuMs);
    const wall = (xs: Timing[]) => xs.map((x) => x.ms);
    // One backtracking match of EVIL costs ~1 s of CPU; a calm run, a few milliseconds.
    const cpuBound = Math.max(median(cpu(baseline)) * 10, 250) + max(cpu(baseline));
    const wallBound = Math.max(median(wall(baseline)) * 10, 250);
    const report = JSON.stringify({
      cpuBound: Math.round(cpuBound),
      wallBound: Math.round(wallBound),
      baseline: { cpu: round(cpu(baseline)), wall: round(wall(baseline)) },
      loaded: { cpu: round(cpu(loaded)), wall: round(wall(loaded)) },
      evil: { cpu: round(cpu(evil)), wall: round(wall(evil)) },
    });
    expect(loaded.length, report).toBe(20);
    expect(max(cpu(loaded)), report).toBeLessThan(cpuBound);
    expect(max(cpu(evil)), report).toBeLessThan(cpuBound);
    expect(median(wall(loaded)), report).toBeLessThan(wallBound);
    expect(median(wall(evil)), report).toBeLessThan(wallBound);
  }, 45_000);
});
