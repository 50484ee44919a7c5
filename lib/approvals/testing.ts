// Test fixtures for the approvals tests: a workspace with the four roles and a waiting run with
// pending approvals, written straight into a real (SQLite or PostgreSQL) test database.
import { randomBytes } from "node:crypto";
import type { Actor } from "../auth/policy";
import type { Role } from "../auth/roles";
import type { Db } from "../db/client";
import { createPrismaRunStore } from "../db/run-store";

export type Fixture = {
  workspaceId: string;
  workflowId: string;
  versionId: string;
  users: Record<Role | "approver2", Actor>;
};

const suffix = () => randomBytes(4).toString("hex");

export async function seedWorkspace(db: Pick<Db, "prisma">): Promise<Fixture> {
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
export async function seedPendingApproval(db: Pick<Db, "prisma">, fx: Fixture, a: SeedApproval = {}) {
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
