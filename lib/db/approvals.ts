// Approval queries for the inbox, the REST API and the decision service. Reads only, plus the
// two small writes the decision service needs outside the engine (reassignment and run events).
// Decisions themselves go through the engine (engine.decide), which makes them single-use.
//
// Assignees are JSON string arrays (SQLite has no array type and JSON filters differ between
// providers), so "waiting for me" loads the workspace's pending approvals through the
// (workspaceId, status, deadlineAt) index and filters them here. A workspace's pending list is
// people-sized (tens to hundreds), never the size of the run history.
import { z } from "zod";
import { conversationFromSteps } from "../engine/conversation";
import type { PrismaClient } from "./client";
import { type DbOrTx, prismaOf, transaction } from "./tx";

export const APPROVAL_KINDS = ["approval", "budget", "guardrail"] as const;
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];
export const APPROVAL_STATUSES = ["pending", "approved", "rejected", "expired", "cancelled"] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** Who is looking: enough of the policy Actor for the queries. */
export type ApprovalViewer = { userId: string; workspaceId: string; role: string };

const StringArray = z.array(z.string()).catch([]);
const DecisionJson = z
  .object({
    decision: z.enum(["approve", "reject"]).optional(),
    comment: z.string().nullish(),
    reason: z.string().nullish(),
    data: z.unknown().optional(),
    via: z.string().optional(),
    linkId: z.string().optional(),
    by: z.string().optional(),
  })
  .passthrough()
  .catch({});

export type ApprovalRow = Awaited<ReturnType<PrismaClient["approval"]["findFirstOrThrow"]>>;

export type ApprovalSummary = {
  id: string;
  workspaceId: string;
  runId: string;
  nodeId: string;
  visit: number;
  kind: ApprovalKind;
  title: string;
  details: string;
  status: ApprovalStatus;
  assigneeRoles: string[];
  assigneeUserIds: string[];
  escalationLevel: number;
  allowEdit: boolean;
  createdAt: Date;
  deadlineAt: Date | null;
  onTimeout: string;
  decidedAt: Date | null;
  decidedById: string | null;
  decidedByLabel: string | null;
  decision: z.infer<typeof DecisionJson> | null;
  workflowId: string;
  workflowName: string;
  runStatus: string;
};

export function parseAssignees(row: { assigneeRoles: unknown; assigneeUserIds: unknown }) {
  return { roles: StringArray.parse(row.assigneeRoles), userIds: StringArray.parse(row.assigneeUserIds) };
}

export function isAssignee(row: { assigneeRoles: unknown; assigneeUserIds: unknown }, viewer: ApprovalViewer): boolean {
  const { roles, userIds } = parseAssignees(row);
  return userIds.includes(viewer.userId) || roles.includes(viewer.role);
}

function asKind(value: string): ApprovalKind {
  return (APPROVAL_KINDS as readonly string[]).includes(value) ? (value as ApprovalKind) : "approval";
}
function asStatus(value: string): ApprovalStatus {
  return (APPROVAL_STATUSES as readonly string[]).includes(value) ? (value as ApprovalStatus) : "pending";
}

type RowWithRun = ApprovalRow & { run: { status: string; workflowId: string; workflow: { name: string } } };

const withRun = { run: { select: { status: true, workflowId: true, workflow: { select: { name: true } } } } } as const;

/**
 * What the app calls whoever decided: a person by email, an API key (`apikey:<id>`) as
 * `API key “<name>”`; unknown ids are left out.
 */
export async function deciderLabels(db: DbOrTx, ids: (string | null)[]): Promise<Map<string, string>> {
  const prisma = prismaOf(db);
  const unique = [...new Set(ids.filter((id): id is string => !!id))];
  if (unique.length === 0) return new Map();
  const keyIds = unique.filter((id) => id.startsWith("apikey:")).map((id) => id.slice("apikey:".length));
  const [users, keys] = await Promise.all([
    prisma.user.findMany({ where: { id: { in: unique } }, select: { id: true, email: true } }),
    keyIds.length ? prisma.apiKey.findMany({ where: { id: { in: keyIds } }, select: { id: true, name: true } }) : [],
  ]);
  return new Map([
    ...users.map((u) => [u.id, u.email] as const),
    ...keys.map((k) => [`apikey:${k.id}`, `API key “${k.name}”`] as const),
  ]);
}

function summarize(row: RowWithRun, labels: Map<string, string>): ApprovalSummary {
  const { roles, userIds } = parseAssignees(row);
  const decision = row.decision == null ? null : DecisionJson.parse(row.decision);
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    runId: row.runId,
    nodeId: row.nodeId,
    visit: row.visit,
    kind: asKind(row.kind),
    title: row.title,
    details: row.details,
    status: asStatus(row.status),
    assigneeRoles: roles,
    assigneeUserIds: userIds,
    escalationLevel: row.escalationLevel,
    allowEdit: row.allowEdit,
    createdAt: row.createdAt,
    deadlineAt: row.deadlineAt,
    onTimeout: row.onTimeout,
    decidedAt: row.decidedAt,
    decidedById: row.decidedById,
    decidedByLabel: row.decidedById
      ? (labels.get(row.decidedById) ?? row.decidedById)
      : decision?.by
        ? decision.by
        : row.status === "expired" || (row.decidedAt && !row.decidedById)
          ? "system (timeout)"
          : null,
    decision,
    workflowId: row.run.workflowId,
    workflowName: row.run.workflow.name,
    runStatus: row.run.status,
  };
}

/** Deadline first (soonest on top), approvals without a deadline after them, oldest first. */
export function byDeadline(a: { deadlineAt: Date | null; createdAt: Date }, b: typeof a): number {
  if (a.deadlineAt && b.deadlineAt) return a.deadlineAt.getTime() - b.deadlineAt.getTime();
  if (a.deadlineAt) return -1;
  if (b.deadlineAt) return 1;
  return a.createdAt.getTime() - b.createdAt.getTime();
}

export const InboxTab = z.enum(["waiting", "decided", "all"]);
export type InboxTab = z.infer<typeof InboxTab>;

export const InboxFilters = z.object({
  tab: InboxTab.default("waiting"),
  workflowId: z.string().min(1).max(100).optional(),
  /** only approvals waiting at least this long */
  minAgeMs: z.number().int().nonnegative().optional(),
  limit: z.number().int().min(1).max(500).default(200),
});
export type InboxFilters = z.input<typeof InboxFilters>;

/**
 * The inbox lists. `waiting`: pending and assigned to the viewer (by user id or role; admins see
 * only what is assigned to them here, everything under `all`). `decided`: decided by the viewer,
 * newest first. `all`: every approval of the workspace (callers check approval.readAll).
 */
export async function listApprovals(
  db: DbOrTx,
  viewer: ApprovalViewer,
  filters: InboxFilters = {},
  now: Date = new Date(),
): Promise<ApprovalSummary[]> {
  const f = InboxFilters.parse(filters);
  const createdBefore = f.minAgeMs != null ? new Date(now.getTime() - f.minAgeMs) : undefined;
  const base = {
    workspaceId: viewer.workspaceId,
    ...(f.workflowId ? { run: { workflowId: f.workflowId } } : {}),
    ...(createdBefore ? { createdAt: { lte: createdBefore } } : {}),
  };
  let rows: RowWithRun[];
  if (f.tab === "waiting") {
    const pending = await prismaOf(db).approval.findMany({
      where: { ...base, status: "pending" },
      include: withRun,
      orderBy: { createdAt: "asc" },
      take: 5000,
    });
    rows = pending.filter((row) => isAssignee(row, viewer)).sort(byDeadline);
  } else if (f.tab === "decided") {
    rows = await prismaOf(db).approval.findMany({
      where: { ...base, decidedById: viewer.userId },
      include: withRun,
      orderBy: { decidedAt: "desc" },
      take: f.limit,
    });
  } else {
    const pending = await prismaOf(db).approval.findMany({
      where: { ...base, status: "pending" },
      include: withRun,
      take: 5000,
    });
    const done = await prismaOf(db).approval.findMany({
      where: { ...base, status: { not: "pending" } },
      include: withRun,
      orderBy: { createdAt: "desc" },
      take: f.limit,
    });
    rows = [...pending.sort(byDeadline), ...done];
  }
  rows = rows.slice(0, f.limit);
  const labels = await deciderLabels(
    db,
    rows.map((r) => r.decidedById),
  );
  return rows.map((row) => summarize(row, labels));
}

/** How many pending approvals are assigned to the viewer (the navigation count). */
export async function countWaiting(db: DbOrTx, viewer: ApprovalViewer): Promise<number> {
  const pending = await prismaOf(db).approval.findMany({
    where: { workspaceId: viewer.workspaceId, status: "pending" },
    select: { assigneeRoles: true, assigneeUserIds: true },
  });
  return pending.filter((row) => isAssignee(row, viewer)).length;
}

/** The workflows that have approvals, for the inbox filter. */
export async function approvalWorkflows(db: DbOrTx, workspaceId: string) {
  return prismaOf(db).workflow.findMany({
    where: { workspaceId, runs: { some: { approvals: { some: {} } } } },
    select: { id: true, name: true },
    orderBy: { name: "asc" },
  });
}

export async function getApprovalRow(db: DbOrTx, workspaceId: string, id: string) {
  return prismaOf(db).approval.findFirst({ where: { id, workspaceId } });
}

export type TrailStep = {
  id: string;
  nodeId: string;
  nodeType: string;
  visit: number;
  attempt: number;
  status: string;
  startedAt: Date;
  endedAt: Date | null;
  output: unknown;
  error: unknown;
  model: string | null;
  simulated: boolean;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
};

export type ConversationMessage = { role: string; content: string; agent?: string; nodeId?: string };
export type Handoff = { from: string; to: string; reason?: string };

export type ApprovalDetail = ApprovalSummary & {
  payload: unknown;
  editSchema: unknown;
  escalateTo: unknown;
  reminderSentAt: Date | null;
  run: {
    id: string;
    status: string;
    trigger: string;
    input: unknown;
    createdAt: Date;
    costUsd: number;
    inputTokens: number;
    outputTokens: number;
    stepCount: number;
  };
  steps: TrailStep[];
  conversation: ConversationMessage[];
  handoffs: Handoff[];
  assigneeUsers: { id: string; email: string; name: string }[];
  /** guardrail escalations: the failed checks, from the waiting step's input */
  failures: { check?: unknown; type?: string; message: string }[];
  /** step id → the name the workflow gives it (from the version the run used), so pages name steps */
  stepNames: Record<string, string>;
};

const ConversationEntry = z
  .object({
    role: z.string().catch("assistant"),
    content: z.unknown(),
    agent: z.string().optional(),
    name: z.string().optional(),
    nodeId: z.string().optional(),
  })
  .passthrough();

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (part && typeof part === "object" && "text" in part ? String(part.text) : JSON.stringify(part)))
      .join("\n");
  }
  return JSON.stringify(content);
}

/** The run's conversation, rebuilt from its steps the way the engine does (tolerant of odd messages). */
export function conversationOf(steps: readonly { status: string; input: unknown }[]): ConversationMessage[] {
  const raw: unknown[] = conversationFromSteps(steps);
  const out: ConversationMessage[] = [];
  for (const entry of raw) {
    const parsed = ConversationEntry.safeParse(entry);
    if (!parsed.success) continue;
    const agent = parsed.data.agent ?? parsed.data.name ?? parsed.data.nodeId;
    out.push({
      role: parsed.data.role,
      content: contentText(parsed.data.content),
      ...(agent ? { agent } : {}),
      ...(parsed.data.nodeId ? { nodeId: parsed.data.nodeId } : {}),
    });
  }
  return out;
}

const HandoffEvent = z
  .object({
    from: z.string().optional(),
    to: z.string().optional(),
    nodeId: z.string().optional(),
    target: z.string().optional(),
    reason: z.string().optional(),
  })
  .passthrough();

/** Handoffs from the run's event log (events whose type mentions "handoff"). */
function handoffsOf(events: { type: string; data: unknown }[]): Handoff[] {
  const out: Handoff[] = [];
  for (const event of events) {
    if (!event.type.toLowerCase().includes("handoff")) continue;
    const parsed = HandoffEvent.safeParse(event.data);
    if (!parsed.success) continue;
    const from = parsed.data.from ?? parsed.data.nodeId;
    const to = parsed.data.to ?? parsed.data.target;
    if (from && to) out.push({ from, to, ...(parsed.data.reason ? { reason: parsed.data.reason } : {}) });
  }
  return out;
}

/** One approval with everything the detail page shows: payload, trail, conversation, cost. */
export async function getApprovalDetail(db: DbOrTx, workspaceId: string, id: string): Promise<ApprovalDetail | null> {
  const row = await prismaOf(db).approval.findFirst({
    where: { id, workspaceId },
    include: {
      run: {
        include: {
          workflow: { select: { name: true } },
          steps: { orderBy: [{ startedAt: "asc" }, { visit: "asc" }, { attempt: "asc" }] },
        },
      },
    },
  });
  if (!row) return null;
  const events = await prismaOf(db).runEvent.findMany({
    where: { runId: row.runId, type: { contains: "handoff" } },
    orderBy: { seq: "asc" },
    select: { type: true, data: true },
    take: 500,
  });
  const { userIds } = parseAssignees(row);
  const labels = await deciderLabels(db, [row.decidedById]);
  const assigneeUsers = userIds.length
    ? await prismaOf(db).user.findMany({
        where: { id: { in: userIds } },
        select: { id: true, email: true, name: true },
      })
    : [];
  const run = row.run;
  const steps: TrailStep[] = run.steps.map((s) => ({
    id: s.id,
    nodeId: s.nodeId,
    nodeType: s.nodeType,
    visit: s.visit,
    attempt: s.attempt,
    status: s.status,
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    output: s.output,
    error: s.error,
    model: s.model,
    simulated: s.simulated,
    costUsd: s.costUsd,
    inputTokens: s.inputTokens,
    outputTokens: s.outputTokens,
  }));
  // Handoffs recorded in agents' step outputs ({ handoff: { to, reason } }) count too.
  const stepHandoffs: Handoff[] = [];
  for (const s of run.steps) {
    const out = s.output as { handoff?: { to?: unknown; reason?: unknown } } | null;
    if (out && typeof out === "object" && out.handoff && typeof out.handoff.to === "string") {
      stepHandoffs.push({
        from: s.nodeId,
        to: out.handoff.to,
        ...(typeof out.handoff.reason === "string" ? { reason: out.handoff.reason } : {}),
      });
    }
  }
  const waitingStep = run.steps.find((st) => st.nodeId === row.nodeId && st.visit === row.visit);
  const rawFailures = (waitingStep?.input as { failures?: unknown } | null)?.failures;
  const failures = Array.isArray(rawFailures)
    ? rawFailures
        .filter((f): f is Record<string, unknown> => !!f && typeof f === "object")
        .map((f) => ({
          check: f.check,
          ...(typeof f.type === "string" ? { type: f.type } : {}),
          message: String(f.message ?? JSON.stringify(f)),
        }))
    : [];
  const version = await prismaOf(db).workflowVersion.findFirst({
    where: { id: run.workflowVersionId, workspaceId },
    select: { document: true },
  });
  const stepNames: Record<string, string> = {};
  const docNodes = (version?.document as { nodes?: unknown } | null)?.nodes;
  if (Array.isArray(docNodes)) {
    for (const n of docNodes as { id?: unknown; name?: unknown }[]) {
      if (typeof n?.id === "string" && typeof n.name === "string" && n.name.trim()) stepNames[n.id] = n.name;
    }
  }
  return {
    ...summarize(row as RowWithRun, labels),
    failures,
    stepNames,
    payload: row.payload,
    editSchema: row.editSchema,
    escalateTo: row.escalateTo,
    reminderSentAt: row.reminderSentAt,
    run: {
      id: run.id,
      status: run.status,
      trigger: run.trigger,
      input: run.input,
      createdAt: run.createdAt,
      costUsd: run.costUsd,
      inputTokens: run.inputTokens,
      outputTokens: run.outputTokens,
      stepCount: run.stepCount,
    },
    steps,
    conversation: conversationOf(run.steps),
    handoffs: [...handoffsOf(events), ...stepHandoffs],
    assigneeUsers,
  };
}

/** Members who can be picked as a new assignee (not viewers: they can never decide). */
export async function assignableMembers(db: DbOrTx, workspaceId: string) {
  const members = await prismaOf(db).membership.findMany({
    where: { workspaceId, role: { not: "viewer" } },
    select: { role: true, user: { select: { id: true, email: true, name: true } } },
    orderBy: { createdAt: "asc" },
  });
  return members.map((m) => ({ ...m.user, role: m.role }));
}

/**
 * Moves a pending approval to new assignees, only while it is still pending (a conditional
 * update: a reassignment racing a decision never reopens a decided approval). Returns false when
 * the approval was no longer pending.
 */
export async function reassignPending(
  db: DbOrTx,
  id: string,
  assignees: { roles: string[]; userIds: string[] },
): Promise<boolean> {
  const result = await prismaOf(db).approval.updateMany({
    where: { id, status: "pending" },
    data: { assigneeRoles: assignees.roles, assigneeUserIds: assignees.userIds, reminderSentAt: null },
  });
  return result.count === 1;
}

/**
 * Appends one event to a run's ordered event log (seq from Run.lastSeq, incremented atomically in
 * the same transaction, the same way the run store numbers its events).
 */
export async function appendRunEvent(
  db: DbOrTx,
  runId: string,
  type: string,
  data: Record<string, unknown>,
): Promise<number> {
  return transaction(db, async (tx) => {
    const run = await tx.run.update({
      where: { id: runId },
      data: { lastSeq: { increment: 1 } },
      select: { lastSeq: true },
    });
    await tx.runEvent.create({ data: { runId, seq: run.lastSeq, type, data: data as object } });
    return run.lastSeq;
  });
}

/** One approval by id, whatever its workspace (the deadline sweep's audit), or null. */
export async function findApprovalById(db: DbOrTx, id: string): Promise<ApprovalRow | null> {
  return prismaOf(db).approval.findUnique({ where: { id } });
}

/** What authorization needs about an approval: its workspace and assignees; null when there is none. */
export async function approvalResource(
  db: DbOrTx,
  id: string,
): Promise<{ workspaceId: string; assigneeRoles: string[]; assigneeUserIds: string[] } | null> {
  const row = await prismaOf(db).approval.findUnique({
    where: { id },
    select: { workspaceId: true, assigneeRoles: true, assigneeUserIds: true },
  });
  if (!row) return null;
  const { roles, userIds } = parseAssignees(row);
  return { workspaceId: row.workspaceId, assigneeRoles: roles, assigneeUserIds: userIds };
}

/**
 * Adds how a decision was made (via, reason, link id, the decider's label…) to the decision
 * record the engine stored, only while the decision is still `decidedById`'s.
 */
export async function annotateDecision(
  db: DbOrTx,
  id: string,
  decidedById: string,
  decision: Record<string, unknown>,
): Promise<void> {
  await prismaOf(db).approval.updateMany({
    where: { id, decidedById },
    data: { decision: decision as object },
  });
}

/**
 * Approvals whose timeout outcome or escalation may lack its audit entry: decided by nobody since
 * `since` (approved, rejected or expired by the deadline sweep), or escalated and still pending.
 */
export async function timeoutCandidates(db: DbOrTx, since: Date, limit = 1000) {
  return prismaOf(db).approval.findMany({
    where: {
      OR: [
        { decidedById: null, decidedAt: { gte: since }, status: { in: ["approved", "rejected", "expired"] } },
        { status: "pending", escalationLevel: { gt: 0 } },
      ],
    },
    select: { id: true, escalationLevel: true, status: true, decision: true },
    take: limit,
  });
}

/** An approval's status and decision record in a workspace (what a signed link checks), or null. */
export async function approvalState(
  db: DbOrTx,
  workspaceId: string,
  id: string,
): Promise<{ status: string; decision: unknown } | null> {
  return prismaOf(db).approval.findFirst({ where: { id, workspaceId }, select: { status: true, decision: true } });
}
