// A worker restarted after being killed resumes the runs it was executing at once: their leases
// name a process of this host that no longer exists, so the new worker does not wait out their
// time-to-live (30 s). The killed worker is a real `switchboard worker` child process; the
// restarted one runs in this process. SQLite and PostgreSQL.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CLI_DATABASES, type CliDatabase, spawnCli, until } from "../cli/spawn-cli";
import { seedWorkflowVersion } from "../db/fixtures";
import { edge, node, trigger, workflow } from "../engine/testing/builders";
import { createRuntime } from "../runtime/engine";
import { startWorker } from "./worker";

const SLOW = workflow(
  [
    trigger(),
    node("fast", "agent", { model: "simulated", prompt: "fast", simulate: { output: "fast done", latencyMs: 10 } }),
    node("slow", "agent", { model: "simulated", prompt: "slow", simulate: { output: "slow done", latencyMs: 3000 } }),
    node("done", "end", { output: "{{ nodes.slow.output }}" }),
  ],
  [edge("start", "fast"), edge("fast", "slow"), edge("slow", "done")],
  { name: "Worker restart" },
);

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

describe.each(CLI_DATABASES)("a restarted worker on $name", ({ setup }) => {
  it("resumes the runs the killed worker was executing without waiting for their leases to expire", async () => {
    const dir = mkdtempSync(join(tmpdir(), "switchboard-worker-restart-"));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const s: CliDatabase = await setup(dir);
    cleanups.push(() => s.dispose());
    const db = s.db;
    const ids = await seedWorkflowVersion(db, SLOW);
    const producer = createRuntime(db, { role: "test" });
    cleanups.push(() => producer.close());
    const { runId } = await producer.engine.startRun({ document: SLOW, ...ids }, {}, { trigger: "api" });

    const first = spawnCli(["worker", "--concurrency", "1"], s.env, dir);
    cleanups.push(async () => first.kill("SIGKILL"));
    await until("the worker to be in the slow step", () =>
      db.prisma.step.findFirst({ where: { runId, nodeId: "slow", status: "running" } }),
    );
    first.kill("SIGKILL");
    expect((await first.output).signal).toBe("SIGKILL");
    const killed = await db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    expect(killed.status).toBe("running");
    expect(killed.leaseOwner).toMatch(/^worker:/);
    const leaseUntil = killed.leaseUntil!.getTime();
    expect(leaseUntil).toBeGreaterThan(Date.now());

    const restarted = await startWorker(db, { concurrency: 1, pollMs: 100, sweeps: false });
    cleanups.push(() => restarted.stop());
    const run = await until(
      "the restarted worker to finish the run",
      async () => {
        const r = await db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
        return r.status === "succeeded" ? r : null;
      },
      45_000,
    );
    expect(run.output).toBe("slow done");
    const slow = await db.prisma.step.findMany({ where: { runId, nodeId: "slow" }, orderBy: { attempt: "asc" } });
    expect(slow.map((x) => [x.attempt, x.status])).toEqual([
      [1, "failed"],
      [2, "succeeded"],
    ]);
    // Taken over while the dead worker's lease was still unexpired.
    expect(slow[1]!.startedAt.getTime()).toBeLessThan(leaseUntil);
    const fast = await db.prisma.step.findMany({ where: { runId, nodeId: "fast" } });
    expect(fast.map((x) => [x.attempt, x.status])).toEqual([[1, "succeeded"]]);
  }, 120_000);
});
