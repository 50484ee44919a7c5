// W3 with workers (`npm run bench -- --postgres`, workload `w3-workers`): the W3 shape (a 5-agent
// chain, simulated agents of zero latency) started by this process the way a web server with
// SWITCHBOARD_EXECUTE=workers starts runs — each run created queued with its job in one
// statement — and executed by 1, 2 and 4 real `switchboard worker` processes (graphile-worker).
// Throughput is measured from the first start to the last run succeeded, after a warm-up of the
// same shape on the same workers; the scaling ratio is against one worker. Besides this
// process's CPU, each line reports the workers' and PostgreSQL's CPU per run (from /proc), which
// is what decides the figure on a small machine (docs/benchmarks.md). A second series gives each
// agent 50 ms of latency (runs that wait, as real agents do): there the workers' concurrency, not
// the machine's CPU, bounds the throughput, and the scaling ratio shows what more workers add.
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Db } from "../db/client";
import { seedWorkflowVersion } from "../db/fixtures";
import { countRunsOfVersion } from "../db/runs";
import { agentChain } from "../engine/testing/builders";
import { createRuntime } from "../runtime/engine";

export interface WorkersLine {
  /** each simulated agent's latency: 0 (CPU-bound, W3's shape) or 50 (runs that wait) */
  agent_latency_ms: number;
  workers: number;
  concurrency_per_worker: number;
  runs: number;
  runs_per_s: number;
  /** runs_per_s against the same measurement with one worker */
  scaling: number;
  /** CPU per run of the producing process (the "web server": creating runs and their jobs) */
  cpu_ms_per_run: number;
  /** CPU per run of all worker processes together */
  worker_cpu_ms_per_run: number;
  /** CPU per run of every PostgreSQL server process on the machine (other users of the server included) */
  postgres_cpu_ms_per_run: number | null;
  /** growth of the schemas' relations during the measured runs (warm-up excluded), per run */
  write_bytes_per_run: number;
}

const TICK_MS = 1000 / 100; // /proc times are in clock ticks (USER_HZ = 100 on Linux)

/** utime + stime of a process, in ms (null when it is gone or /proc is missing). */
function procCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}

/** CPU of every process named postgres (the server's backends, checkpointer, WAL writer…), in ms; null without /proc. */
export function postgresCpuMs(): number | null {
  let total = 0;
  let found = false;
  try {
    for (const name of readdirSync("/proc")) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const comm = readFileSync(`/proc/${name}/comm`, "utf8").trim();
        if (comm !== "postgres") continue;
        const ms = procCpuMs(Number(name));
        if (ms !== null) {
          total += ms;
          found = true;
        }
      } catch {
        // the process ended meanwhile
      }
    }
  } catch {
    return null;
  }
  return found ? total : null;
}

interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<void>;
  /** The worker's log so far (stderr). */
  log(): string;
}

function startWorkerProcess(url: string, concurrency: number): Promise<WorkerProcess> {
  const bin = join(process.cwd(), "bin/switchboard.mjs");
  const child = spawn(process.execPath, [bin, "worker", "--concurrency", String(concurrency), "--grace", "0"], {
    env: { ...process.env, DATABASE_URL: url, SWITCHBOARD_SEED: "0", SWITCHBOARD_EXECUTE: "workers", NODE_OPTIONS: "" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`a bench worker did not start:\n${log}`)), 60_000);
    child.stderr!.on("data", (d) => {
      log += d;
      if (log.includes("started (")) {
        clearTimeout(timer);
        resolve({ child, exited, log: () => log });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`a bench worker exited (${code}):\n${log}`));
    });
  });
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * W3 through `workers` worker processes: `warmup` runs, then `total` measured runs; `startConcurrency`
 * runs are being created at a time (the web servers' share of the work).
 */
async function measureWorkers(
  db: Db,
  url: string,
  workers: number,
  opts: {
    latencyMs: number;
    total: number;
    warmup: number;
    concurrencyPerWorker: number;
    startConcurrency: number;
    storedBytes: () => Promise<number>;
  },
): Promise<Omit<WorkersLine, "scaling">> {
  const document = agentChain(5, { output: "ok", ...(opts.latencyMs ? { latencyMs: opts.latencyMs } : {}) });
  const ids = await seedWorkflowVersion(db, document);
  const producer = createRuntime(db, { role: "bench", enqueue: true, execute: false });
  const procs = await Promise.all(
    Array.from({ length: workers }, () => startWorkerProcess(url, opts.concurrencyPerWorker)),
  );
  const succeeded = () => countRunsOfVersion(db, ids.workflowVersionId, "succeeded");
  const batch = async (count: number) => {
    const before = await succeeded();
    let next = 0;
    await Promise.all(
      Array.from({ length: opts.startConcurrency }, async () => {
        while (next < count) {
          next++;
          await producer.engine.startRun({ document, ...ids }, {}, { trigger: "api" });
        }
      }),
    );
    const deadline = Date.now() + 300_000;
    while ((await succeeded()) - before < count) {
      if (Date.now() > deadline) {
        const logs = procs.map((p, i) => `worker ${i + 1}:\n${p.log().slice(-2000)}`).join("\n");
        throw new Error(`w3-workers: ${count} runs did not finish within 5 minutes\n${logs}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    await batch(opts.warmup);
    const pids = procs.map((p) => p.child.pid!);
    const workerCpu0 = pids.map(procCpuMs);
    const pgCpu0 = postgresCpuMs();
    const stored0 = await opts.storedBytes();
    const cpu0 = process.cpuUsage();
    const t = performance.now();
    await batch(opts.total);
    const seconds = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const workerCpu = pids.reduce((sum, pid, i) => sum + ((procCpuMs(pid) ?? 0) - (workerCpu0[i] ?? 0)), 0);
    const pgCpu1 = postgresCpuMs();
    const stored1 = await opts.storedBytes();
    return {
      agent_latency_ms: opts.latencyMs,
      workers,
      concurrency_per_worker: opts.concurrencyPerWorker,
      runs: opts.total,
      runs_per_s: round(opts.total / seconds, 1),
      cpu_ms_per_run: round((cpu.user + cpu.system) / 1000 / opts.total),
      worker_cpu_ms_per_run: round(workerCpu / opts.total),
      postgres_cpu_ms_per_run: pgCpu0 !== null && pgCpu1 !== null ? round((pgCpu1 - pgCpu0) / opts.total) : null,
      write_bytes_per_run: Math.round((stored1 - stored0) / opts.total),
    };
  } finally {
    for (const p of procs) p.child.kill("SIGTERM");
    await Promise.all(procs.map((p) => p.exited));
    await producer.close();
  }
}

/** W3 with 1, 2 and 4 workers (or the given counts), one line each, scaling against the first. */
export async function benchWithWorkers(
  db: Db,
  url: string,
  options: {
    quick?: boolean;
    counts?: number[];
    /** Runs each worker executes at once (default 10, W3's "10 at a time"). */
    concurrencyPerWorker?: number;
    /** Agent latencies to measure (default 0 and 50 ms). */
    latencies?: number[];
    /** Bytes stored so far (the bench's measure of writes). */
    storedBytes: () => Promise<number>;
    onLine: (line: WorkersLine) => void;
  },
): Promise<WorkersLine[]> {
  const counts = options.counts ?? [1, 2, 4];
  const lines: WorkersLine[] = [];
  for (const latencyMs of options.latencies ?? [0, 50]) {
    let base: number | null = null;
    for (const workers of counts) {
      const m = await measureWorkers(db, url, workers, {
        latencyMs,
        total: options.quick ? 100 : 500,
        warmup: options.quick ? 50 : latencyMs ? 100 : 300,
        concurrencyPerWorker: options.concurrencyPerWorker ?? 10,
        startConcurrency: 10,
        storedBytes: options.storedBytes,
      });
      base ??= m.runs_per_s;
      const line = { ...m, scaling: round(m.runs_per_s / base, 2) };
      lines.push(line);
      options.onLine(line);
    }
  }
  return lines;
}
