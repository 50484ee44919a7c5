/**
 * RunStore contract, approvals. An update that requires pending aborts its whole commit, decisions are single-use,
 * filters by run, status and kind.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { isApprovalNotPendingError } from "@/lib/contracts/errors";
import type { RunStore } from "@/lib/contracts/ports";
import { type MakeFixture, useContractFixture } from "./context";

export function approvalContract(name: string, make: MakeFixture) {
  describe(`RunStore contract: ${name} — approvals`, () => {
    const c = useContractFixture(make);
    const { at, runInput, step, approval } = c;
    let store: RunStore;
    beforeEach(() => {
      ({ store } = c);
    });

    it("an approval update that requires pending aborts the whole commit when already decided", async () => {
      const input = runInput({ lease: { owner: "w1", ttlMs: 30_000 } });
      const { lease } = await store.createRun(input);
      const a1 = approval(input.id);
      await store.commit(lease!, { approvals: { create: [a1] } }, at(1));
      await store.decideApproval(a1.id, {
        status: "approved",
        by: "u1",
        at: at(2),
        decision: { comment: "ok", via: "person" },
      });
      const err = await store
        .commit(
          lease!,
          {
            run: { status: "failed" },
            steps: [step(input.id)],
            events: [{ type: "approval.escalated", data: {} }],
            approvals: { update: [{ id: a1.id, ifPending: "throw", set: { escalationLevel: 1 } }] },
          },
          at(3),
        )
        .then(
          () => null,
          (e) => e,
        );
      expect(isApprovalNotPendingError(err)).toBe(true);
      expect(err.decidedBy).toBe("u1");
      const run = await store.loadRun(input.id);
      expect(run!.status).toBe("running");
      expect(run!.lastSeq).toBe(0);
      expect(await store.listSteps(input.id)).toHaveLength(0);
      expect((await store.getApproval(a1.id))!.escalationLevel).toBe(0);

      // ifPending: skip leaves the decided approval alone and applies the rest.
      await store.commit(
        lease!,
        {
          run: { status: "cancelled" },
          approvals: { update: [{ id: a1.id, ifPending: "skip", set: { status: "cancelled" } }] },
        },
        at(4),
      );
      expect((await store.getApproval(a1.id))!.status).toBe("approved");
      expect((await store.loadRun(input.id))!.status).toBe("cancelled");
    });

    it("decisions are single-use: of two concurrent decisions exactly one wins", async () => {
      const input = runInput({ lease: { owner: "w1", ttlMs: 30_000 } });
      const { lease } = await store.createRun(input);
      const a1 = approval(input.id);
      await store.commit(
        lease!,
        { run: { status: "waiting" }, approvals: { create: [a1] }, releaseLease: true },
        at(1),
      );
      const results = await Promise.allSettled([
        store.decideApproval(a1.id, {
          status: "approved",
          by: "alice",
          at: at(2),
          decision: { comment: "yes", via: "person" },
          events: [{ type: "approval.decided", data: { by: "alice" } }],
        }),
        store.decideApproval(a1.id, {
          status: "rejected",
          by: "bob",
          at: at(2),
          decision: { comment: "no", via: "person" },
          events: [{ type: "approval.decided", data: { by: "bob" } }],
        }),
      ]);
      const ok = results.filter((r) => r.status === "fulfilled");
      const bad = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
      expect(ok).toHaveLength(1);
      expect(bad).toHaveLength(1);
      expect(isApprovalNotPendingError(bad[0]!.reason)).toBe(true);
      const winner = (
        ok[0] as PromiseFulfilledResult<{ approval: { decidedById: string | null }; runRequeued: boolean }>
      ).value;
      expect(winner.runRequeued).toBe(true);
      expect(bad[0]!.reason.decidedBy).toBe(winner.approval.decidedById);
      const a = await store.getApproval(a1.id);
      expect(a!.decidedById).toBe(winner.approval.decidedById);
      expect(a!.decision?.comment).toBe(a!.decidedById === "alice" ? "yes" : "no");
      const run = await store.loadRun(input.id);
      expect(run!.status).toBe("queued");
      const events = await store.listEvents(input.id, 0, 100);
      expect(events.filter((e) => e.type === "approval.decided")).toHaveLength(1);
    });

    it("filters approvals by run, status and kind", async () => {
      const input = runInput({ lease: { owner: "w1", ttlMs: 30_000 } });
      const { lease } = await store.createRun(input);
      const a = approval(input.id, { nodeId: "x" });
      const b = approval(input.id, { nodeId: "__budget", kind: "budget" });
      await store.commit(lease!, { approvals: { create: [a, b] } }, at(1));
      await store.decideApproval(a.id, { status: "rejected", by: "u", at: at(2), decision: {} });
      expect((await store.listApprovals({ runId: input.id })).map((x) => x.id).sort()).toEqual([a.id, b.id].sort());
      expect((await store.listApprovals({ runId: input.id, status: "pending" })).map((x) => x.id)).toEqual([b.id]);
      expect(
        (await store.listApprovals({ runId: input.id, status: ["rejected", "approved"] })).map((x) => x.id),
      ).toEqual([a.id]);
      expect((await store.listApprovals({ runId: input.id, kind: "budget" })).map((x) => x.id)).toEqual([b.id]);
    });

    it("one step visit may hold several approvals, one per seq; a repeated seq is refused", async () => {
      const input = runInput({ lease: { owner: "w1", ttlMs: 30_000 } });
      const { lease } = await store.createRun(input);
      const first = approval(input.id, { nodeId: "agent", seq: 0 });
      await store.commit(lease!, { approvals: { create: [first] } }, at(1));
      const second = approval(input.id, { nodeId: "agent", seq: 1 });
      await store.commit(lease!, { approvals: { create: [second] } }, at(2));
      const listed = await store.listApprovals({ runId: input.id });
      expect(listed.map((x) => [x.id, x.seq ?? 0]).sort((x, y) => Number(x[1]) - Number(y[1]))).toEqual([
        [first.id, 0],
        [second.id, 1],
      ]);
      await expect(
        store.commit(lease!, { approvals: { create: [approval(input.id, { nodeId: "agent", seq: 1 })] } }, at(3)),
      ).rejects.toThrow();
    });
  });
}
