/**
 * RunStore contract, leases and fencing. One holder at a time, the fence grows on every acquisition, expiry, force and
 * dead-holder takeover, `unfinished`, a stale fence writes nothing, release/renew inside a commit.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { isFencedError } from "@/lib/contracts/errors";
import type { RunStore } from "@/lib/contracts/ports";
import { type MakeFixture, useContractFixture } from "./context";

export function leaseContract(name: string, make: MakeFixture) {
  describe(`RunStore contract: ${name} — leases and fencing`, () => {
    const c = useContractFixture(make);
    const { at, runInput, step } = c;
    let store: RunStore;
    beforeEach(() => {
      ({ store } = c);
    });

    it("leases: one holder at a time, the fence grows on every acquisition, expiry and force take over", async () => {
      const input = runInput();
      await store.createRun(input);
      const l1 = await store.acquireLease(input.id, "w1", 1000, at(0));
      expect(l1?.fence).toBe(1);
      expect(await store.acquireLease(input.id, "w2", 1000, at(500))).toBeNull();
      expect(await store.acquireLease(input.id, "w1", 1000, at(500))).toBeNull(); // not re-entrant
      expect(await store.renewLease(l1!, 1000, at(900))).toBe(true);
      expect(await store.acquireLease(input.id, "w2", 1000, at(1500))).toBeNull(); // renewed until 1900
      const l2 = await store.acquireLease(input.id, "w2", 1000, at(2000));
      expect(l2?.fence).toBe(2);
      expect(await store.renewLease(l1!, 1000, at(2100))).toBe(false);
      const l3 = await store.acquireLease(input.id, "admin", 1000, at(2100), { force: true });
      expect(l3?.fence).toBe(3);
      await store.releaseLease(l2!); // stale release is a no-op
      expect(await store.acquireLease(input.id, "w4", 1000, at(2200))).toBeNull();
      await store.releaseLease(l3!);
      expect((await store.acquireLease(input.id, "w4", 1000, at(2200)))?.fence).toBe(4);
      expect(await store.acquireLease("no-such-run", "w1", 1000, at(0))).toBeNull();
    });

    it("leases: a holder known to be dead is replaced at once (fence + 1), only that holder at that fence", async () => {
      const input = runInput({ status: "running", lease: { owner: "dead", ttlMs: 30_000 } });
      await store.createRun(input);
      // another holder, or the same one at another fence, is not replaced
      expect(
        await store.acquireLease(input.id, "w2", 1000, at(10), { takeOverFrom: { owner: "other", fence: 1 } }),
      ).toBeNull();
      expect(
        await store.acquireLease(input.id, "w2", 1000, at(10), { takeOverFrom: { owner: "dead", fence: 2 } }),
      ).toBeNull();
      const taken = await store.acquireLease(input.id, "w2", 1000, at(10), {
        takeOverFrom: { owner: "dead", fence: 1 },
      });
      expect(taken).toEqual({ runId: input.id, owner: "w2", fence: 2 });
      expect((await store.loadRun(input.id))!.leaseOwner).toBe("w2");
      // the new holder is live: the old owner name no longer opens it
      expect(
        await store.acquireLease(input.id, "w3", 1000, at(20), { takeOverFrom: { owner: "dead", fence: 1 } }),
      ).toBeNull();
    });

    it("leases: `unfinished` takes no lease on a finished run", async () => {
      const done = runInput({ status: "succeeded" });
      const open = runInput({ status: "queued" });
      await store.createRun(done);
      await store.createRun(open);
      expect(await store.acquireLease(done.id, "w1", 1000, at(0), { unfinished: true })).toBeNull();
      expect((await store.loadRun(done.id))!).toMatchObject({ leaseOwner: null, fence: 0 });
      expect((await store.acquireLease(open.id, "w1", 1000, at(0), { unfinished: true }))?.fence).toBe(1);
    });

    it("a stale fence writes nothing and throws FencedError", async () => {
      const input = runInput({ lease: { owner: "w1", ttlMs: 1000 } });
      const { lease: old } = await store.createRun(input);
      const fresh = await store.acquireLease(input.id, "w2", 1000, at(5000));
      expect(fresh).not.toBeNull();
      const err = await store
        .commit(
          old!,
          { run: { status: "succeeded" }, steps: [step(input.id)], events: [{ type: "run.succeeded", data: {} }] },
          at(5001),
        )
        .then(
          () => null,
          (e) => e,
        );
      expect(isFencedError(err)).toBe(true);
      const run = await store.loadRun(input.id);
      expect(run!.status).toBe("running");
      expect(run!.lastSeq).toBe(0);
      expect(await store.listSteps(input.id)).toHaveLength(0);
      // The current holder still commits.
      await store.commit(fresh!, { events: [{ type: "run.resumed", data: {} }] }, at(5002));
      expect((await store.loadRun(input.id))!.lastSeq).toBe(1);
    });

    it("a commit can release or renew the lease in the same transaction", async () => {
      const input = runInput({ lease: { owner: "w1", ttlMs: 1000 } });
      const { lease } = await store.createRun(input);
      await store.commit(lease!, { renewLease: { ttlMs: 10_000 } }, at(900));
      expect(await store.acquireLease(input.id, "w2", 1000, at(5000))).toBeNull();
      // The engine's final commit carries both: release wins.
      await store.commit(
        lease!,
        { run: { status: "succeeded" }, renewLease: { ttlMs: 10_000 }, releaseLease: true },
        at(5000),
      );
      expect((await store.loadRun(input.id))!.leaseOwner).toBeNull();
      const next = await store.acquireLease(input.id, "w2", 1000, at(5001));
      expect(next?.fence).toBe(2);
    });
  });
}
