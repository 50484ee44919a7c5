/**
 * In-memory RunStore for tests. Behaves like a database: JSON columns are stored as JSON copies
 * (nothing the engine mutates later leaks in), every commit is all-or-nothing, fencing and
 * single-use decisions are enforced. `faults` injects failures inside a commit.
 */
import { ApprovalNotPendingError, FencedError } from "@/lib/contracts/errors";
import type {
  ApprovalFilter,
  ApprovalRecord,
  CommitInput,
  CommitResult,
  CreateRunInput,
  CreateRunResult,
  DecideApprovalInput,
  DecideApprovalResult,
  RunEventInput,
  RunEventRecord,
  RunRecord,
  RunStore,
  StepRecord,
} from "@/lib/contracts/ports";
import { takeCommitInput } from "@/lib/contracts/ports";
import { newRunRecord } from "../run-record";

const json = <T>(v: T): T => (v === undefined ? (null as T) : JSON.parse(JSON.stringify(v)));
const date = (d: Date | null | undefined) => (d ? new Date(d.getTime()) : null);

function copyRun(r: RunRecord): RunRecord {
  return {
    ...r,
    document: r.document, // immutable by contract (a pinned version)
    input: json(r.input),
    output: json(r.output),
    error: json(r.error),
    state: json(r.state),
    usage: { ...r.usage },
    createdAt: new Date(r.createdAt.getTime()),
    startedAt: date(r.startedAt),
    endedAt: date(r.endedAt),
    deadlineAt: date(r.deadlineAt),
    leaseUntil: date(r.leaseUntil),
  };
}

function copyStep(s: StepRecord): StepRecord {
  return {
    ...s,
    input: json(s.input),
    output: json(s.output),
    error: json(s.error),
    usage: { ...s.usage },
    startedAt: new Date(s.startedAt.getTime()),
    endedAt: date(s.endedAt),
  };
}

function copyApproval(a: ApprovalRecord): ApprovalRecord {
  return {
    ...a,
    payload: json(a.payload),
    editSchema: json(a.editSchema),
    assignees: json(a.assignees),
    escalateTo: json(a.escalateTo),
    decision: json(a.decision),
    decidedAt: date(a.decidedAt),
    deadlineAt: date(a.deadlineAt),
    createdAt: new Date(a.createdAt.getTime()),
  };
}

export interface MemoryStoreFaults {
  /** Throw inside the next N commits, after validation and before anything is applied. */
  failNextCommits: number;
  /** Throw inside the commit whose input matches (e.g. one that contains a given event). */
  failCommitWhen?: (input: CommitInput) => boolean;
}

export interface MemoryRunStore extends RunStore {
  faults: MemoryStoreFaults;
  /** Number of successful commits (for batching tests). */
  stats: { commits: number; createRuns: number };
  /** Raw access for assertions. */
  dump(): { runs: RunRecord[]; steps: StepRecord[]; events: RunEventRecord[]; approvals: ApprovalRecord[] };
}

export class InjectedFault extends Error {
  constructor() {
    super("Injected store failure");
    this.name = "InjectedFault";
  }
}

export function createMemoryStore(): MemoryRunStore {
  const runs = new Map<string, RunRecord>();
  const steps = new Map<string, Map<string, StepRecord>>();
  const events = new Map<string, RunEventRecord[]>();
  const approvals = new Map<string, ApprovalRecord>();
  const faults: MemoryStoreFaults = { failNextCommits: 0 };
  const stats = { commits: 0, createRuns: 0 };

  const tick = () => Promise.resolve();

  function appendEvents(runId: string, list: RunEventInput[] | undefined, now: Date): RunEventRecord[] {
    const run = runs.get(runId)!;
    const out: RunEventRecord[] = [];
    const log = events.get(runId)!;
    for (const e of list ?? []) {
      run.lastSeq += 1;
      const rec: RunEventRecord = {
        runId,
        seq: run.lastSeq,
        type: e.type,
        data: json(e.data),
        createdAt: new Date(now.getTime()),
      };
      log.push(rec);
      out.push({ ...rec, data: json(rec.data) });
    }
    return out;
  }

  function insertRun(input: CreateRunInput): CreateRunResult {
    if (runs.has(input.id)) throw new Error(`A run with id ${input.id} already exists.`);
    const now = input.createdAt;
    // the record a store holds (run-record.ts), with its own copies of what the caller passed
    const { run, lease } = newRunRecord(input);
    run.input = json(input.input);
    run.state = json(input.state);
    run.createdAt = new Date(now.getTime());
    run.startedAt = date(input.startedAt);
    run.deadlineAt = date(input.deadlineAt);
    run.lastSeq = 0; // appendEvents numbers the creation's events
    runs.set(run.id, run);
    steps.set(run.id, new Map());
    events.set(run.id, []);
    const appended = appendEvents(run.id, input.events, now);
    stats.createRuns++;
    return { run: copyRun(run), lease, events: appended };
  }

  const store: MemoryRunStore = {
    faults,
    stats,

    async createRun(input: CreateRunInput): Promise<CreateRunResult> {
      await tick();
      return insertRun(input);
    },

    async loadRun(runId) {
      await tick();
      const r = runs.get(runId);
      return r ? copyRun(r) : null;
    },

    async acquireLease(runId, owner, ttlMs, now, options) {
      await tick();
      const r = runs.get(runId);
      if (!r) return null;
      if (options?.unfinished && (r.status === "succeeded" || r.status === "failed" || r.status === "cancelled"))
        return null;
      const held = r.leaseOwner !== null && r.leaseUntil !== null && r.leaseUntil.getTime() > now.getTime();
      const from = options?.takeOverFrom;
      const deadHolder = from !== undefined && r.leaseOwner === from.owner && r.fence === from.fence;
      if (held && !options?.force && !deadHolder) return null;
      r.fence += 1;
      r.leaseOwner = owner;
      r.leaseUntil = new Date(now.getTime() + ttlMs);
      return { runId, owner, fence: r.fence };
    },

    async renewLease(lease, ttlMs, now) {
      await tick();
      const r = runs.get(lease.runId);
      if (!r || r.fence !== lease.fence || r.leaseOwner !== lease.owner) return false;
      r.leaseUntil = new Date(now.getTime() + ttlMs);
      return true;
    },

    async releaseLease(lease) {
      await tick();
      const r = runs.get(lease.runId);
      if (!r || r.fence !== lease.fence || r.leaseOwner !== lease.owner) return;
      r.leaseOwner = null;
      r.leaseUntil = null;
    },

    async commit(lease, source, now): Promise<CommitResult> {
      await tick();
      // taken when the "transaction" starts, as the SQLite store's group commit does
      const input = takeCommitInput(source);
      if (input.create && runs.has(input.create.id))
        throw new Error(`A run with id ${input.create.id} already exists.`);
      // a run created by this commit is checked as it will be (fence 1), and inserted on apply
      let r = input.create ? newRunRecord(input.create).run : runs.get(lease.runId);
      if (!r) throw new Error(`No run ${lease.runId}`);
      if (r.fence !== lease.fence) throw new FencedError(lease.runId, lease.fence, r.fence);
      // Validate everything before applying anything (all-or-nothing).
      const updates = input.approvals?.update ?? [];
      const skip = new Set<string>();
      for (const u of updates) {
        const a = approvals.get(u.id);
        if (!a) throw new Error(`No approval ${u.id}`);
        if (u.ifPending && a.status !== "pending") {
          if (u.ifPending === "throw") throw new ApprovalNotPendingError(a.id, a.status, a.decidedById, a.decidedAt);
          skip.add(u.id);
        }
      }
      for (const c of input.approvals?.create ?? []) {
        if (approvals.has(c.id)) throw new Error(`Approval ${c.id} already exists`);
        for (const a of approvals.values())
          if (a.runId === c.runId && a.nodeId === c.nodeId && a.visit === c.visit && (a.seq ?? 0) === (c.seq ?? 0))
            throw new Error(`Approval for ${c.runId}/${c.nodeId}/${c.visit}/${c.seq ?? 0} already exists`);
      }
      if (faults.failNextCommits > 0) {
        faults.failNextCommits--;
        throw new InjectedFault();
      }
      if (faults.failCommitWhen?.(input)) throw new InjectedFault();

      // Apply.
      const created = input.create ? insertRun(input.create).events : [];
      if (input.create) r = runs.get(input.create.id)!;
      const p = input.run;
      if (p) {
        if (p.status !== undefined) r.status = p.status;
        if (p.state !== undefined) r.state = json(p.state);
        if (p.output !== undefined) r.output = json(p.output);
        if (p.error !== undefined) r.error = json(p.error);
        if (p.usage !== undefined) r.usage = { ...p.usage };
        if (p.stepCount !== undefined) r.stepCount = p.stepCount;
        if (p.startedAt !== undefined) r.startedAt = date(p.startedAt);
        if (p.endedAt !== undefined) r.endedAt = date(p.endedAt);
        if (p.deadlineAt !== undefined) r.deadlineAt = date(p.deadlineAt);
        if (p.waitingOnPerson !== undefined) r.waitingOnPerson = p.waitingOnPerson;
      }
      const runSteps = steps.get(r.id)!;
      for (const s of input.steps ?? []) {
        const key = `${s.nodeId}\u0000${s.visit}\u0000${s.attempt}`;
        const prev = runSteps.get(key);
        const rec = copyStep(s);
        if (prev) rec.id = prev.id; // the row keeps its id
        runSteps.set(key, rec);
      }
      for (const c of input.approvals?.create ?? []) {
        approvals.set(
          c.id,
          copyApproval({ ...c, status: "pending", decidedById: null, decidedAt: null, decision: null }),
        );
      }
      for (const u of updates) {
        if (skip.has(u.id)) continue;
        const a = approvals.get(u.id)!;
        approvals.set(u.id, copyApproval({ ...a, ...u.set }));
      }
      const appended = appendEvents(r.id, input.events, now);
      if (input.renewLease && r.leaseOwner === lease.owner)
        r.leaseUntil = new Date(now.getTime() + input.renewLease.ttlMs);
      if (input.releaseLease) {
        r.leaseOwner = null;
        r.leaseUntil = null;
      }
      stats.commits++;
      return { lastSeq: r.lastSeq, events: [...created, ...appended] };
    },

    async listSteps(runId) {
      await tick();
      const list = [...(steps.get(runId)?.values() ?? [])];
      // Stable sort by start time; insertion order breaks ties.
      return list
        .map((s, i) => [s, i] as const)
        .sort((a, b) => a[0].startedAt.getTime() - b[0].startedAt.getTime() || a[1] - b[1])
        .map(([s]) => copyStep(s));
    },

    async listEvents(runId, afterSeq, limit) {
      await tick();
      return (events.get(runId) ?? [])
        .filter((e) => e.seq > afterSeq)
        .slice(0, limit)
        .map((e) => ({ ...e, data: json(e.data), createdAt: new Date(e.createdAt.getTime()) }));
    },

    async listApprovals(filter: ApprovalFilter) {
      await tick();
      const statuses =
        filter.status === undefined ? null : Array.isArray(filter.status) ? filter.status : [filter.status];
      const out = [...approvals.values()].filter(
        (a) =>
          (filter.runId === undefined || a.runId === filter.runId) &&
          (filter.workspaceId === undefined || a.workspaceId === filter.workspaceId) &&
          (filter.kind === undefined || a.kind === filter.kind) &&
          (statuses === null || statuses.includes(a.status)),
      );
      out.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
      return out.slice(0, filter.limit ?? 1000).map(copyApproval);
    },

    async getApproval(id) {
      await tick();
      const a = approvals.get(id);
      return a ? copyApproval(a) : null;
    },

    async decideApproval(id, input: DecideApprovalInput): Promise<DecideApprovalResult> {
      await tick();
      const a = approvals.get(id);
      if (!a) throw new Error(`No approval ${id}`);
      if (a.status !== "pending") throw new ApprovalNotPendingError(a.id, a.status, a.decidedById, a.decidedAt);
      const next: ApprovalRecord = {
        ...a,
        status: input.status,
        decidedById: input.by,
        decidedAt: new Date(input.at.getTime()),
        decision: json(input.decision),
      };
      approvals.set(id, next);
      const run = runs.get(a.runId);
      let runRequeued = false;
      if (run) {
        if (run.status === "waiting") {
          run.status = "queued";
          runRequeued = true;
        }
        appendEvents(run.id, input.events, input.at);
      }
      return { approval: copyApproval(next), runRequeued };
    },

    async findRunsToRecover(now, limit = 100) {
      await tick();
      const t = now.getTime();
      return [...runs.values()]
        .filter(
          (r) =>
            (r.status === "running" || r.status === "queued") &&
            (r.leaseOwner === null || r.leaseUntil === null || r.leaseUntil.getTime() <= t),
        )
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
        .slice(0, limit)
        .map((r) => r.id);
    },

    async findRunsPastDeadline(now, limit = 100) {
      await tick();
      const t = now.getTime();
      return [...runs.values()]
        .filter(
          (r) =>
            (r.status === "running" || r.status === "queued" || r.status === "waiting") &&
            r.deadlineAt !== null &&
            r.deadlineAt.getTime() < t,
        )
        .slice(0, limit)
        .map((r) => r.id);
    },

    async findApprovalsPastDeadline(now, limit = 100) {
      await tick();
      const t = now.getTime();
      return [...approvals.values()]
        .filter((a) => a.status === "pending" && a.deadlineAt !== null && a.deadlineAt.getTime() < t)
        .sort((a, b) => a.deadlineAt!.getTime() - b.deadlineAt!.getTime())
        .slice(0, limit)
        .map(copyApproval);
    },

    dump() {
      return {
        runs: [...runs.values()].map(copyRun),
        steps: [...steps.values()].flatMap((m) => [...m.values()].map(copyStep)),
        events: [...events.values()].flat().map((e) => ({ ...e })),
        approvals: [...approvals.values()].map(copyApproval),
      };
    },
  };
  return store;
}
