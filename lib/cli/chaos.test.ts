// Chaos, bounded: for a fixed time per database, `switchboard run`, `switchboard recover` and
// `switchboard worker` child processes are started and SIGKILLed at random moments (seeded), up
// to three at once, while their http steps call a counting server on 127.0.0.1. Then one
// `switchboard recover` (not killed) carries on whatever is left, and the invariants are checked:
//
// - no run lost: every run that exists ends succeeded, runs queued for workers all exist, and a
//   `run` killed before its run existed left no side effect behind;
// - no wrong output: each run's output is what its input gives (error outputs included);
// - no step re-run after its success was committed: per step key, at most one success and it is
//   the last attempt, and the server saw no request for that key after that attempt ended;
// - at-most-once steps reached the server at most once; events have no gaps; no finished run
//   keeps a lease.
//
// Retries the server asked for (503) are counted apart from re-runs after a kill.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chaosOutput, chaosWorkflow } from "../../tests/support/chaos-workflow";
import { countingServer, type Hit, prng } from "../../tests/support/counting-server";
import { seedWorkflowVersion } from "../db/fixtures";
import { createRuntime } from "../runtime/engine";
import { CLI_DATABASES, type CliChild, type CliDatabase, spawnCli } from "./spawn-cli";

/** Time each database gets for the chaos phase; the final recovery and the checks come on top. */
const CHAOS_MS = Number(process.env.SWITCHBOARD_CHAOS_MS ?? 18_000);
const SEED = Number(process.env.SWITCHBOARD_CHAOS_SEED ?? 20_261_217);
const MAX_ALIVE = 3;

interface Stats {
  database: string;
  processes: { run: number; recover: number; worker: number };
  kills: number;
  runs: number;
  launchedWithoutRun: number;
  requests: number;
  retriesAsked: number;
  rerunsAfterKill: number;
  atMostOnceInterrupted: number;
  /** Leases of killed children whose pid was already reused (waited out before a second recovery). */
  leasesWaitedOut: number;
  chaosMs: number;
  totalMs: number;
}

const summaries: Stats[] = [];
afterAll(() => {
  for (const s of summaries) console.log(`[chaos] ${JSON.stringify(s)}`);
});

describe.each(CLI_DATABASES)("chaos: SIGKILLs across run, recover and workers on $name", ({ name, setup }) => {
  it("loses no run, writes no wrong output, re-runs no committed step", async () => {
    const started = Date.now();
    const random = prng(name === "sqlite" ? SEED : SEED ^ 0x9e3779b9);
    const dir = mkdtempSync(join(tmpdir(), "switchboard-chaos-"));
    const server = await countingServer(prng(SEED * 7 + 1));
    let s: CliDatabase | null = null;
    const alive = new Set<CliChild>();
    try {
      s = await setup(dir);
      const db = s.db;
      const env = { ...s.env, SWITCHBOARD_ALLOW_PRIVATE_NETWORK: "1" };
      const document = chaosWorkflow(`http://127.0.0.1:${server.port}`);
      const file = join(dir, "chaos.json");
      writeFileSync(file, JSON.stringify(document));
      const ids = await seedWorkflowVersion(db, document);
      const producer = createRuntime(db, { role: "test" });

      const stats: Stats = {
        database: name,
        processes: { run: 0, recover: 0, worker: 0 },
        kills: 0,
        runs: 0,
        launchedWithoutRun: 0,
        requests: 0,
        retriesAsked: 0,
        rerunsAfterKill: 0,
        atMostOnceInterrupted: 0,
        leasesWaitedOut: 0,
        chaosMs: 0,
        totalMs: 0,
      };
      const viaRun: number[] = [];
      const viaWorker: number[] = [];
      let next = 1;

      /** `kill`: when to kill the child — ms after it started, after its run's first request, or never. */
      type Kill = { afterStartMs: number } | { n: number; afterFirstRequestMs: number } | null;
      const launch = (args: string[], kill: Kill) => {
        const child = spawnCli(args, env, dir);
        alive.add(child);
        let timer: ReturnType<typeof setTimeout> | null = null;
        if (kill && "afterStartMs" in kill) timer = setTimeout(() => child.kill("SIGKILL"), kill.afterStartMs);
        else if (kill)
          server.firstHit.set(kill.n, () => {
            timer = setTimeout(() => child.kill("SIGKILL"), kill.afterFirstRequestMs);
          });
        void child.output.then((exit) => {
          if (timer) clearTimeout(timer);
          if (kill && "n" in kill) server.firstHit.delete(kill.n);
          alive.delete(child);
          if (exit.signal === "SIGKILL") stats.kills++;
        });
      };
      // The actions in a seeded order: decks of 5 runs, 3 workers and 2 recoveries.
      const deck: ("run" | "worker" | "recover")[] = [];
      const draw = () => {
        if (deck.length === 0) {
          const fresh = [...Array(5).fill("run"), ...Array(3).fill("worker"), ...Array(2).fill("recover")];
          while (fresh.length) deck.push(fresh.splice(Math.floor(random() * fresh.length), 1)[0]);
        }
        return deck.pop()!;
      };

      const chaosEnd = Date.now() + CHAOS_MS;
      while (Date.now() < chaosEnd) {
        if (alive.size >= MAX_ALIVE) {
          await Promise.race([...alive].map((c) => c.output));
          continue;
        }
        const action = draw();
        if (action === "run") {
          const n = next++;
          viaRun.push(n);
          stats.processes.run++;
          // killed while starting (maybe before the run exists), while running, or not at all
          const p = random();
          const kill: Kill =
            p < 0.25
              ? { afterStartMs: random() * 3500 }
              : p < 0.85
                ? { n, afterFirstRequestMs: random() * 1200 }
                : null;
          launch(["run", file, "--input", JSON.stringify({ n }), "--json"], kill);
        } else if (action === "worker") {
          for (let i = 0; i < 2; i++) {
            const n = next++;
            viaWorker.push(n);
            await producer.engine.startRun({ document, ...ids }, { n }, { trigger: "api" });
          }
          stats.processes.worker++;
          launch(["worker", "--concurrency", "2"], { afterStartMs: 2500 + random() * 4000 });
        } else {
          stats.processes.recover++;
          launch(["recover", "--json"], random() < 0.6 ? { afterStartMs: 1500 + random() * 3000 } : null);
        }
        await new Promise((r) => setTimeout(r, random() * 300));
      }
      // The end of the chaos is one more random moment: whatever still runs is killed now.
      for (const c of alive) c.kill("SIGKILL");
      while (alive.size > 0) await Promise.race([...alive].map((c) => c.output));
      await producer.close();
      stats.chaosMs = Date.now() - started;

      // One recovery, not killed, carries on everything that is left.
      const recovered = await spawnCli(["recover", "--json"], env, dir).output;
      expect(recovered.code, recovered.stderr).toBe(0);
      // A killed child's pid may already belong to another process of this busy machine: then its
      // leases look alive and are waited out (at most 30 s) before a second recovery.
      const waitedOut = await db.prisma.run.findMany({
        where: { status: { in: ["queued", "running"] }, leaseUntil: { gt: new Date() } },
        select: { leaseUntil: true },
      });
      if (waitedOut.length > 0) {
        stats.leasesWaitedOut = waitedOut.length;
        const until = Math.max(...waitedOut.map((r) => r.leaseUntil!.getTime()));
        await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now()) + 200));
        const again = await spawnCli(["recover", "--json"], env, dir).output;
        expect(again.code, again.stderr).toBe(0);
      }

      // ---------------------------------------------------------------- the invariants
      const runs = await db.prisma.run.findMany();
      const steps = await db.prisma.step.findMany();
      const byN = new Map<number, (typeof runs)[number]>();
      for (const r of runs) {
        const n = (r.input as { n?: number } | null)?.n;
        expect(typeof n).toBe("number");
        expect(byN.has(n!), `two runs for input ${n}`).toBe(false);
        byN.set(n!, r);
      }
      stats.runs = runs.length;
      stats.requests = server.hits.length;

      // No run lost.
      for (const n of viaWorker) expect(byN.has(n), `queued run ${n} lost`).toBe(true);
      for (const n of viaRun) {
        if (byN.has(n)) continue;
        // killed before its first commit created it: nothing may have reached the server for it
        stats.launchedWithoutRun++;
        expect(
          server.hits.filter((h) => h.n === n),
          `side effects of run ${n}, which does not exist`,
        ).toEqual([]);
      }

      const hitsByKey = new Map<string, Hit[]>();
      for (const h of server.hits) hitsByKey.set(h.key, [...(hitsByKey.get(h.key) ?? []), h]);
      const stepsByKey = new Map<string, (typeof steps)[number][]>();
      for (const st of steps) {
        const k = `${st.runId}:${st.nodeId}:${st.visit}`;
        stepsByKey.set(k, [...(stepsByKey.get(k) ?? []), st]);
      }

      for (const [n, run] of byN) {
        const where = `run ${run.id} (input ${n})`;
        // No wrong output.
        expect(run.status, `${where}: ${JSON.stringify(run.error)}`).toBe("succeeded");
        expect(run.leaseOwner, `${where} keeps a lease`).toBeNull();
        const out = run.output as Record<string, unknown>;
        expect(out, where).toMatchObject(chaosOutput(n));
        const onceHits = hitsByKey.get(`${run.id}:once:1`) ?? [];
        expect(onceHits.length, `${where}: at-most-once step called ${onceHits.length} times`).toBeLessThanOrEqual(1);
        if (out.once === "ok") expect(onceHits.length, where).toBe(1);
        else {
          expect(out.once, where).toBe("interrupted");
          stats.atMostOnceInterrupted++;
        }
        const events = await db.prisma.runEvent.findMany({ where: { runId: run.id }, orderBy: { seq: "asc" } });
        expect(
          events.map((e) => e.seq),
          `${where}: event gaps`,
        ).toEqual(events.map((_, i) => i + 1));
      }

      // No step re-run after its success was committed.
      for (const [key, rows] of stepsByKey) {
        rows.sort((x, y) => x.attempt - y.attempt);
        const succeeded = rows.filter((r) => r.status === "succeeded");
        expect(succeeded.length, `${key} succeeded ${succeeded.length} times`).toBeLessThanOrEqual(1);
        if (succeeded.length === 1)
          expect(rows.at(-1)!.status, `${key}: an attempt after its success`).toBe("succeeded");
        const last = rows.at(-1)!;
        const hits = hitsByKey.get(key) ?? [];
        if (last.endedAt && (last.status === "succeeded" || last.status === "failed")) {
          for (const h of hits)
            expect(h.at, `${key}: a request after its ${last.status} attempt ended`).toBeLessThanOrEqual(
              last.endedAt.getTime(),
            );
        }
        const answered = hits.filter((h) => h.status !== 503);
        stats.retriesAsked += hits.length - answered.length;
        if (answered.length > 1) stats.rerunsAfterKill += answered.length - 1;
      }
      // Every request belongs to a step on record.
      for (const key of hitsByKey.keys()) expect(stepsByKey.has(key), `request for unknown step ${key}`).toBe(true);

      stats.totalMs = Date.now() - started;
      summaries.push(stats);
      expect(stats.kills).toBeGreaterThan(0);
      expect(stats.runs).toBeGreaterThan(0);
    } finally {
      for (const c of alive) c.kill("SIGKILL");
      await server.close();
      await s?.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
