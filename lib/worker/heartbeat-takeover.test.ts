// A worker restarted elsewhere (another container: another host name in its lease owner name, so
// its predecessor's pid cannot be checked) does not wait out the dead worker's 30 s leases: every
// worker beats every second (lib/runtime/heartbeat.ts), and a lease whose owner's beat is stale
// is expired with its fence raised and taken over within seconds. Two "hosts" on the real
// PostgreSQL server: worker A, a child process, executes three slow runs and is SIGKILLed; worker
// B, in this process, takes them over. A lease held by an executor that never beats is left alone.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "../cli/spawn-cli";
import type { Db } from "../db/client";
import { seedWorkflowVersion } from "../db/fixtures";
import { liveOwners } from "../db/heartbeats";
import { openTestPostgres } from "../db/testing";
import { edge, node, trigger, workflow } from "../engine/testing/builders";
import { createRuntime } from "../runtime/engine";
import { HEARTBEAT_STALE_MS } from "../runtime/heartbeat";
import { startWorker, type Worker } from "./worker";

const CHILD = join(import.meta.dirname, "worker.child.mjs");
const SLOW = workflow(
  [
    trigger(),
    node("fast", "agent", { model: "simulated", prompt: "fast", simulate: { output: "fast done", latencyMs: 10 } }),
    node("slow", "agent", { model: "simulated", prompt: "slow", simulate: { output: "slow done", latencyMs: 4000 } }),
    node("done", "end", { output: "{{ nodes.slow.output }}" }),
  ],
  [edge("start", "fast"), edge("fast", "slow"), edge("slow", "done")],
  { name: "Heartbeat takeover" },
);

describe("a worker on another host takes over a killed worker's leases by its stale heartbeat (PostgreSQL)", () => {
  let db: Db & { dispose(): Promise<void> };
  let b: Worker | null = null;
  let child: ReturnType<typeof spawn> | null = null;
  beforeAll(async () => {
    db = await openTestPostgres();
  });
  afterAll(async () => {
    child?.kill("SIGKILL");
    await b?.stop();
    await db?.dispose();
  });

  it("takes the runs within seconds, not the lease's 30 s, fence raised; leaves non-beating owners alone", async () => {
    const ids = await seedWorkflowVersion(db, SLOW);
    const producer = createRuntime(db, { role: "test" });
    const runIds: string[] = [];
    for (let i = 0; i < 3; i++)
      runIds.push((await producer.engine.startRun({ document: SLOW, ...ids }, {}, { trigger: "api" })).runId);
    // a run held by an executor elsewhere that never beats (the CLI, an older version): untouched
    const { runId: foreign } = await producer.engine.startRun({ document: SLOW, ...ids }, {}, { trigger: "api" });
    await db.prisma.run.update({
      where: { id: foreign },
      data: { status: "running", leaseOwner: "cli:elsewhere:4242", leaseUntil: new Date(Date.now() + 120_000) },
    });
    await producer.close();

    const ownerA = `worker:host-a:${process.pid + 1}`;
    const ownerB = `worker:host-b:${process.pid}`;
    child = spawn(process.execPath, [CHILD, JSON.stringify(db.target), ownerA, "3"], {
      env: { ...process.env, SWITCHBOARD_SEED: "0", NODE_OPTIONS: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child!.on("exit", (_c, signal) => resolve(signal)));
    await until(
      "worker A to be in the slow step of all three runs",
      async () => {
        const n = await db.prisma.step.count({ where: { runId: { in: runIds }, nodeId: "slow", status: "running" } });
        return n === 3;
      },
      60_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${out}`);
    });
    expect(await liveOwners(db, HEARTBEAT_STALE_MS)).toEqual([ownerA]);

    // worker B starts while A lives: A's fresh beat keeps B off its runs
    b = await startWorker(db, { owner: ownerB, concurrency: 3, pollMs: 100, sweepMs: 500, sweeps: false });
    expect(await liveOwners(db, HEARTBEAT_STALE_MS)).toEqual([ownerA, ownerB]);
    await new Promise((r) => setTimeout(r, 1500));
    for (const r of await db.prisma.run.findMany({ where: { id: { in: runIds } } })) {
      expect(r.leaseOwner).toBe(ownerA);
      expect(r.fence).toBe(1);
    }

    child.kill("SIGKILL");
    const killedAt = Date.now();
    expect(await exited).toBe("SIGKILL");
    const leasedUntil = Math.min(
      ...(await db.prisma.run.findMany({ where: { id: { in: runIds } } })).map((r) => r.leaseUntil!.getTime()),
    );
    expect(leasedUntil - killedAt).toBeGreaterThan(20_000); // A's leases had more than 20 s left

    await until(
      "worker B to hold all three runs",
      async () => (await db.prisma.run.count({ where: { id: { in: runIds }, leaseOwner: ownerB } })) === 3,
      30_000,
      100,
    );
    const takenAfter = Date.now() - killedAt;
    console.info(
      `[heartbeat takeover] all three runs taken ${takenAfter} ms after the kill (lease had ${leasedUntil - killedAt} ms left)`,
    );
    expect(takenAfter).toBeLessThan(HEARTBEAT_STALE_MS + 6_000); // stale after 6 s, swept every 0.5 s
    expect(Date.now()).toBeLessThan(leasedUntil - 5_000); // well before A's leases would have expired

    await until(
      "the runs to succeed",
      async () => (await db.prisma.run.count({ where: { id: { in: runIds }, status: "succeeded" } })) === 3,
      30_000,
    );
    for (const r of await db.prisma.run.findMany({ where: { id: { in: runIds } } })) {
      expect(r.output).toBe("slow done");
      expect(r.fence).toBe(3); // A's claim, the expiry (fence raised), B's claim
    }
    for (const runId of runIds) {
      const slow = await db.prisma.step.findMany({ where: { runId, nodeId: "slow" }, orderBy: { attempt: "asc" } });
      expect(slow.map((s) => [s.attempt, s.status])).toEqual([
        [1, "failed"],
        [2, "succeeded"],
      ]);
      expect(await db.prisma.step.count({ where: { runId, nodeId: "fast" } })).toBe(1);
    }
    // the dead worker's beat is stale; the non-beating executor's lease was not touched
    expect(await liveOwners(db, HEARTBEAT_STALE_MS)).toEqual([ownerB]);
    const f = await db.prisma.run.findUniqueOrThrow({ where: { id: foreign } });
    expect([f.leaseOwner, f.fence, f.status]).toEqual(["cli:elsewhere:4242", 0, "running"]);
  }, 120_000);
});
