// The benchmark (`npm run bench`, `switchboard bench --json`): the workloads other engines were
// measured on, with persistence on, on a fresh embedded SQLite file (or a fresh PostgreSQL
// schema with --postgres), simulated agents with zero latency. One JSON object per workload line.
// docs/benchmarks.md records the numbers and what dominates them.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { WorkflowDocument } from "@/lib/contracts/workflow-document";
import { type Db, openDb } from "../db/client";
import { seedWorkflowVersion } from "../db/fixtures";
import { postgresSchemaBytes } from "../db/storage";
import { agentChain, edge, fanOut, node, trigger, workflow } from "../engine/testing/builders";
import type { RunResult } from "../engine/types";
import { readEnv } from "../env";
import { createRuntime, type Runtime } from "../runtime/engine";
import { type AgentsBenchResult, benchAgents } from "./bench-agents";
import { benchWithWorkers, postgresCpuMs } from "./bench-workers";
import type { CliContext } from "./commands";
import { CliError, EXIT } from "./io";

export const WORKLOADS = [
  "w1-chain-10",
  "w1-chain-100",
  "w2-fanout-50",
  "w3-throughput",
  "w3-workers",
  "w4-hitl",
  "w6-agents",
] as const;
export const EXTRA_WORKLOADS = ["w5-memory"] as const;
export type Workload = (typeof WORKLOADS)[number] | (typeof EXTRA_WORKLOADS)[number];

export interface BenchLine {
  workload: Workload;
  engine: "switchboard";
  db: "sqlite" | "postgresql";
  runs: number;
  median_ms?: number;
  p90_ms?: number;
  per_step_ms?: number;
  runs_per_s?: number;
  resume_to_complete?: { median_ms: number };
  peak_rss_mb: number;
  write_bytes_per_run: number;
  /** bytes this process passed to write() per run (SQLite: WAL and checkpoint writes), from /proc/self/io */
  io_write_bytes_per_run?: number;
  /** CPU time of this process per run (user + system): what a run costs when the machine is busy */
  cpu_ms_per_run: number;
  /** the machine's 1-minute load average when the workload ended (2 cores: above 2 means contention) */
  load_1m: number;
  rss_mb?: number[];
  heap_mb?: number[];
  /** w3-workers (PostgreSQL): each simulated agent's latency (0: CPU-bound W3; 50: runs that wait) */
  agent_latency_ms?: number;
  /** w3-workers: worker processes, each executing this many runs at once */
  workers?: number;
  concurrency_per_worker?: number;
  /** w3-workers: runs_per_s against one worker */
  scaling?: number;
  /** w3-workers: CPU per run of the worker processes */
  worker_cpu_ms_per_run?: number;
  /** PostgreSQL (a server on this machine): CPU per run of all its processes, from /proc (other users' work included) */
  postgres_cpu_ms_per_run?: number | null;
  /** w6-agents: agent steps on the provider path vs the simulated model, and chunk → SSE client latency */
  agents?: Omit<AgentsBenchResult, "runs">;
}

export interface BenchOptions {
  /** PostgreSQL URL; absent: a fresh SQLite file. */
  postgres?: string;
  quick?: boolean;
  only?: Workload[];
  onLine?: (line: BenchLine) => void;
}

export const HITL_DOCUMENT: WorkflowDocument = workflow(
  [
    trigger(),
    node("draft", "agent", { model: "simulated", prompt: "Draft a reply", simulate: { output: "Draft" } }),
    node("approve", "approval", { title: "Send it?", assignees: { roles: ["approver"], users: [] }, timeoutMs: null }),
    node("send", "agent", { model: "simulated", prompt: "Send it", simulate: { output: "Sent" } }),
    node("done", "end", { output: "{{ nodes.send.output }}" }),
  ],
  [edge("start", "draft"), edge("draft", "approve"), edge("approve", "send", "approved"), edge("send", "done")],
  { name: "Draft, approve, send" },
);

interface BenchDb {
  db: Db;
  /** The database URL for other processes (PostgreSQL: with `?schema=`). */
  url: string;
  /** Bytes stored so far (SQLite: db + WAL file sizes; PostgreSQL: the schema's relations). */
  storedBytes(): Promise<number>;
  dispose(): Promise<void>;
}

async function openSqliteBench(): Promise<BenchDb> {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-bench-"));
  const file = join(dir, "bench.db");
  const db = await openDb({ provider: "sqlite", file, url: `file:${file}` });
  const size = (f: string) => {
    try {
      return statSync(f).size;
    } catch {
      return 0;
    }
  };
  return {
    db,
    url: `file:${file}`,
    storedBytes: async () => size(file) + size(`${file}-wal`),
    async dispose() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openPostgresBench(url: string): Promise<BenchDb> {
  const schema = `bench_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const u = new URL(url);
  u.searchParams.set("schema", schema);
  const db = await openDb({ provider: "postgresql", url: u.toString(), schema });
  return {
    db,
    url: u.toString(),
    storedBytes: () => postgresSchemaBytes(db, schema),
    async dispose() {
      await db.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.query(`DROP SCHEMA IF EXISTS "${schema}_jobs" CASCADE`);
      await client.end();
    },
  };
}

function ioWrittenBytes(): number | null {
  try {
    const m = /^wchar:\s+(\d+)$/m.exec(readFileSync("/proc/self/io", "utf8"));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

const peakRssMb = () => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
const heapMb = () => Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10;
const rssMb = () => Math.round((process.memoryUsage().rss / 1024 / 1024) * 10) / 10;
const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function expectSucceeded(r: RunResult, what: string) {
  if (r.status !== "succeeded")
    throw new Error(`${what}: the run ${r.runId} ended ${r.status}${r.error ? `: ${r.error.message}` : ""}`);
}

type Source = Parameters<Runtime["engine"]["execute"]>[0];

async function sourceFor(db: Db, document: WorkflowDocument): Promise<Source> {
  const ids = await seedWorkflowVersion(db, document);
  return { document, ...ids };
}

/** Measures a workload's storage growth and write volume around `body` (which returns its run count). */
async function measured(
  bdb: BenchDb,
  body: () => Promise<{ runs: number } & Partial<BenchLine>>,
): Promise<Omit<BenchLine, "workload" | "engine" | "db">> {
  const stored0 = await bdb.storedBytes();
  const io0 = ioWrittenBytes();
  const pg0 = bdb.db.provider === "postgresql" ? postgresCpuMs() : null;
  const cpu0 = process.cpuUsage();
  const out = await body();
  const cpu = process.cpuUsage(cpu0);
  const pg1 = pg0 === null ? null : postgresCpuMs();
  const stored1 = await bdb.storedBytes();
  const io1 = ioWrittenBytes();
  return {
    ...out,
    cpu_ms_per_run: round((cpu.user + cpu.system) / 1000 / out.runs),
    ...(pg0 !== null && pg1 !== null ? { postgres_cpu_ms_per_run: round((pg1 - pg0) / out.runs) } : {}),
    load_1m: round(loadavg()[0], 2),
    peak_rss_mb: peakRssMb(),
    write_bytes_per_run: Math.round((stored1 - stored0) / out.runs),
    ...(io0 !== null && io1 !== null && bdb.db.provider === "sqlite"
      ? { io_write_bytes_per_run: Math.round((io1 - io0) / out.runs) }
      : {}),
  };
}

export async function runBench(options: BenchOptions = {}): Promise<BenchLine[]> {
  const quick = options.quick ?? false;
  const selected = options.only ?? [...WORKLOADS];
  const bdb = options.postgres ? await openPostgresBench(options.postgres) : await openSqliteBench();
  const rt = createRuntime(bdb.db, { role: "bench" });
  const engine = rt.engine;
  const dbKind = bdb.db.provider;
  const lines: BenchLine[] = [];
  const emit = (workload: Workload, m: Omit<BenchLine, "workload" | "engine" | "db">) => {
    const line: BenchLine = { workload, engine: "switchboard", db: dbKind, ...m };
    lines.push(line);
    options.onLine?.(line);
  };

  try {
    for (const n of [10, 100] as const) {
      const workload = `w1-chain-${n}` as const;
      if (!selected.includes(workload)) continue;
      const source = await sourceFor(bdb.db, agentChain(n));
      for (let i = 0; i < (quick ? 1 : 3); i++) expectSucceeded(await engine.execute(source, {}), workload); // warm-up
      const reps = quick ? 5 : n === 10 ? 21 : 9;
      emit(
        workload,
        await measured(bdb, async () => {
          const times: number[] = [];
          for (let i = 0; i < reps; i++) {
            const t = performance.now();
            expectSucceeded(await engine.execute(source, {}), workload);
            times.push(performance.now() - t);
          }
          const median = quantile(times, 0.5);
          return {
            runs: reps,
            median_ms: round(median),
            p90_ms: round(quantile(times, 0.9)),
            per_step_ms: round(median / n, 4),
          };
        }),
      );
    }

    if (selected.includes("w2-fanout-50")) {
      const source = await sourceFor(bdb.db, fanOut(50));
      for (let i = 0; i < (quick ? 1 : 3); i++) expectSucceeded(await engine.execute(source, {}), "w2");
      const reps = quick ? 5 : 11;
      emit(
        "w2-fanout-50",
        await measured(bdb, async () => {
          const times: number[] = [];
          for (let i = 0; i < reps; i++) {
            const t = performance.now();
            expectSucceeded(await engine.execute(source, {}), "w2-fanout-50");
            times.push(performance.now() - t);
          }
          return { runs: reps, median_ms: round(quantile(times, 0.5)), p90_ms: round(quantile(times, 0.9)) };
        }),
      );
    }

    if (selected.includes("w3-throughput")) {
      const source = await sourceFor(bdb.db, agentChain(5));
      const total = quick ? 100 : 500;
      const concurrency = 10;
      /** `count` runs, `concurrency` at a time; the latency of each. */
      const batch = async (count: number) => {
        const latencies: number[] = [];
        let next = 0;
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next < count) {
              next++;
              const s = performance.now();
              expectSucceeded(await engine.execute(source, {}), "w3-throughput");
              latencies.push(performance.now() - s);
            }
          }),
        );
        return latencies;
      };
      // warm-up in the measured shape, so the figure is the same whether or not W1 and W2 ran
      // before it (`--only w3-throughput` otherwise measures V8 compiling the hot path)
      await batch(quick ? 50 : 300);
      emit(
        "w3-throughput",
        await measured(bdb, async () => {
          const t = performance.now();
          const latencies = await batch(total);
          const seconds = (performance.now() - t) / 1000;
          return { runs: total, runs_per_s: round(total / seconds, 1), median_ms: round(quantile(latencies, 0.5)) };
        }),
      );
    }

    if (selected.includes("w3-workers")) {
      if (bdb.db.provider !== "postgresql") {
        if (options.only?.includes("w3-workers"))
          throw new CliError("w3-workers needs PostgreSQL (--postgres): workers take runs from its queue.");
      } else {
        await benchWithWorkers(bdb.db, bdb.url, {
          quick,
          storedBytes: () => bdb.storedBytes(),
          onLine: (w) => emit("w3-workers", { ...w, load_1m: round(loadavg()[0], 2), peak_rss_mb: peakRssMb() }),
        });
      }
    }

    if (selected.includes("w4-hitl")) {
      const source = await sourceFor(bdb.db, HITL_DOCUMENT);
      const reps = quick ? 5 : 21;
      const pause = async () => {
        const r = await engine.execute(source, {});
        const pending = r.approvals.find((a) => a.status === "pending");
        if (r.status !== "waiting" || !pending) throw new Error(`w4-hitl: expected a pause, got ${r.status}`);
        return pending.id;
      };
      for (let i = 0; i < 3; i++)
        expectSucceeded(await engine.decide(await pause(), { decision: "approve", by: "bench" }), "w4");
      emit(
        "w4-hitl",
        await measured(bdb, async () => {
          const times: number[] = [];
          for (let i = 0; i < reps; i++) {
            const approvalId = await pause();
            const t = performance.now();
            expectSucceeded(await engine.decide(approvalId, { decision: "approve", by: "bench" }), "w4-hitl");
            times.push(performance.now() - t);
          }
          return { runs: reps, resume_to_complete: { median_ms: round(quantile(times, 0.5)) } };
        }),
      );
    }

    if (selected.includes("w6-agents")) {
      emit(
        "w6-agents",
        await measured(bdb, async () => {
          const { runs, ...agents } = await benchAgents(bdb.db, { quick });
          return { runs, agents };
        }),
      );
    }

    if (selected.includes("w5-memory")) {
      // Memory over many runs: 10,000 runs of a 5-step chain, 10 at a time; RSS every 1,000 runs.
      const source = await sourceFor(bdb.db, agentChain(5));
      const total = quick ? 2000 : 10_000;
      emit(
        "w5-memory",
        await measured(bdb, async () => {
          const samples: number[] = [rssMb()];
          const heap: number[] = [heapMb()];
          let next = 0;
          let done = 0;
          const t = performance.now();
          await Promise.all(
            Array.from({ length: 10 }, async () => {
              while (next < total) {
                next++;
                expectSucceeded(await engine.execute(source, {}), "w5-memory");
                done++;
                if (done % 1000 === 0) {
                  samples.push(rssMb());
                  heap.push(heapMb());
                }
              }
            }),
          );
          return {
            runs: total,
            runs_per_s: round(total / ((performance.now() - t) / 1000), 1),
            rss_mb: samples,
            heap_mb: heap,
          };
        }),
      );
    }
  } finally {
    await rt.close();
    await bdb.dispose();
  }
  return lines;
}

export function parseWorkloads(value: string | undefined): Workload[] | undefined {
  if (!value) return undefined;
  const all: readonly string[] = [...WORKLOADS, ...EXTRA_WORKLOADS];
  const list = value.split(",").map((s) => s.trim());
  const bad = list.filter((w) => !all.includes(w));
  if (bad.length) throw new CliError(`Unknown workload(s): ${bad.join(", ")}. Known: ${all.join(", ")}.`);
  return list as Workload[];
}

export function defaultPostgresUrl(): string {
  return readEnv().TEST_POSTGRES_URL;
}

export async function benchCommand(
  ctx: CliContext,
  opts: { json?: boolean; postgres?: string | boolean; quick?: boolean; only?: string },
): Promise<number> {
  const postgres = opts.postgres === true ? defaultPostgresUrl() : opts.postgres || undefined;
  await runBench({
    postgres,
    quick: opts.quick,
    only: parseWorkloads(opts.only),
    onLine: (line) => ctx.io.stdout(opts.json ? `${JSON.stringify(line)}\n` : formatLine(line)),
  });
  return EXIT.ok;
}

function formatLine(l: BenchLine): string {
  const parts = [
    l.median_ms !== undefined ? `median ${l.median_ms} ms/run` : "",
    l.per_step_ms !== undefined ? `${l.per_step_ms} ms/step` : "",
    l.runs_per_s !== undefined ? `${l.runs_per_s} runs/s` : "",
    l.resume_to_complete ? `decide→succeeded ${l.resume_to_complete.median_ms} ms` : "",
    `CPU ${l.cpu_ms_per_run} ms/run`,
    `peak RSS ${l.peak_rss_mb} MB`,
    `${l.write_bytes_per_run} B stored/run`,
    l.rss_mb ? `RSS ${l.rss_mb.join(" → ")} MB` : "",
    l.agents
      ? `agent step +${l.agents.overhead_ms_per_step} ms over simulated (streamed +${l.agents.overhead_streamed_ms_per_step} ms; CPU +${l.agents.overhead_cpu_ms_per_step} / +${l.agents.overhead_streamed_cpu_ms_per_step} ms), chunk→SSE p50 ${l.agents.stream_latency_ms.p50} ms p95 ${l.agents.stream_latency_ms.p95} ms`
      : "",
  ].filter(Boolean);
  return `${l.workload.padEnd(14)} ${l.db.padEnd(10)} ${parts.join(", ")}\n`;
}
