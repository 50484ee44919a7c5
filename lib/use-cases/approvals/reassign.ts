// Reassigning a pending approval (admins and its current assignees, never to viewers) and
// commenting on one (assignees and admins; decides nothing). Both write an audit entry and a run
// event.
import { z } from "zod";
import { type Actor, can } from "@/lib/auth/policy";
import { ROLES } from "@/lib/auth/roles";
import { AppError } from "@/lib/contracts/app-errors";
import { userText } from "@/lib/contracts/text";
import {
  type ApprovalRow,
  appendRunEvent,
  getApprovalRow,
  isAssignee,
  parseAssignees,
  reassignPending,
} from "@/lib/db/approvals";
import { recordAudit } from "@/lib/db/audit";
import { memberRoles, userEmails } from "@/lib/db/users";
import { actorLabel, alreadyDecided, invalidInput, loadForActor, notPendingError, policyResource } from "./common";
import type { ApprovalDeps } from "./deps";

const AssignableRole = z.enum(ROLES).refine((r) => r !== "viewer", "Viewers cannot be assigned approvals.");

export const ReassignInput = z
  .object({
    approvalId: z.string().min(1).max(100),
    roles: z.array(AssignableRole).max(4).default([]),
    userIds: z.array(z.string().min(1).max(100)).max(50).default([]),
    note: userText().trim().max(2000).optional(),
  })
  .refine((v) => v.roles.length + v.userIds.length > 0, {
    path: ["userIds"],
    message: "Pick at least one person or role to reassign to.",
  });

/** Admins and the current assignees (never viewers) may move a pending approval to others. */
export function canReassign(actor: Actor, row: ApprovalRow): boolean {
  const resource = policyResource(row);
  if (can(actor, "approval.reassign", resource)) return true;
  return (
    actor.role !== "viewer" && actor.via !== "link" && can(actor, "approval.decide", resource) && isAssignee(row, actor)
  );
}

export async function reassignApproval(
  deps: ApprovalDeps,
  actor: Actor,
  raw: { approvalId: string; roles?: string[]; userIds?: string[]; note?: string },
): Promise<{ approvalId: string; roles: string[]; userIds: string[] }> {
  const parsed = ReassignInput.safeParse(raw);
  if (!parsed.success) throw invalidInput(parsed.error);
  const input = parsed.data;
  const row = await loadForActor(deps.db, actor, input.approvalId);
  if (!canReassign(actor, row)) {
    throw new AppError("forbidden:approval", { message: "Only admins and the current assignees can reassign." });
  }
  if (row.status !== "pending") throw await alreadyDecided(deps.db, row);
  const userIds = [...new Set(input.userIds)];
  if (userIds.length) {
    const roles = await memberRoles(deps.db, row.workspaceId, userIds);
    const bad = userIds.filter((id) => !roles.has(id) || roles.get(id) === "viewer");
    if (bad.length) {
      throw new AppError("invalid:approval", {
        message: "Approvals can only be assigned to members who can decide (not viewers).",
        fieldErrors: bad.map((id) => ({
          path: `userIds.${userIds.indexOf(id)}`,
          message: "not a member who can decide",
        })),
      });
    }
  }
  const roles = [...new Set(input.roles)];
  const before = parseAssignees(row);
  const moved = await reassignPending(deps.db, row.id, { roles, userIds });
  if (!moved) throw await notPendingError(deps.db, row);
  const emails = await userEmails(deps.db, userIds);
  const to = [...roles.map((r) => `role ${r}`), ...userIds.flatMap((id) => emails.get(id) ?? [])].join(", ");
  await recordAudit(deps.db, {
    workspaceId: row.workspaceId,
    actor,
    action: "approval.reassigned",
    targetType: "approval",
    targetId: row.id,
    summary: `Reassigned "${row.title}" to ${to}${input.note ? `: ${input.note}` : ""}`,
    data: { runId: row.runId, from: before, to: { roles, userIds }, ...(input.note ? { note: input.note } : {}) },
  });
  await appendRunEvent(deps.db, row.runId, "approval.reassigned", {
    approvalId: row.id,
    nodeId: row.nodeId,
    by: actorLabel(actor),
    to: { roles, userIds },
  });
  const fresh = await getApprovalRow(deps.db, row.workspaceId, row.id);
  if (fresh) await deps.listener?.onReassigned?.(fresh);
  return { approvalId: row.id, roles, userIds };
}

const CommentInput = z.object({
  approvalId: z.string().min(1).max(100),
  comment: userText().trim().min(1, "Write a comment.").max(4000),
});

/** A comment on a pending or decided approval (audit + run event; decides nothing). */
export async function commentOnApproval(
  deps: Pick<ApprovalDeps, "db">,
  actor: Actor,
  raw: { approvalId: string; comment: string },
): Promise<void> {
  const parsed = CommentInput.safeParse(raw);
  if (!parsed.success) throw invalidInput(parsed.error);
  const input = parsed.data;
  const row = await loadForActor(deps.db, actor, input.approvalId);
  if (!can(actor, "approval.decide", policyResource(row)) || actor.via === "link") {
    throw new AppError("forbidden:approval", { message: "Only assignees and admins can comment on this approval." });
  }
  await recordAudit(deps.db, {
    workspaceId: row.workspaceId,
    actor,
    action: "approval.commented",
    targetType: "approval",
    targetId: row.id,
    summary: `Commented on "${row.title}": ${input.comment}`,
    data: { runId: row.runId, comment: input.comment },
  });
  await appendRunEvent(deps.db, row.runId, "approval.commented", {
    approvalId: row.id,
    nodeId: row.nodeId,
    by: actorLabel(actor),
    comment: input.comment,
  });
}
