// A deterministic run-history fixture for the query tests (and e2e seeding): workspaces, users,
// workflows, runs, steps and approvals inserted with Prisma, returned as plain rows so a test
// can compute the expected figures itself, independently of the SQL under test.
import { createHash } from "node:crypto";
import type { Db } from "./client";

export function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FixtureRun {
  id: string;
  workspaceId: string;
  workflowId: string;
  workflowVersionId: string;
  status: string;
  trigger: string;
  input: { message: string; n: number };
  startedById: string | null;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
  durationMs: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  stepCount: number;
  waitingOnPerson: boolean;
}
export interface FixtureStep {
  id: string;
  runId: string;
  workspaceId: string;
  nodeId: string;
  nodeType: string;
  visit: number;
  attempt: number;
  status: string;
  idempotencyKey: string;
  model: string | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  startedAt: Date;
  endedAt: Date | null;
  durationMs: number | null;
  error: unknown;
  output: unknown;
}
export interface FixtureApproval {
  id: string;
  runId: string;
  workspaceId: string;
  nodeId: string;
  status: string;
  createdAt: Date;
  decidedAt: Date | null;
  decidedById: string | null;
}
export interface HistoryFixture {
  workspaceId: string;
  otherWorkspaceId: string;
  users: { id: string; name: string }[];
  workflows: { id: string; name: string; versionId: string }[];
  runs: FixtureRun[];
  steps: FixtureStep[];
  approvals: FixtureApproval[];
  start: Date;
  end: Date;
}

// Unfinished runs are `waiting` (on a person), never `queued` or `running`: such a run with no
// live lease is one a crash left behind, which the runner of a server on the same database (the
// e2e server's) carries on at once; the fixture's documents cannot be executed, so it would end
// failed under the test that computed its figures from these rows.
const STATUSES = ["succeeded", "succeeded", "succeeded", "failed", "cancelled", "waiting", "waiting"];
const TRIGGERS = ["manual", "api", "schedule", "webhook"];
const WORDS = ["refund", "invoice", "shipping", "password", "cancel order", "upgrade plan"];
const NODES = [
  { id: "triage", type: "agent", model: "simulated" },
  { id: "billing", type: "agent", model: "openai:gpt-5-mini" },
  { id: "lookup", type: "http", model: null },
  { id: "approve", type: "approval", model: null },
  { id: "finish", type: "end", model: null },
];

/** Inserts a fixture of `count` runs spread over `days` days ending at `end`. */
export async function insertHistoryFixture(
  db: Db,
  opts: {
    count?: number;
    days?: number;
    end?: Date;
    seed?: number;
    slug?: string;
    /** add the history to this existing workspace (its members start the runs) */
    workspaceId?: string;
    /** create the fixture's workflows already deleted (their runs stay; other lists stay clean) */
    deletedWorkflows?: boolean;
  } = {},
): Promise<HistoryFixture> {
  const rnd = prng(opts.seed ?? 42);
  const count = opts.count ?? 240;
  const days = opts.days ?? 10;
  const end = opts.end ?? new Date("2026-11-20T00:00:00.000Z");
  const start = new Date(end.getTime() - days * 86400000);
  const slug = opts.slug ?? `hist-${Math.floor(rnd() * 1e9)}`;
  // Run ids are unique per call (two fixtures with the same seed can share a database).
  const idPrefix = opts.slug ? `${createHash("sha256").update(opts.slug).digest("hex").slice(0, 6)}_` : "";
  const p = db.prisma;
  const ws = opts.workspaceId
    ? await p.workspace.findUniqueOrThrow({ where: { id: opts.workspaceId } })
    : await p.workspace.create({ data: { name: "History", slug } });
  const other = await p.workspace.create({ data: { name: "Other", slug: `${slug}-other` } });
  const users = opts.workspaceId
    ? (
        await p.membership.findMany({
          where: { workspaceId: ws.id },
          orderBy: { createdAt: "asc" },
          select: { user: { select: { id: true, name: true } } },
        })
      ).map((m) => m.user)
    : await Promise.all(
        ["Ada", "Grace"].map((name) =>
          p.user.create({ data: { name, email: `${name.toLowerCase()}-${slug}@example.com` } }),
        ),
      );
  const workflows: HistoryFixture["workflows"] = [];
  for (const [i, name] of ["Refund triage", "Onboarding", "Weekly report"].entries()) {
    const wf = await p.workflow.create({
      data: { workspaceId: ws.id, name, draft: {}, deletedAt: opts.deletedWorkflows ? end : null },
    });
    const v = await p.workflowVersion.create({
      data: { workspaceId: ws.id, workflowId: wf.id, version: 1, document: {}, contentHash: `h${i}` },
    });
    workflows.push({ id: wf.id, name, versionId: v.id });
  }
  const runs: FixtureRun[] = [];
  const steps: FixtureStep[] = [];
  const approvals: FixtureApproval[] = [];
  for (let i = 0; i < count; i++) {
    const wf = workflows[Math.floor(rnd() * workflows.length)]!;
    const status = STATUSES[Math.floor(rnd() * STATUSES.length)]!;
    // Millisecond timestamps with a few deliberate ties to exercise the (createdAt, id) cursor.
    const createdAt = new Date(start.getTime() + Math.floor(rnd() * days * 86400000));
    if (i % 17 === 0 && runs.length) createdAt.setTime(runs[runs.length - 1]!.createdAt.getTime());
    const finished = ["succeeded", "failed", "cancelled"].includes(status);
    const durationMs = finished ? 200 + Math.floor(rnd() * 60000) : null;
    const startedAt = new Date(createdAt.getTime() + 5);
    const id = `run_${idPrefix}${String(i).padStart(5, "0")}_${Math.floor(rnd() * 1e6)}`;
    const nSteps = 1 + Math.floor(rnd() * NODES.length);
    let inTok = 0;
    let outTok = 0;
    let cost = 0;
    for (let k = 0; k < nSteps; k++) {
      const node = NODES[k]!;
      const isLast = k === nSteps - 1;
      const stepStatus = isLast && status === "failed" ? "failed" : isLast && !finished ? "waiting" : "succeeded";
      const it = node.model ? 100 + Math.floor(rnd() * 900) : 0;
      const ot = node.model ? 50 + Math.floor(rnd() * 400) : 0;
      const c = node.model ? Math.round(rnd() * 10000) / 1e6 : 0;
      inTok += it;
      outTok += ot;
      cost += c;
      const sAt = new Date(startedAt.getTime() + k * 10);
      steps.push({
        id: `${id}_s${k}`,
        runId: id,
        workspaceId: ws.id,
        nodeId: node.id,
        nodeType: node.type,
        visit: 1,
        attempt: 1,
        status: stepStatus,
        idempotencyKey: `${id}:${node.id}:1`,
        model: node.model,
        inputTokens: it,
        outputTokens: ot,
        costUsd: c,
        startedAt: sAt,
        endedAt: stepStatus === "waiting" ? null : new Date(sAt.getTime() + 8),
        durationMs: stepStatus === "waiting" ? null : 8,
        error: stepStatus === "failed" ? { message: `HTTP 503 from ${node.id}`, code: "server_error" } : null,
        output: stepStatus === "succeeded" ? { text: `${node.id} done` } : null,
      });
      if (node.type === "approval") {
        const decided = rnd() < 0.6;
        approvals.push({
          id: `${id}_a`,
          runId: id,
          workspaceId: ws.id,
          nodeId: node.id,
          status: decided ? "approved" : "pending",
          createdAt: sAt,
          decidedAt: decided ? new Date(sAt.getTime() + Math.floor(rnd() * 3600000)) : null,
          decidedById: decided ? users[0]!.id : null,
        });
      }
    }
    runs.push({
      id,
      workspaceId: ws.id,
      workflowId: wf.id,
      workflowVersionId: wf.versionId,
      status,
      trigger: TRIGGERS[Math.floor(rnd() * TRIGGERS.length)]!,
      input: { message: `Customer asks about ${WORDS[i % WORDS.length]} #${i}`, n: i },
      startedById: rnd() < 0.2 ? null : users[Math.floor(rnd() * users.length)]!.id,
      createdAt,
      startedAt,
      endedAt: durationMs !== null ? new Date(startedAt.getTime() + durationMs) : null,
      durationMs,
      inputTokens: inTok,
      outputTokens: outTok,
      costUsd: cost,
      stepCount: nSteps,
      waitingOnPerson: status === "waiting",
    });
  }
  // One transaction, as the engine commits a run's steps with its final status: a rollup pass
  // running meanwhile (the e2e server's runner) must never see a finished run without its steps.
  await p.$transaction([
    p.run.createMany({ data: runs.map((r) => ({ ...r, state: {} })) }),
    p.step.createMany({
      data: steps.map((s) => ({
        ...s,
        error: s.error === null ? undefined : (s.error as object),
        output: s.output === null ? undefined : (s.output as object),
      })),
    }),
    p.approval.createMany({
      data: approvals.map((a) => ({
        ...a,
        visit: 1,
        title: "Approve",
        assigneeRoles: ["approver"],
        assigneeUserIds: [],
      })),
    }),
  ]);
  // A run in another workspace that must never show up.
  const owf = await p.workflow.create({ data: { workspaceId: other.id, name: "Foreign", draft: {} } });
  const ov = await p.workflowVersion.create({
    data: { workspaceId: other.id, workflowId: owf.id, version: 1, document: {}, contentHash: "x" },
  });
  await p.run.create({
    data: {
      workspaceId: other.id,
      workflowId: owf.id,
      workflowVersionId: ov.id,
      status: "succeeded",
      trigger: "manual",
      input: { message: "refund" },
      state: {},
      createdAt: new Date(start.getTime() + 3600000),
      durationMs: 1,
      costUsd: 99,
    },
  });
  return { workspaceId: ws.id, otherWorkspaceId: other.id, users, workflows, runs, steps, approvals, start, end };
}

/** percentile_cont over sorted numbers. */
export function percentileCont(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
