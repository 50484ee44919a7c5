// The decision service: every way of deciding an approval (inbox, REST, signed link, bulk)
// comes through here. It checks the policy, validates the input (reject needs a reason; an edit
// must satisfy the node's editSchema), asks the engine to decide — the engine makes the decision
// single-use through the run store and continues the run — and writes the audit entry and the
// run event. Reassignment and the audit of timeouts live here too.
//
// Not server-only: the CLI, the runner and tests use it without Next.
import { z } from "zod";
import { type Actor, can } from "../auth/policy";
import { ROLES } from "../auth/roles";
import {
  type ApprovalRow,
  appendRunEvent,
  getApprovalRow,
  isAssignee,
  parseAssignees,
  reassignPending,
} from "../db/approvals";
import { recordAudit } from "../db/audit";
import type { Db } from "../db/client";
import { isApprovalNotPendingError, isInputValidationError } from "../engine/errors";
import { AppError } from "../server/errors";
import { validateEdit } from "./edit-schema";

/** The part of the engine the inbox needs (lib/engine's createEngine satisfies it). */
export interface ApprovalEngine {
  decide(
    approvalId: string,
    input: { decision: "approve" | "reject"; comment?: string; data?: unknown; by?: string },
  ): Promise<unknown>;
}

/** Something to tell when approvals change (notifications); optional. */
export interface ApprovalListener {
  onDecided?(approval: ApprovalRow, outcome: DecisionOutcome): Promise<void> | void;
  onReassigned?(approval: ApprovalRow): Promise<void> | void;
}

export type ApprovalDeps = {
  db: Pick<Db, "prisma">;
  engine: ApprovalEngine;
  listener?: ApprovalListener;
};

export const DECISION_VIAS = ["inbox", "api", "link", "bulk", "cli"] as const;

export const DecideInput = z
  .object({
    approvalId: z.string().min(1).max(100),
    decision: z.enum(["approve", "reject"]),
    /** why, for a rejection (required there) */
    reason: z.string().trim().max(2000).optional(),
    comment: z.string().trim().max(4000).optional(),
    /** the edited payload, for edit-then-approve */
    data: z.unknown().optional(),
    via: z.enum(DECISION_VIAS).default("inbox"),
    /** id of the signed link used, recorded so the link is single-use */
    linkId: z.string().max(100).optional(),
  })
  .superRefine((value, ctx) => {
    if (value.decision === "reject" && !value.reason) {
      ctx.addIssue({ code: "custom", path: ["reason"], message: "A rejection needs a reason." });
    }
    if (value.decision === "reject" && value.data !== undefined) {
      ctx.addIssue({ code: "custom", path: ["data"], message: "Edited data can only be given when approving." });
    }
  });
export type DecideInput = z.input<typeof DecideInput>;

export type DecisionOutcome = {
  approvalId: string;
  runId: string;
  status: "approved" | "rejected";
  decidedBy: string;
  edited: boolean;
  /** milliseconds engine.decide took (the run continues inside it or right after) */
  engineMs: number;
};

function actorLabel(actor: Actor): string {
  return actor.email || actor.name || actor.userId;
}

function policyResource(row: ApprovalRow) {
  const { roles, userIds } = parseAssignees(row);
  return { workspaceId: row.workspaceId, assigneeRoles: roles, assigneeUserIds: userIds };
}

async function loadForActor(deps: ApprovalDeps, actor: Actor, approvalId: string): Promise<ApprovalRow> {
  const row = await getApprovalRow(deps.db, actor.workspaceId, approvalId);
  if (!row) throw new AppError("not_found:approval");
  return row;
}

async function notPendingError(deps: ApprovalDeps, row: Pick<ApprovalRow, "id" | "workspaceId">): Promise<AppError> {
  const fresh = await getApprovalRow(deps.db, row.workspaceId, row.id);
  return alreadyDecided(deps, fresh);
}

async function alreadyDecided(deps: ApprovalDeps, row: ApprovalRow | null, cause?: unknown): Promise<AppError> {
  if (!row) return new AppError("not_found:approval", { cause });
  let who = "the system (deadline)";
  if (row.decidedById?.startsWith("apikey:")) {
    const key = await deps.db.prisma.apiKey.findUnique({
      where: { id: row.decidedById.slice(7) },
      select: { name: true },
    });
    who = `API key “${key?.name ?? row.decidedById.slice(7)}”`;
  } else if (row.decidedById) {
    const user = await deps.db.prisma.user.findUnique({ where: { id: row.decidedById }, select: { email: true } });
    who = user?.email ?? row.decidedById;
  } else if (row.decision && typeof row.decision === "object" && "by" in row.decision && row.decision.by) {
    who = String(row.decision.by);
  }
  const what =
    row.status === "approved"
      ? "approved it"
      : row.status === "rejected"
        ? "rejected it"
        : row.status === "expired"
          ? "let it expire"
          : row.status === "cancelled"
            ? "cancelled it"
            : row.status;
  const when = row.decidedAt ? ` at ${row.decidedAt.toISOString()}` : "";
  const message =
    row.status === "cancelled"
      ? "This approval was cancelled (its run ended) and can no longer be decided."
      : `Already decided: ${who} ${what}${when}.`;
  return new AppError("conflict:approval", { message, cause });
}

/**
 * Decides one approval. Refusals: not_found (other workspace, unknown id), forbidden (not an
 * assignee, viewer, link for another action), invalid (reject without reason, edit not allowed
 * or not matching editSchema; field-named), conflict (already decided: says who and what).
 */
export async function decideApproval(deps: ApprovalDeps, actor: Actor, raw: DecideInput): Promise<DecisionOutcome> {
  const parsed = DecideInput.safeParse(raw);
  if (!parsed.success) {
    const fieldErrors = parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
    throw new AppError("invalid:approval", { message: fieldErrors[0]?.message, fieldErrors });
  }
  const input = parsed.data;
  const row = await loadForActor(deps, actor, input.approvalId);
  if (!can(actor, "approval.decide", policyResource(row))) {
    throw new AppError("forbidden:approval", {
      message:
        actor.role === "viewer"
          ? "Viewers cannot decide approvals."
          : "Only an assignee of this approval (or an admin) can decide it.",
    });
  }
  if (row.status !== "pending") throw await alreadyDecided(deps, row);

  const edited = input.data !== undefined;
  // Budget escalations take new limits as data ({ maxCostUsd, maxTokens }); the engine checks them.
  if (edited && row.kind !== "budget") {
    if (!row.allowEdit) {
      throw new AppError("invalid:approval", {
        message: "This approval does not allow editing the data.",
        fieldErrors: [{ path: "data", message: "Editing is not allowed for this approval." }],
      });
    }
    const problems = validateEdit(row.editSchema, input.data);
    if (problems.length > 0) {
      const fieldErrors = problems.map((p) => ({ path: p.path ? `data.${p.path}` : "data", message: p.message }));
      throw new AppError("invalid:approval", {
        message: `${problems[0].path || "data"}: ${problems[0].message}`,
        fieldErrors,
      });
    }
  }

  const comment = input.decision === "reject" ? input.reason : input.comment;
  const started = performance.now();
  try {
    await deps.engine.decide(row.id, {
      decision: input.decision,
      ...(comment ? { comment } : {}),
      ...(edited ? { data: input.data } : {}),
      by: actor.userId,
    });
  } catch (error) {
    if (isApprovalNotPendingError(error)) {
      throw await alreadyDecided(deps, await getApprovalRow(deps.db, row.workspaceId, row.id), error);
    }
    if (isInputValidationError(error)) {
      throw new AppError("invalid:approval", { message: error.message, fieldErrors: error.issues, cause: error });
    }
    throw error;
  }
  const engineMs = performance.now() - started;

  const after = await getApprovalRow(deps.db, row.workspaceId, row.id);
  if (!after || after.decidedById !== actor.userId || (after.status !== "approved" && after.status !== "rejected")) {
    // The engine accepted the call but the stored decision is someone else's: report it as lost.
    throw await notPendingError(deps, row);
  }
  // Keep how it was decided next to the engine's decision record (via, reason, link id).
  const previous =
    after.decision && typeof after.decision === "object" ? (after.decision as Record<string, unknown>) : {};
  await deps.db.prisma.approval.updateMany({
    where: { id: row.id, decidedById: actor.userId },
    data: {
      decision: {
        ...previous,
        decision: input.decision,
        via: input.via,
        by: actorLabel(actor),
        ...(input.reason ? { reason: input.reason } : {}),
        ...(input.comment ? { comment: input.comment } : {}),
        ...(input.linkId ? { linkId: input.linkId } : {}),
        ...(edited ? { data: input.data as object } : {}),
      },
    },
  });

  const status = after.status;
  const summary = `${status === "approved" ? (edited ? "Edited and approved" : "Approved") : "Rejected"} "${row.title}"${
    input.reason ? `: ${input.reason}` : ""
  } (via ${input.via})`;
  await recordAudit(deps.db.prisma, {
    workspaceId: row.workspaceId,
    actor,
    action: "approval.decided",
    targetType: "approval",
    targetId: row.id,
    summary,
    data: {
      runId: row.runId,
      nodeId: row.nodeId,
      decision: input.decision,
      via: input.via,
      edited,
      ...(input.reason ? { reason: input.reason } : {}),
      ...(input.comment ? { comment: input.comment } : {}),
      ...(input.linkId ? { linkId: input.linkId } : {}),
    },
  });
  // The run event (approval.decided) is appended by the engine in the decision's own transaction.
  const outcome: DecisionOutcome = {
    approvalId: row.id,
    runId: row.runId,
    status,
    decidedBy: actorLabel(actor),
    edited,
    engineMs,
  };
  await deps.listener?.onDecided?.(after, outcome);
  return outcome;
}

export const BulkApproveInput = z.object({
  approvalIds: z.array(z.string().min(1).max(100)).min(1, "Select at least one approval.").max(100),
  comment: z.string().trim().max(4000).optional(),
});

export type BulkResult = {
  approvalId: string;
  ok: boolean;
  status?: "approved" | "rejected";
  error?: { code: string; message: string };
};

/** Approves each selected approval on its own (each one single-use); reports per item. */
export async function bulkApprove(
  deps: ApprovalDeps,
  actor: Actor,
  raw: z.input<typeof BulkApproveInput>,
): Promise<BulkResult[]> {
  const input = BulkApproveInput.parse(raw);
  const results: BulkResult[] = [];
  for (const approvalId of [...new Set(input.approvalIds)]) {
    try {
      const outcome = await decideApproval(deps, actor, {
        approvalId,
        decision: "approve",
        comment: input.comment,
        via: "bulk",
      });
      results.push({ approvalId, ok: true, status: outcome.status });
    } catch (error) {
      const appError = error instanceof AppError ? error : null;
      if (!appError) throw error;
      results.push({ approvalId, ok: false, error: { code: appError.code, message: appError.message } });
    }
  }
  return results;
}

const AssignableRole = z.enum(ROLES).refine((r) => r !== "viewer", "Viewers cannot be assigned approvals.");

export const ReassignInput = z
  .object({
    approvalId: z.string().min(1).max(100),
    roles: z.array(AssignableRole).max(4).default([]),
    userIds: z.array(z.string().min(1).max(100)).max(50).default([]),
    note: z.string().trim().max(2000).optional(),
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
  if (!parsed.success) {
    const fieldErrors = parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
    throw new AppError("invalid:approval", { message: fieldErrors[0]?.message, fieldErrors });
  }
  const input = parsed.data;
  const row = await loadForActor(deps, actor, input.approvalId);
  if (!canReassign(actor, row)) {
    throw new AppError("forbidden:approval", { message: "Only admins and the current assignees can reassign." });
  }
  if (row.status !== "pending") throw await alreadyDecided(deps, row);
  const userIds = [...new Set(input.userIds)];
  if (userIds.length) {
    const members = await deps.db.prisma.membership.findMany({
      where: { workspaceId: row.workspaceId, userId: { in: userIds } },
      select: { userId: true, role: true },
    });
    const bad = userIds.filter((id) => !members.some((m) => m.userId === id && m.role !== "viewer"));
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
  if (!moved) throw await notPendingError(deps, row);
  const emails = userIds.length
    ? (await deps.db.prisma.user.findMany({ where: { id: { in: userIds } }, select: { email: true } })).map(
        (u) => u.email,
      )
    : [];
  const to = [...roles.map((r) => `role ${r}`), ...emails].join(", ");
  await recordAudit(deps.db.prisma, {
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

/** A comment on a pending or decided approval (audit + run event; decides nothing). */
export async function commentOnApproval(
  deps: Pick<ApprovalDeps, "db">,
  actor: Actor,
  raw: { approvalId: string; comment: string },
): Promise<void> {
  const input = z
    .object({ approvalId: z.string().min(1).max(100), comment: z.string().trim().min(1, "Write a comment.").max(4000) })
    .safeParse(raw);
  if (!input.success) {
    const fieldErrors = input.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
    throw new AppError("invalid:approval", { message: fieldErrors[0]?.message, fieldErrors });
  }
  const row = await getApprovalRow(deps.db, actor.workspaceId, input.data.approvalId);
  if (!row) throw new AppError("not_found:approval");
  if (!can(actor, "approval.decide", policyResource(row)) || actor.via === "link") {
    throw new AppError("forbidden:approval", { message: "Only assignees and admins can comment on this approval." });
  }
  await recordAudit(deps.db.prisma, {
    workspaceId: row.workspaceId,
    actor,
    action: "approval.commented",
    targetType: "approval",
    targetId: row.id,
    summary: `Commented on "${row.title}": ${input.data.comment}`,
    data: { runId: row.runId, comment: input.data.comment },
  });
  await appendRunEvent(deps.db, row.runId, "approval.commented", {
    approvalId: row.id,
    nodeId: row.nodeId,
    by: actorLabel(actor),
    comment: input.data.comment,
  });
}

/**
 * Audit entries for approvals the engine's deadline sweep handled (onTimeout). Call with the
 * ids `engine.expireApprovals(now)` reports; records what each one became.
 */
export async function recordTimeouts(db: Pick<Db, "prisma">, approvalIds: string[]): Promise<number> {
  let n = 0;
  for (const id of approvalIds) {
    const row = await db.prisma.approval.findUnique({ where: { id } });
    if (!row) continue;
    const level = row.escalationLevel;
    const previous = await db.prisma.auditEntry.findMany({
      where: { action: "approval.timed_out", targetId: id },
      select: { data: true },
    });
    if (
      previous.some((e) => {
        const d = e.data as { escalationLevel?: number; status?: string } | null;
        return d?.escalationLevel === level && d?.status === row.status;
      })
    )
      continue;
    const became =
      row.status === "pending" ? `escalated to level ${level}` : row.status === "approved" ? "approved" : row.status;
    await recordAudit(db.prisma, {
      workspaceId: row.workspaceId,
      actor: { label: "system" },
      action: "approval.timed_out",
      targetType: "approval",
      targetId: row.id,
      summary: `Deadline passed for "${row.title}": ${became} (onTimeout ${row.onTimeout})`,
      data: { runId: row.runId, onTimeout: row.onTimeout, status: row.status, escalationLevel: level },
    });
    n++;
  }
  return n;
}
