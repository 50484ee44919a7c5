// `switchboard decide` after the process executing the run was killed: the run has an approval
// pending on one branch and a step running on another when `switchboard run` dies. The decision
// takes the run over at once (its executor's process is gone) and carries it to its end; it
// does not answer "another process is executing this run" (exit 4). SQLite and PostgreSQL.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { edge, node, trigger, workflow } from "../engine/testing/builders";
import type { RunResult } from "../engine/types";
import { CLI_DATABASES, type CliDatabase, spawnCli, until } from "./spawn-cli";

/** start → ask (approval) and start → slow (an agent taking `slowMs`), both into `done`. */
function approvalBesideSlowStep(slowMs: number) {
  return workflow(
    [
      trigger(),
      node("ask", "approval", { title: "Ship it?", timeoutMs: null }),
      node("slow", "agent", {
        model: "simulated",
        prompt: "slow",
        simulate: { output: "slow done", latencyMs: slowMs },
      }),
      node("done", "end", { output: { slow: "{{ nodes.slow.output }}", decided: "{{ nodes.ask.status }}" } }),
    ],
    [edge("start", "ask"), edge("start", "slow"), edge("ask", "done", "approved"), edge("slow", "done")],
    { name: "CLI approval beside a slow step" },
  );
}

describe.each(CLI_DATABASES)("decide after the executor died, on $name", ({ setup }) => {
  let dir: string;
  let s: CliDatabase | null = null;
  afterEach(async () => {
    await s?.dispose();
    s = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it("takes the run over from the dead process and carries it to its end", async () => {
    dir = mkdtempSync(join(tmpdir(), "switchboard-decide-"));
    s = await setup(dir);
    const db = s.db;
    const file = join(dir, "parallel.json");
    writeFileSync(file, JSON.stringify(approvalBesideSlowStep(2500)));

    const child = spawnCli(["run", file, "--json"], s.env, dir);
    const approval = await until("the approval to be pending while the slow step runs", async () => {
      const a = await db.prisma.approval.findFirst({ where: { status: "pending" } });
      if (!a) return null;
      const slow = await db.prisma.step.findFirst({ where: { runId: a.runId, nodeId: "slow", status: "running" } });
      return slow ? a : null;
    });
    child.kill("SIGKILL");
    expect((await child.output).signal).toBe("SIGKILL");
    const before = await db.prisma.run.findUniqueOrThrow({ where: { id: approval.runId } });
    expect(before.status).toBe("running");
    expect(before.leaseOwner).toMatch(/^cli:/);
    expect(before.leaseUntil!.getTime()).toBeGreaterThan(Date.now());

    const decided = await spawnCli(["decide", approval.id, "approve", "--json"], s.env, dir).output;
    expect(decided.code, decided.stderr).toBe(0);
    const result: RunResult = JSON.parse(decided.stdout);
    expect(result).toMatchObject({
      runId: approval.runId,
      status: "succeeded",
      output: { slow: "slow done", decided: "succeeded" },
    });
    // The interrupted step ran again (same idempotency key); nothing that succeeded ran twice.
    const steps = await db.prisma.step.findMany({ where: { runId: approval.runId } });
    const attempts = (id: string) =>
      steps
        .filter((x) => x.nodeId === id)
        .map((x) => [x.attempt, x.status])
        .sort();
    expect(attempts("slow")).toEqual([
      [1, "failed"],
      [2, "succeeded"],
    ]);
    for (const id of ["start", "done"]) expect(attempts(id)).toEqual([[1, "succeeded"]]);
    const run = await db.prisma.run.findUniqueOrThrow({ where: { id: approval.runId } });
    expect(run).toMatchObject({ status: "succeeded", leaseOwner: null });
    expect(run.fence).toBeGreaterThan(before.fence);
  }, 120_000);
});
