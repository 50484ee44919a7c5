// A RunStore decorator that hands a lease the worker already holds to the engine. The worker's
// claim (lib/db/run-queue.ts) takes a run's lease in the same statement that picks it; the engine
// then asks for the lease as usual (`acquireLease`) and gets the claimed one instead of taking a
// second one. Everything else passes straight through.
import type { Lease, RunStore } from "../engine/ports";

export class HandoffStore implements RunStore {
  private readonly claimed = new Map<string, Lease>();

  constructor(private readonly inner: RunStore) {}

  /** Offer a claimed lease to the next `acquireLease` for its run by the same owner. */
  adopt(lease: Lease): void {
    this.claimed.set(lease.runId, lease);
  }

  /** Takes back a lease the engine never asked for (returns it, or null when the engine used it). */
  reclaim(runId: string): Lease | null {
    const lease = this.claimed.get(runId) ?? null;
    this.claimed.delete(runId);
    return lease;
  }

  get pending(): number {
    return this.claimed.size;
  }

  acquireLease: RunStore["acquireLease"] = async (runId, owner, ttlMs, now, options) => {
    const lease = this.claimed.get(runId);
    if (lease && lease.owner === owner && !options?.force) {
      this.claimed.delete(runId);
      return lease;
    }
    return this.inner.acquireLease(runId, owner, ttlMs, now, options);
  };

  createRun: RunStore["createRun"] = (input) => this.inner.createRun(input);
  loadRun: RunStore["loadRun"] = (runId) => this.inner.loadRun(runId);
  renewLease: RunStore["renewLease"] = (lease, ttlMs, now) => this.inner.renewLease(lease, ttlMs, now);
  releaseLease: RunStore["releaseLease"] = (lease) => this.inner.releaseLease(lease);
  commit: RunStore["commit"] = (lease, input, now) => this.inner.commit(lease, input, now);
  listSteps: RunStore["listSteps"] = (runId) => this.inner.listSteps(runId);
  listEvents: RunStore["listEvents"] = (runId, afterSeq, limit) => this.inner.listEvents(runId, afterSeq, limit);
  listApprovals: RunStore["listApprovals"] = (filter) => this.inner.listApprovals(filter);
  getApproval: RunStore["getApproval"] = (id) => this.inner.getApproval(id);
  decideApproval: RunStore["decideApproval"] = (id, input) => this.inner.decideApproval(id, input);
  findRunsToRecover: RunStore["findRunsToRecover"] = (now, limit) => this.inner.findRunsToRecover(now, limit);
  findRunsPastDeadline: RunStore["findRunsPastDeadline"] = (now, limit) => this.inner.findRunsPastDeadline(now, limit);
  findApprovalsPastDeadline: RunStore["findApprovalsPastDeadline"] = (now, limit) =>
    this.inner.findApprovalsPastDeadline(now, limit);
}
