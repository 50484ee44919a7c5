"use server";
// Inbox server actions: thin wrappers over lib/approvals (the decision service checks the
// assignee rule, single use, reasons and editSchema; authedAction checks the session first).
// A viewer calling these directly is refused by the service's policy check.
import { z } from "zod";
import { approvalDeps } from "@/lib/approvals/app";
import { bulkApprove, commentOnApproval, decideApproval, reassignApproval } from "@/lib/approvals/service";
import { type getApprovalRow, parseAssignees } from "@/lib/db/approvals";
import { authedAction } from "@/lib/server/action";

const loadApproval = async (input: { approvalId: string }, db: Parameters<typeof getApprovalRow>[0]) => {
  const row = await db.prisma.approval.findUnique({
    where: { id: input.approvalId },
    select: { workspaceId: true, assigneeRoles: true, assigneeUserIds: true },
  });
  if (!row) return null;
  const { roles, userIds } = parseAssignees(row);
  return { workspaceId: row.workspaceId, assigneeRoles: roles, assigneeUserIds: userIds };
};

const Id = z.string().min(1).max(100);

export const decideAction = authedAction(
  {
    action: "approval.decide",
    input: z.object({
      approvalId: Id,
      decision: z.enum(["approve", "reject"]),
      reason: z.string().max(2000).optional(),
      comment: z.string().max(4000).optional(),
      data: z.unknown().optional(),
    }),
    resource: loadApproval,
  },
  async ({ actor, input, db }) => {
    const outcome = await decideApproval(await approvalDeps(db), actor, { ...input, via: "inbox" });
    return { status: outcome.status, runId: outcome.runId, engineMs: outcome.engineMs };
  },
);

export const bulkApproveAction = authedAction(
  { action: "approval.read", input: z.object({ approvalIds: z.array(Id).min(1).max(100) }) },
  async ({ actor, input, db }) => bulkApprove(await approvalDeps(db), actor, input),
);

export const reassignAction = authedAction(
  {
    action: "approval.read",
    input: z.object({
      approvalId: Id,
      roles: z.array(z.string()).max(4),
      userIds: z.array(Id).max(50),
      note: z.string().max(2000).optional(),
    }),
  },
  async ({ actor, input, db }) => {
    const result = await reassignApproval(await approvalDeps(db), actor, input);
    return { roles: result.roles, userIds: result.userIds };
  },
);

export const commentAction = authedAction(
  { action: "approval.read", input: z.object({ approvalId: Id, comment: z.string().max(4000) }) },
  async ({ actor, input, db }) => {
    await commentOnApproval({ db }, actor, input);
    return null;
  },
);
