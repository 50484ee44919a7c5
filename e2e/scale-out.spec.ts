// Scale-out chaos on the real PostgreSQL server, with the processes of compose.yaml (same commands,
// same environment; only the database, ports and data directories differ, and http steps may call
// 127.0.0.1): two web servers that only enqueue (SWITCHBOARD_EXECUTE=workers) and three workers.
//
// Runs with side-effecting http steps (against a counting server on 127.0.0.1) are started through
// both web servers' API while workers are SIGKILLed at random (seeded) and restarted, and web
// server 1 is killed — with its Next server — while a client follows a run through it; the client
// reconnects to web server 2 with Last-Event-ID. Then:
// - every run reaches its terminal state with the right output, none is lost, none doubled;
// - no step re-ran after its success was committed, and the server saw no request for a step after
//   its attempt ended; steps in flight during a kill re-ran with the same idempotency key (counted
//   apart from the retries the server asked for with 503s); at-most-once steps reached it at most once;
// - the followed run's events arrived exactly once each, in order, from both servers.
//
// Size: 300 runs and 30 worker kills (about 80 s on a busy 2-core machine, most of it the 33 s the
// runs are started over); SWITCHBOARD_SCALE_CHAOS=quick runs 60 runs and 6 kills (about 45 s);
// SWITCHBOARD_SCALE_CHAOS_RUNS and _KILLS set them one by one. The seed is SWITCHBOARD_SCALE_CHAOS_SEED.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import pg from "pg";
import { chaosOutput, chaosWorkflow } from "../tests/support/chaos-workflow";
import {
  composeServices,
  countingServer,
  followRun,
  freePort,
  type Hit,
  type Proc,
  prng,
  ROOT,
  type StreamedEvent,
  startService,
  until,
} from "./support/scale-out";

const QUICK = process.env.SWITCHBOARD_SCALE_CHAOS === "quick";
const RUNS = Number(process.env.SWITCHBOARD_SCALE_CHAOS_RUNS ?? (QUICK ? 60 : 300));
const KILLS = Number(process.env.SWITCHBOARD_SCALE_CHAOS_KILLS ?? (QUICK ? 6 : 30));
const SEED = Number(process.env.SWITCHBOARD_SCALE_CHAOS_SEED ?? 20_261_207);
const PG_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
/** How long the runs are started over; worker kills are spread over it. */
const SUBMIT_MS = Math.max(10_000, RUNS * 110);

/** A run to follow: four slow agents, so it is still running when its web server dies. */
const FOLLOW = {
  format: "switchboard.workflow/v1",
  name: "Scale-out follow",
  nodes: [
    { id: "start", type: "trigger", name: "start", position: { x: 0, y: 0 }, config: { kind: "manual" } },
    ...[1, 2, 3, 4].map((i) => ({
      id: `s${i}`,
      type: "agent",
      name: `s${i}`,
      position: { x: 0, y: 0 },
      config: { model: "simulated", prompt: `step ${i}`, simulate: { output: `out ${i}`, latencyMs: 1500 } },
    })),
    { id: "done", type: "end", name: "done", position: { x: 0, y: 0 }, config: { output: "{{ nodes.s4.output }}" } },
  ],
  edges: [
    { id: "e0", source: "start", target: "s1" },
    { id: "e1", source: "s1", target: "s2" },
    { id: "e2", source: "s2", target: "s3" },
    { id: "e3", source: "s3", target: "s4" },
    { id: "e4", source: "s4", target: "done" },
  ],
};

/** A compose service's environment with its `${VAR:?…}` / `${VAR:-default}` filled in. */
function resolveEnv(env: Record<string, string>, values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    out[k] = v.replace(/\$\{([A-Z0-9_]+)(?::([?-])([^}]*))?\}/g, (_m, name: string, op?: string, rest?: string) => {
      if (values[name] !== undefined) return values[name] as string;
      if (op === "-") return rest ?? "";
      throw new Error(`compose.yaml needs ${name}`);
    });
  }
  return out;
}

test("scale-out: two web servers, three workers, workers and a web server killed — no run lost, no step re-run", async () => {
  test.setTimeout(Math.max(300_000, RUNS * 2000));
  const started = Date.now();
  const random = prng(SEED);
  const schema = `scale_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const databaseUrl = `${PG_URL}${PG_URL.includes("?") ? "&" : "?"}schema=${schema}`;
  const dir = mkdtempSync(join(tmpdir(), "switchboard-scale-out-"));
  const services = composeServices();
  const web = services["web-1"];
  const worker = services["worker-1"];
  expect(web?.command).toEqual(["node", "bin/start.mjs"]);
  expect(worker?.command.slice(0, 3)).toEqual(["node", "bin/switchboard.mjs", "worker"]);
  const secrets = {
    NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
    SWITCHBOARD_SECRET_KEY: randomBytes(32).toString("hex"),
  };
  // what differs from compose.yaml: where the database and the data are, the ports, and that http
  // steps may call the counting server on 127.0.0.1
  const testEnv = { DATABASE_URL: databaseUrl, SWITCHBOARD_ALLOW_PRIVATE_NETWORK: "1" };
  const server = await countingServer(prng(SEED * 7 + 1));
  const procs = new Set<Proc>();
  const db = new pg.Client({ connectionString: PG_URL });
  await db.connect();
  const q = <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    db.query<T>(sql.replaceAll("$S", `"${schema}"`), params).then((r) => r.rows);

  const webPorts = [await freePort(), await freePort()];
  const startWeb = async (i: number) => {
    const env = {
      ...resolveEnv(web!.environment, { ...secrets, SWITCHBOARD_PUBLIC_URL: `http://127.0.0.1:${webPorts[i]}` }),
      ...testEnv,
      PORT: String(webPorts[i]),
      SWITCHBOARD_DATA_DIR: join(dir, `web-${i + 1}`),
      // one API key starts every run in a burst: lift the per-key start rate and the workspace's
      // cap on queued + running runs (lib/use-cases/runs/limits.ts) above what the test starts
      SWITCHBOARD_RUN_START_RATE_PER_KEY: String(RUNS * 2),
      SWITCHBOARD_MAX_ACTIVE_RUNS: String(RUNS * 2),
    };
    const p = startService(`web-${i + 1}`, web!.command, env);
    procs.add(p);
    await until(
      `web-${i + 1} to be ready`,
      async () => (await fetch(`http://127.0.0.1:${webPorts[i]}/api/health`)).ok,
      120_000,
      250,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${p.log().slice(-3000)}`);
    });
    return p;
  };
  let workerSerial = 0;
  const startWorker = async () => {
    const port = await freePort();
    const command = worker!.command.map((a, i, all) => (all[i - 1] === "--health-port" ? String(port) : a));
    const env = {
      ...resolveEnv(worker!.environment, secrets),
      ...testEnv,
      SWITCHBOARD_DATA_DIR: join(dir, `worker-${++workerSerial}`),
    };
    const p = startService(`worker-${workerSerial}`, command, env);
    procs.add(p);
    return {
      proc: p,
      ready: () =>
        until(`${p.name} to be ready`, async () => (await fetch(`http://127.0.0.1:${port}/ready`)).ok, 60_000, 200),
    };
  };

  const stats = {
    runs: RUNS,
    workerKills: 0,
    webKills: 0,
    requests: 0,
    retriesAsked: 0,
    rerunsAfterKill: 0,
    atMostOnceInterrupted: 0,
    followed: { events: 0, reconnects: 0, servers: 0 },
    submitMs: 0,
    drainMs: 0,
    totalMs: 0,
  };

  try {
    // ------------------------------------------------------------------ the deployment
    // everything at once, as `docker compose up` would: the migrator and the seed take turns
    const workers = await Promise.all([startWorker(), startWorker(), startWorker()]);
    const webs: (Proc | null)[] = await Promise.all([startWeb(0), startWeb(1)]);
    await Promise.all(workers.map((w) => w.ready()));
    const docsFile = join(dir, "documents.json");
    writeFileSync(
      docsFile,
      JSON.stringify([{ ...chaosWorkflow(`http://127.0.0.1:${server.port}`), name: "Scale-out chaos" }, FOLLOW]),
    );
    const out = execFileSync(process.execPath, ["--import", "tsx", "scripts/scale-out-e2e.ts", docsFile], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, NODE_OPTIONS: "" },
      encoding: "utf8",
      timeout: 120_000,
    });
    const setup = JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as {
      workflows: Record<string, string>;
      apiKey: string;
    };
    const base = (i: number) => `http://127.0.0.1:${webPorts[i]}`;
    const start = async (i: number, workflowId: string, input: unknown) => {
      const res = await fetch(`${base(i)}/api/v1/runs`, {
        method: "POST",
        headers: { authorization: `Bearer ${setup.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ workflowId, input }),
      });
      if (res.status !== 201) throw new Error(`start on web-${i + 1}: HTTP ${res.status} ${await res.text()}`);
      return ((await res.json()) as { runId: string }).runId;
    };

    // ------------------------------------------------------------------ a client follows a run through web-1
    const followId = await start(0, setup.workflows["Scale-out follow"] as string, {});
    let seen = 0;
    const following = followRun([base(0), base(1)], followId, setup.apiKey, {
      onEvent: () => {
        seen++;
      },
      timeoutMs: 150_000,
    });

    // ------------------------------------------------------------------ runs through both web servers, workers killed
    const runIds = new Map<number, string>();
    let web1Down = false;
    const inflightOnWeb1 = new Set<Promise<unknown>>();
    const submitting = (async () => {
      const t0 = Date.now();
      for (let n = 1; n <= RUNS; n++) {
        const target = n % 2 === 0 || web1Down ? 1 : 0;
        const p = start(target, setup.workflows["Scale-out chaos"] as string, { n }).then((id) => runIds.set(n, id));
        if (target === 0) {
          inflightOnWeb1.add(p);
          void p.finally(() => inflightOnWeb1.delete(p)).catch(() => {});
        }
        await p;
        const due = t0 + (n * SUBMIT_MS) / RUNS;
        await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      }
      stats.submitMs = Date.now() - t0;
    })();

    const killing = (async () => {
      const every = SUBMIT_MS / (KILLS + 1);
      for (let k = 0; k < KILLS; k++) {
        await new Promise((r) => setTimeout(r, every * (0.5 + random())));
        const i = Math.floor(random() * workers.length);
        const victim = workers[i]!;
        victim.proc.kill();
        await victim.proc.exited;
        procs.delete(victim.proc);
        stats.workerKills++;
        workers[i] = await startWorker(); // restarted, like a container with restart: always
      }
    })();

    // web-1 dies while the client follows the run through it; it comes back a few seconds later
    await until("the client to receive events through web-1", async () => seen >= 3, 60_000, 50);
    web1Down = true;
    await Promise.allSettled([...inflightOnWeb1]);
    webs[0]!.kill();
    await webs[0]!.exited;
    procs.delete(webs[0]!);
    stats.webKills++;

    const followed = await following;
    await Promise.all([submitting, killing]);
    const restarting = startWeb(0); // web-1 comes back (checked below, while the runs drain)

    // ------------------------------------------------------------------ everything ends
    const drain0 = Date.now();
    await until(
      "every run to end",
      async () => {
        const rows = await q<{ n: number }>(
          `SELECT count(*)::int AS n FROM $S."Run" WHERE "status" NOT IN ('succeeded', 'failed', 'cancelled')`,
        );
        return rows[0]?.n === 0;
      },
      120_000,
      250,
    );
    stats.drainMs = Date.now() - drain0;
    webs[0] = await restarting;

    // ------------------------------------------------------------------ the followed run
    const seqs = followed.events.map((e: StreamedEvent) => e.seq);
    expect(seqs, "each event exactly once, in order").toEqual(seqs.map((_, i) => i + 1));
    expect(followed.events.at(-1)?.type).toBe("run.succeeded");
    const stored = await q<{ n: number }>(`SELECT "lastSeq" AS n FROM $S."Run" WHERE "id" = $1`, [followId]);
    expect(seqs.length).toBe(stored[0]?.n);
    expect(followed.reconnects).toBeGreaterThanOrEqual(1);
    const servers = new Set(followed.events.map((e) => e.server));
    expect(servers.size, "events from both web servers").toBe(2);
    stats.followed = { events: seqs.length, reconnects: followed.reconnects, servers: servers.size };

    // ------------------------------------------------------------------ the invariants
    const runs = await q<{
      id: string;
      status: string;
      input: { n?: number } | null;
      output: Record<string, unknown> | null;
      error: unknown;
      leaseOwner: string | null;
      workflowId: string;
    }>(`SELECT "id", "status", "input", "output", "error", "leaseOwner", "workflowId" FROM $S."Run"`);
    const chaosRuns = runs.filter((r) => r.workflowId === setup.workflows["Scale-out chaos"]);
    // none lost, none doubled
    expect(chaosRuns.length).toBe(RUNS);
    expect(new Set(chaosRuns.map((r) => r.input?.n)).size).toBe(RUNS);
    for (const [n, id] of runIds) expect(chaosRuns.find((r) => r.id === id)?.input?.n, `run of input ${n}`).toBe(n);
    for (const r of runs) expect(r.leaseOwner, `run ${r.id} keeps a lease`).toBeNull();

    const hitsByKey = new Map<string, Hit[]>();
    for (const h of server.hits) hitsByKey.set(h.key, [...(hitsByKey.get(h.key) ?? []), h]);
    stats.requests = server.hits.length;
    for (const run of chaosRuns) {
      const n = run.input!.n!;
      const where = `run ${run.id} (input ${n})`;
      expect(run.status, `${where}: ${JSON.stringify(run.error)}`).toBe("succeeded");
      expect(run.output, where).toMatchObject(chaosOutput(n));
      const onceHits = hitsByKey.get(`${run.id}:once:1`) ?? [];
      expect(onceHits.length, `${where}: at-most-once step called ${onceHits.length} times`).toBeLessThanOrEqual(1);
      if (run.output?.once === "ok") expect(onceHits.length, where).toBe(1);
      else {
        expect(run.output?.once, where).toBe("interrupted");
        stats.atMostOnceInterrupted++;
      }
    }
    const gaps = await q<{ runId: string; seqs: number[] }>(
      `SELECT "runId", array_agg("seq" ORDER BY "seq") AS seqs FROM $S."RunEvent" GROUP BY "runId"`,
    );
    for (const g of gaps) expect(g.seqs, `events of ${g.runId}`).toEqual(g.seqs.map((_, i) => i + 1));

    const steps = await q<{
      runId: string;
      nodeId: string;
      visit: number;
      attempt: number;
      status: string;
      endedAt: Date | null;
    }>(`SELECT "runId", "nodeId", "visit", "attempt", "status", "endedAt" FROM $S."Step"`);
    const stepsByKey = new Map<string, typeof steps>();
    for (const s of steps) {
      const k = `${s.runId}:${s.nodeId}:${s.visit}`;
      stepsByKey.set(k, [...(stepsByKey.get(k) ?? []), s]);
    }
    for (const [key, rows] of stepsByKey) {
      rows.sort((x, y) => x.attempt - y.attempt);
      const succeeded = rows.filter((r) => r.status === "succeeded");
      expect(succeeded.length, `${key} succeeded ${succeeded.length} times`).toBeLessThanOrEqual(1);
      if (succeeded.length === 1) expect(rows.at(-1)!.status, `${key}: an attempt after its success`).toBe("succeeded");
      const last = rows.at(-1)!;
      const hits = hitsByKey.get(key) ?? [];
      // timestamp(3) columns hold UTC; node-postgres reads them as local time — compare in UTC
      const endedAt = last.endedAt ? last.endedAt.getTime() - last.endedAt.getTimezoneOffset() * 60_000 : null;
      if (endedAt !== null && (last.status === "succeeded" || last.status === "failed")) {
        for (const h of hits)
          expect(h.at, `${key}: a request after its ${last.status} attempt ended`).toBeLessThanOrEqual(endedAt);
      }
      const answered = hits.filter((h) => h.status !== 503);
      stats.retriesAsked += hits.length - answered.length;
      if (answered.length > 1) stats.rerunsAfterKill += answered.length - 1;
    }
    for (const key of hitsByKey.keys()) expect(stepsByKey.has(key), `request for unknown step ${key}`).toBe(true);
    expect(stats.workerKills).toBe(KILLS);
    stats.totalMs = Date.now() - started;
    console.log(`[scale-out chaos] ${JSON.stringify(stats)}`);
  } finally {
    await Promise.allSettled([...procs].map((p) => p.stop()));
    await server.close();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await db.query(`DROP SCHEMA IF EXISTS "${schema}_jobs" CASCADE`).catch(() => {});
    await db.end();
    rmSync(dir, { recursive: true, force: true });
  }
});
