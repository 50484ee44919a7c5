// Test fixtures, in one place: rows written straight into a real (SQLite or PostgreSQL) test
// database. A workspace with one member per role, a waiting run with a pending approval, the rows
// a run needs before it can be stored (also used by the benchmark), and small builders for the
// rest. Databases themselves come from ./testing.ts (a fresh one per test file).
import { randomBytes } from "node:crypto";
import type { WorkflowDocument } from "@/lib/contracts/workflow-document";
import type { Actor } from "../auth/policy";
import type { Role } from "../auth/roles";
import type { Db } from "./client";
import { createPrismaRunStore, PrismaRunStore } from "./run-store";
import { openTestPostgres, openTestSqlite } from "./testing";

const suffix = () => randomBytes(4).toString("hex");

export interface SeededVersion {
  workspaceId: string;
  workflowId: string;
  workflowVersionId: string;
}

export const MINIMAL_DOCUMENT = {
  format: "switchboard.workflow/v1",
  name: "Fixture",
  nodes: [
    { id: "start", type: "trigger", config: { kind: "manual" } },
    { id: "done", type: "end", config: {} },
  ],
  edges: [{ source: "start", target: "done" }],
};

export async function seedWorkflowVersion(db: Db, document: unknown = MINIMAL_DOCUMENT): Promise<SeededVersion> {
  const tag = suffix();
  const ws = await db.prisma.workspace.create({ data: { name: `Fixture ${tag}`, slug: `fixture-${tag}` } });
  const wf = await db.prisma.workflow.create({
    data: { workspaceId: ws.id, name: "Fixture", draft: document as object },
  });
  const v = await db.prisma.workflowVersion.create({
    data: { workspaceId: ws.id, workflowId: wf.id, version: 1, document: document as object, contentHash: tag },
  });
  return { workspaceId: ws.id, workflowId: wf.id, workflowVersionId: v.id };
}

export type Fixture = {
  workspaceId: string;
  workflowId: string;
  versionId: string;
  users: Record<Role | "approver2", Actor>;
};

export async function seedWorkspace(db: Db): Promise<Fixture> {
  const s = suffix();
  const ws = await db.prisma.workspace.create({ data: { name: "Acme", slug: `acme-${s}` } });
  const users = {} as Fixture["users"];
  for (const [key, role] of [
    ["admin", "admin"],
    ["editor", "editor"],
    ["approver", "approver"],
    ["approver2", "approver"],
    ["viewer", "viewer"],
  ] as const) {
    const email = `${key}-${s}@acme.test`;
    const user = await db.prisma.user.create({ data: { email, name: key } });
    await db.prisma.membership.create({ data: { workspaceId: ws.id, userId: user.id, role } });
    users[key] = { userId: user.id, email, name: key, workspaceId: ws.id, role, via: "session" };
  }
  const doc = { format: "switchboard.workflow/v1", name: "Refunds", nodes: [], edges: [] };
  const wf = await db.prisma.workflow.create({ data: { workspaceId: ws.id, name: "Refunds", draft: doc } });
  const version = await db.prisma.workflowVersion.create({
    data: { workspaceId: ws.id, workflowId: wf.id, version: 1, document: doc, contentHash: `h-${s}` },
  });
  return { workspaceId: ws.id, workflowId: wf.id, versionId: version.id, users };
}

export type SeedApproval = {
  title?: string;
  kind?: "approval" | "budget" | "guardrail";
  roles?: string[];
  userIds?: string[];
  allowEdit?: boolean;
  editSchema?: object;
  payload?: unknown;
  deadlineAt?: Date | null;
  createdAt?: Date;
  onTimeout?: "reject" | "approve" | "escalate";
};

/** A waiting run with one pending approval (rows only; no engine state). */
export async function seedPendingApproval(db: Db, fx: Fixture, a: SeedApproval = {}) {
  const run = await db.prisma.run.create({
    data: {
      workspaceId: fx.workspaceId,
      workflowId: fx.workflowId,
      workflowVersionId: fx.versionId,
      status: "waiting",
      trigger: "manual",
      input: { message: "refund please" },
      state: {},
      waitingOnPerson: true,
      costUsd: 0.0123,
    },
  });
  await db.prisma.step.create({
    data: {
      runId: run.id,
      workspaceId: fx.workspaceId,
      nodeId: "triage",
      nodeType: "agent",
      visit: 1,
      attempt: 1,
      status: "succeeded",
      idempotencyKey: `${run.id}:triage:1`,
      // where the engine keeps the conversation: on the step that added the messages
      input: {
        conversation: {
          at: 0,
          messages: [{ role: "assistant", content: "Customer wants $120 back.", nodeId: "triage" }],
        },
      },
      output: { text: "refund", handoff: { to: "billing", reason: "money question" } },
      costUsd: 0.0123,
    },
  });
  const approval = await db.prisma.approval.create({
    data: {
      workspaceId: fx.workspaceId,
      runId: run.id,
      nodeId: "approve",
      visit: 1,
      kind: a.kind ?? "approval",
      title: a.title ?? "Refund $120?",
      details: "Customer asked for a refund.",
      payload: (a.payload ?? { amount: 120, currency: "USD" }) as object,
      allowEdit: a.allowEdit ?? false,
      ...(a.editSchema ? { editSchema: a.editSchema } : {}),
      assigneeRoles: a.roles ?? ["approver"],
      assigneeUserIds: a.userIds ?? [],
      deadlineAt: a.deadlineAt ?? null,
      onTimeout: a.onTimeout ?? "reject",
      ...(a.createdAt ? { createdAt: a.createdAt } : {}),
    },
  });
  return { run, approval };
}

/**
 * engine.decide's decision half, through the real run store (single-use conditional update, run
 * requeued, approval.decided event, one transaction) — for the service's tests, which do not
 * need the run to execute. The integration tests use the real engine.
 */
export function rowDecider(db: Db) {
  const store = createPrismaRunStore(db);
  return {
    calls: 0,
    async decide(
      approvalId: string,
      input: { decision: "approve" | "reject"; comment?: string; data?: unknown; by?: string },
    ): Promise<void> {
      this.calls++;
      const status = input.decision === "approve" ? "approved" : "rejected";
      const at = new Date();
      await store.decideApproval(approvalId, {
        status,
        by: input.by ?? null,
        at,
        decision: {
          comment: input.comment ?? null,
          via: "person",
          ...(input.data !== undefined ? { data: input.data } : {}),
        },
        events: [{ type: "approval.decided", data: { approvalId, status, by: input.by ?? null } }],
      });
    },
  };
}

/** A workspace row (unique slug). */
export async function seedWorkspaceRow(db: Db, name = "Acme"): Promise<{ id: string; name: string }> {
  return db.prisma.workspace.create({
    data: { name, slug: `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${suffix()}` },
    select: { id: true, name: true },
  });
}

/** A user (unique email from `name`), a member of `workspaceId` with `role` when given. */
export async function seedUser(
  db: Db,
  name: string,
  membership?: { workspaceId: string; role: Role },
): Promise<{ id: string; email: string; name: string }> {
  const user = await db.prisma.user.create({
    data: { email: `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${suffix()}@acme.test`, name },
    select: { id: true, email: true, name: true },
  });
  if (membership) {
    await db.prisma.membership.create({
      data: { workspaceId: membership.workspaceId, userId: user.id, role: membership.role },
    });
  }
  return user;
}

/** A workflow row with this name and draft. */
export async function seedWorkflow(
  db: Db,
  workspaceId: string,
  input: { name: string; draft?: unknown },
): Promise<{ id: string }> {
  return db.prisma.workflow.create({
    data: { workspaceId, name: input.name, draft: (input.draft ?? {}) as object },
    select: { id: true },
  });
}

/** Replaces a workspace's settings JSON. */
export async function seedWorkspaceSettings(db: Db, workspaceId: string, settings: unknown): Promise<void> {
  await db.prisma.workspace.update({ where: { id: workspaceId }, data: { settings: settings as object } });
}

/** A run row (no engine state) of this version, with this status. */
export async function seedRun(
  db: Db,
  input: { workspaceId: string; workflowId: string; workflowVersionId: string; status: string; input?: unknown },
): Promise<{ id: string }> {
  return db.prisma.run.create({
    data: {
      workspaceId: input.workspaceId,
      workflowId: input.workflowId,
      workflowVersionId: input.workflowVersionId,
      status: input.status,
      trigger: "manual",
      input: (input.input ?? {}) as object,
      state: {},
    },
    select: { id: true },
  });
}

/** PrismaRunStore on SQLite and on the real PostgreSQL server, through both write paths (the RunStore contract's subjects). */
export const PRISMA_STORE_VARIANTS = [
  ["prisma sqlite (direct)", openTestSqlite, true],
  ["prisma sqlite (prisma)", openTestSqlite, false],
  ["prisma postgresql (direct)", openTestPostgres, true],
  ["prisma postgresql (prisma)", openTestPostgres, false],
] as const;

/** A fresh database with a seeded version and a PrismaRunStore on it, for one contract test. */
export function prismaStoreFixture(open: () => Promise<Db & { dispose(): Promise<void> }>, direct: boolean) {
  return async () => {
    const db = await open();
    const refs = await seedWorkflowVersion(db);
    const store = new PrismaRunStore(db, { direct });
    return {
      store,
      refs: { ...refs, document: MINIMAL_DOCUMENT as unknown as WorkflowDocument },
      async cleanup() {
        await store.close();
        await db.dispose();
      },
    };
  };
}

/** Marks an approval decided as the deadline sweep would (nobody decided; `status` at `decidedAt`). */
export async function seedApprovalOutcome(
  db: Db,
  approvalId: string,
  outcome: { status: string; decidedAt?: Date },
): Promise<void> {
  await db.prisma.approval.update({
    where: { id: approvalId },
    data: { status: outcome.status, decidedAt: outcome.decidedAt ?? new Date() },
  });
}

/** An outbox message as the notification worker would find it (e.g. one near its last attempt). */
export async function seedOutboxMessage(
  db: Db,
  input: { id: string; workspaceId: string; channel: string; payload: unknown; attempts?: number },
): Promise<void> {
  await db.prisma.outboxMessage.create({
    data: {
      id: input.id,
      workspaceId: input.workspaceId,
      channel: input.channel,
      payload: input.payload as object,
      attempts: input.attempts ?? 0,
    },
  });
}
