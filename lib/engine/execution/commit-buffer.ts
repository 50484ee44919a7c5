/**
 * The writes of one run waiting for their commit, and the commits themselves.
 *
 * A flush takes the buffer plus a snapshot of the run's state and commits them in ONE store
 * transaction; at most one commit is in flight, and whatever accumulates meanwhile goes into the
 * next one (group commit).
 */
import type {
  ApprovalInput,
  ApprovalUpdate,
  CommitInput,
  CreateRunInput,
  Lease,
  RunEventInput,
  RunPatch,
  RunRecord,
  RunStatus,
  StepRecord,
} from "@/lib/contracts/ports";
import type { ExecutionDeps } from "./deps";
import { redactCommit } from "./redact-commit";

/** What the buffer needs from its run. */
export interface CommitHooks {
  /** The run's fatal error, if any: nothing more is committed after it. */
  fatal(): unknown;
  /** The run patch of a commit: the buffered fields plus a snapshot of the run's state, usage and step count. */
  runPatch(buffered: RunPatch): RunPatch;
  /** A commit failed: the run stops. */
  failed(error: unknown): void;
  /** A commit settled (either way): wake the main loop. */
  settled(): void;
}

/** How often a run's lease is extended: three times per lease time, so two misses still leave time. */
export const leaseRenewalInterval = (leaseTtlMs: number): number => Math.max(10, Math.floor(leaseTtlMs / 3));

export class CommitBuffer {
  steps = new Map<string, StepRecord>();
  events: RunEventInput[] = [];
  creates: ApprovalInput[] = [];
  updates: ApprovalUpdate[] = [];
  run: RunPatch = {};
  dirty = false;
  /** The run's creation, when its first commit is to carry it. */
  pendingCreate: CreateRunInput | null = null;
  /** The run is ending: the next buffer taken gives the lease up. */
  releaseWanted = false;
  leaseReleased = false;
  inflight: Promise<void> | null = null;
  /** When the lease was last extended (by a commit or by the renewal timer), ms. */
  lastRenewedAt = 0;

  private readonly deps: Pick<ExecutionDeps, "store" | "clock" | "leaseTtlMs" | "notifier" | "settings">;
  private readonly record: RunRecord;
  private readonly lease: Lease;
  private readonly hooks: CommitHooks;

  constructor(deps: ExecutionDeps, record: RunRecord, lease: Lease, hooks: CommitHooks) {
    this.deps = deps;
    this.record = record;
    this.lease = lease;
    this.hooks = hooks;
  }

  /**
   * `now`: the time the store stamps the commit with. A commit extends the lease only when a third
   * of its time has passed since the last extension (the renewal timer's rhythm): the lease column
   * is in an index, so rewriting it on every step's commit cost an index page per commit.
   */
  take(now: Date): CommitInput {
    const release = this.releaseWanted;
    const run: RunPatch = this.hooks.runPatch(this.run);
    const input: CommitInput = { run };
    const { leaseTtlMs } = this.deps;
    if (now.getTime() - this.lastRenewedAt >= leaseRenewalInterval(leaseTtlMs))
      input.renewLease = { ttlMs: leaseTtlMs };
    if (this.pendingCreate) {
      input.create = this.pendingCreate;
      this.pendingCreate = null;
    }
    if (this.steps.size > 0) input.steps = [...this.steps.values()];
    if (this.events.length > 0) input.events = this.events;
    if (this.creates.length > 0 || this.updates.length > 0)
      input.approvals = {
        ...(this.creates.length > 0 ? { create: this.creates } : {}),
        ...(this.updates.length > 0 ? { update: this.updates } : {}),
      };
    if (release) {
      input.releaseLease = true;
      this.leaseReleased = true;
    }
    this.steps = new Map();
    this.events = [];
    this.creates = [];
    this.updates = [];
    this.run = {};
    this.dirty = false;
    // The one place everything a run writes passes: the workspace's secrets leave as [redacted].
    const redaction = this.deps.settings.redaction;
    if (redaction) {
      const workspaceId = this.record.workspaceId;
      return redactCommit(input, (value) => redaction.redact(workspaceId, value));
    }
    return input;
  }

  /** Start a commit if there is something to write and none is in flight (pipelined). */
  request() {
    if (this.inflight || !this.dirty || this.hooks.fatal()) return;
    this.inflight = this.commitOnce();
  }

  /**
   * One commit. The store takes the buffer when the commit's transaction starts, not now: what
   * the run does while the commit waits for its turn rides along (a run of zero-latency steps
   * commits its steps and its end together).
   */
  private async commitOnce(): Promise<void> {
    let taken: CommitInput | null = null;
    const now = this.deps.clock.now();
    const take = () => {
      taken = this.take(now);
      return taken;
    };
    try {
      const res = await this.deps.store.commit(this.lease, take, now);
      if ((taken as CommitInput | null)?.renewLease) this.lastRenewedAt = now.getTime();
      const status = (taken as CommitInput | null)?.run?.status as RunStatus | undefined;
      if (status) this.record.status = status;
      if (res.events.length > 0) this.deps.notifier?.publish(this.record.id, res.events);
    } catch (e) {
      this.hooks.failed(e);
    } finally {
      this.inflight = null;
      this.hooks.settled();
    }
  }

  /**
   * Wait until everything buffered so far is committed. release: the final commit, which gives
   * the lease up — a commit still waiting for its turn takes the release with it.
   */
  async flushAll(release = false): Promise<void> {
    if (release) this.releaseWanted = true;
    for (;;) {
      const fatal = this.hooks.fatal();
      if (fatal) throw fatal;
      if (this.inflight) {
        await this.inflight;
        continue;
      }
      if (release ? this.leaseReleased && !this.dirty : !this.dirty) return;
      this.inflight = this.commitOnce();
      await this.inflight;
    }
  }
}
