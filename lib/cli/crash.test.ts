// Crash recovery for real: start `switchboard run` as a child process on a workflow with a slow
// simulated step, SIGKILL it while that step runs, then run `switchboard recover`. The run must
// succeed, no completed step may run twice, and the interrupted step must run again with the same
// idempotency key. On SQLite (the embedded default) and on the real PostgreSQL server.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Db, openDb } from "../db/client";
import { openTestPostgres } from "../db/testing";
import type { RunResult } from "../engine/types";
import { slowChain } from "./fixtures";

const BIN = join(process.cwd(), "bin/switchboard.mjs");

interface Setup {
  db: Db;
  env: Record<string, string>;
  dispose(): Promise<void>;
}

async function sqliteSetup(dir: string): Promise<Setup> {
  const file = join(dir, "crash.db");
  const db = await openDb({ provider: "sqlite", file, url: `file:${file}` });
  return { db, env: { DATABASE_URL: `file:${file}` }, dispose: () => db.close() };
}

async function postgresSetup(): Promise<Setup> {
  const db = await openTestPostgres();
  if (db.target.provider !== "postgresql") throw new Error("expected PostgreSQL");
  return { db, env: { DATABASE_URL: db.target.url }, dispose: () => db.dispose() };
}

function spawnCli(
  args: string[],
  env: Record<string, string>,
  cwd: string,
): ChildProcess & {
  output: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
} {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, ...env, SWITCHBOARD_SEED: "0", SWITCHBOARD_DATA_DIR: join(cwd, "data"), NODE_OPTIONS: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const output = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return Object.assign(child, { output });
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const CASES = [
  { name: "sqlite", setup: sqliteSetup },
  { name: "postgresql", setup: (_dir: string) => postgresSetup() },
] as const;

describe.each(CASES)("crash recovery through the CLI on $name", ({ setup }) => {
  let dir: string;
  let s: Setup | null = null;
  afterEach(async () => {
    await s?.dispose();
    s = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it("SIGKILL mid-step, then `switchboard recover`: the interrupted step starts again with the same key, nothing else re-runs", async () => {
    dir = mkdtempSync(join(tmpdir(), "switchboard-crash-"));
    s = await setup(dir);
    const db = s.db;
    const workflowFile = join(dir, "slow.json");
    writeFileSync(workflowFile, JSON.stringify(slowChain(60_000)));

    const child = spawnCli(["run", workflowFile, "--json"], s.env, dir);
    // Wait until the slow step is on record as running (fast1 and fast2 are done by then).
    const runId = await until("the slow step to start", async () => {
      const step = await db.prisma.step.findFirst({ where: { nodeId: "slow", status: "running" } });
      return step?.runId;
    });
    child.kill("SIGKILL");
    const killed = await child.output;
    expect(killed.signal).toBe("SIGKILL");

    const before = await db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    expect(before.status).toBe("running");
    expect(before.leaseOwner).toMatch(/^cli:/);

    // `recover` takes the run over at once (its executor's process is gone) and starts the slow
    // step again; the step takes a minute, so once the re-run is on record recovery is killed too.
    const recovered = spawnCli(["recover", "--json"], s.env, dir);
    // The re-run of "slow" starts as attempt 2 with the same idempotency key.
    const rerun = await until("the interrupted step to run again", async () =>
      db.prisma.step.findFirst({ where: { runId, nodeId: "slow", attempt: 2 } }),
    );
    recovered.kill("SIGKILL");
    await recovered.output;

    const steps = await db.prisma.step.findMany({
      where: { runId },
      orderBy: [{ startedAt: "asc" }, { attempt: "asc" }],
    });
    const slow = steps.filter((x) => x.nodeId === "slow");
    expect(slow.map((x) => [x.attempt, x.status])).toEqual([
      [1, "failed"],
      [2, "running"],
    ]);
    expect(slow[0].idempotencyKey).toBe(`${runId}:slow:1`);
    expect(rerun.idempotencyKey).toBe(slow[0].idempotencyKey);
    expect((slow[0].error as { code?: string } | null)?.code).toBe("interrupted");
    for (const id of ["start", "fast1", "fast2"]) {
      expect(steps.filter((x) => x.nodeId === id).map((x) => [x.attempt, x.status])).toEqual([[1, "succeeded"]]);
    }
  }, 120_000);

  it("a killed run finishes on `switchboard recover`, each completed step having run once", async () => {
    dir = mkdtempSync(join(tmpdir(), "switchboard-crash-"));
    s = await setup(dir);
    const db = s.db;
    const workflowFile = join(dir, "slow.json");
    // slow enough to be killed mid-step, short enough for recovery to finish it quickly
    writeFileSync(workflowFile, JSON.stringify(slowChain(2500)));

    const child = spawnCli(["run", workflowFile, "--json"], s.env, dir);
    const runId = await until("the slow step to start", async () => {
      const step = await db.prisma.step.findFirst({ where: { nodeId: "slow", status: "running" } });
      return step?.runId;
    });
    child.kill("SIGKILL");
    await child.output;

    const recover = await spawnCli(["recover", "--json"], s.env, dir).output;
    expect(recover.code, recover.stderr).toBe(0);
    const results: RunResult[] = JSON.parse(recover.stdout);
    const result = results.find((r) => r.runId === runId);
    expect(result?.status).toBe("succeeded");
    expect(result?.output).toBe("after done");

    const steps = await db.prisma.step.findMany({ where: { runId } });
    const attempts = (id: string) =>
      steps
        .filter((x) => x.nodeId === id)
        .map((x) => [x.attempt, x.status])
        .sort();
    for (const id of ["start", "fast1", "fast2", "after", "done"]) expect(attempts(id)).toEqual([[1, "succeeded"]]);
    expect(attempts("slow")).toEqual([
      [1, "failed"],
      [2, "succeeded"],
    ]);
    const keys = new Set(steps.filter((x) => x.nodeId === "slow").map((x) => x.idempotencyKey));
    expect([...keys]).toEqual([`${runId}:slow:1`]);

    // The event log tells the same story, in order, with no gaps.
    const events = await db.prisma.runEvent.findMany({ where: { runId }, orderBy: { seq: "asc" } });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const started = (id: string) =>
      events.filter((e) => e.type === "step.started" && (e.data as { nodeId?: string }).nodeId === id).length;
    expect(started("fast1")).toBe(1);
    expect(started("fast2")).toBe(1);
    expect(started("slow")).toBe(2);
    expect(events.some((e) => e.type === "step.interrupted")).toBe(true);
    const run = await db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ status: "succeeded", leaseOwner: null });
    expect(run.fence).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
