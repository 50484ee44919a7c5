// How an executing run keeps its lease. A commit extends it only when a third of the lease time has
// passed since the last extension; a step that commits nothing for long is covered by the renewal
// timer. Either way the lease never lapses while the run executes.
import { describe, expect, it } from "vitest";
import type { CommitInput, Lease, RunStore } from "@/lib/contracts/ports";
import { builtinNodes as nodes } from "@/lib/nodes/builtin";
import { createSequentialIds } from "@/lib/testing/test-engine";
import { createEngine } from "./engine";
import { agentChain } from "./testing/builders";
import { FakeClock } from "./testing/fake-clock";
import { createMemoryStore } from "./testing/memory-store";

const TTL = 30_000;

/** Each commit and renewal, with how much of the lease was left when it happened. */
interface Observed {
  kind: "commit" | "renewal";
  extended: boolean;
  leftMs: number;
}

/** The store, with hooks around each commit (given what it took) and each renewal. */
function intercepted(
  inner: RunStore,
  hooks: {
    commit: (lease: Lease, now: Date, commit: () => Promise<CommitInput | undefined>) => Promise<void>;
    renewal: (lease: Lease, now: Date, renew: () => Promise<boolean>) => Promise<boolean>;
  },
): RunStore {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop === "commit")
        return async (lease: Lease, take: () => CommitInput, now: Date) => {
          let res: Awaited<ReturnType<RunStore["commit"]>> | undefined;
          await hooks.commit(lease, now, async () => {
            let input: CommitInput | undefined;
            res = await inner.commit(
              lease,
              () => {
                input = take();
                return input;
              },
              now,
            );
            return input;
          });
          return res!;
        };
      if (prop === "renewLease")
        return (lease: Lease, ttlMs: number, now: Date) =>
          hooks.renewal(lease, now, () => inner.renewLease(lease, ttlMs, now));
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function observed(inner: RunStore) {
  const seen: Observed[] = [];
  const leftAt = async (lease: Lease, now: Date) => {
    const until = (await inner.loadRun(lease.runId))?.leaseUntil;
    return until ? until.getTime() - now.getTime() : Number.POSITIVE_INFINITY;
  };
  const store = intercepted(inner, {
    async commit(lease, now, commit) {
      const leftMs = await leftAt(lease, now);
      const input = await commit();
      // the run's creation carries the lease itself
      if (!input?.create) seen.push({ kind: "commit", extended: Boolean(input?.renewLease), leftMs });
    },
    async renewal(lease, now, renew) {
      const leftMs = await leftAt(lease, now);
      const ok = await renew();
      seen.push({ kind: "renewal", extended: ok, leftMs });
      return ok;
    },
  });
  return { store, seen };
}

async function execute(steps: number, latencyMs: number) {
  const { store, seen } = observed(createMemoryStore());
  const clock = new FakeClock(undefined, { autoAdvance: true });
  const engine = createEngine({ nodes, store, clock, ids: createSequentialIds(), owner: "p1", leaseTtlMs: TTL });
  const result = await engine.execute({ document: agentChain(steps, { output: "ok", latencyMs }) }, {});
  return { result, seen };
}

describe("lease renewal", () => {
  it("steps that commit every second extend the lease about once per third of its time, never letting it lapse", async () => {
    const { result, seen } = await execute(60, 1000); // 60 s of one-second steps
    expect(result.status).toBe("succeeded");
    const commits = seen.filter((s) => s.kind === "commit");
    expect(commits.length).toBeGreaterThanOrEqual(60);
    const extending = commits.filter((s) => s.extended).length + seen.filter((s) => s.kind === "renewal").length;
    // 60 s / 10 s = 6 extensions (plus the first commit after the creation): not one per commit
    expect(extending).toBeGreaterThanOrEqual(5);
    expect(extending).toBeLessThanOrEqual(8);
    // after an extension at t the next comes at the first commit past t + 10 s: 30 − 10 − 1 s left at least
    for (const s of seen) expect(s.leftMs).toBeGreaterThanOrEqual(TTL - TTL / 3 - 1000);
  });

  it("a step that runs for minutes without committing keeps the lease through the renewal timer", async () => {
    const { result, seen } = await execute(1, 120_000);
    expect(result.status).toBe("succeeded");
    const renewals = seen.filter((s) => s.kind === "renewal");
    expect(renewals.length).toBeGreaterThanOrEqual(10);
    expect(renewals.every((r) => r.extended)).toBe(true);
    for (const s of seen) expect(s.leftMs).toBeGreaterThan(0);
  });

  it("a renewal that fails because the run's last commit gave the lease back meanwhile does not undo the run", async () => {
    // The last commit (it releases the lease) is still in flight when the renewal timer fires; the
    // renewal reaches the store after the release and finds the lease gone. That is not a lost lease.
    const inner = createMemoryStore();
    let renewed!: () => void;
    const renewal = new Promise<void>((resolve) => (renewed = resolve));
    const renewals: boolean[] = [];
    const store = intercepted(inner, {
      async commit(_lease, _now, commit) {
        const input = await commit();
        if (input?.releaseLease) await renewal;
      },
      async renewal(_lease, _now, renew) {
        const ok = await renew();
        renewals.push(ok);
        renewed();
        return ok;
      },
    });
    const clock = new FakeClock(undefined, { autoAdvance: true });
    const engine = createEngine({ nodes, store, clock, ids: createSequentialIds(), owner: "p1", leaseTtlMs: TTL });
    const result = await engine.execute({ document: agentChain(1, { output: "ok" }) }, {});
    expect(renewals).toEqual([false]);
    expect(result.status).toBe("succeeded");
    const stored = await inner.loadRun(result.runId);
    expect([stored?.status, stored?.leaseOwner]).toEqual(["succeeded", null]);
  });
});
