// Deciding approvals: every way of deciding (inbox, REST, signed link, bulk, CLI) comes through
// decideApproval. It checks the policy (assignees, viewers), the input (a rejection needs a
// reason), and the decision with the engine's own validation (lib/engine/decision.ts: edits
// allowed, editSchema, budget limits) before anything changes; asks the engine to decide — the
// engine makes the decision single-use through the run store and continues the run — and writes
// the audit entry. The run event (approval.decided) is appended by the engine in the decision's
// own transaction.
import { z } from "zod";
import { type Actor, can } from "@/lib/auth/policy";
import { AppError } from "@/lib/contracts/app-errors";
import { isApprovalNotPendingError, isInputValidationError } from "@/lib/contracts/errors";
import { userText } from "@/lib/contracts/text";
import { annotateDecision, getApprovalRow } from "@/lib/db/approvals";
import { recordAudit } from "@/lib/db/audit";
import { decisionIssues } from "@/lib/engine/decision";
import {
  actorLabel,
  alreadyDecided,
  invalidApproval,
  invalidInput,
  loadForActor,
  notPendingError,
  policyResource,
  separationOfDutiesBlock,
} from "./common";
import type { ApprovalDeps, DecisionOutcome } from "./deps";

export const DECISION_VIAS = ["inbox", "api", "link", "bulk", "cli"] as const;

export const DecideInput = z
  .object({
    approvalId: z.string().min(1).max(100),
    decision: z.enum(["approve", "reject"]),
    /** why, for a rejection (required there) */
    reason: userText().trim().max(2000).optional(),
    comment: userText().trim().max(4000).optional(),
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

/**
 * Decides one approval. Refusals: not_found (other workspace, unknown id), forbidden (not an
 * assignee, viewer, link for another action), invalid (reject without reason, edit not allowed
 * or not matching editSchema; field-named), conflict (already decided: says who and what).
 */
export async function decideApproval(deps: ApprovalDeps, actor: Actor, raw: DecideInput): Promise<DecisionOutcome> {
  const parsed = DecideInput.safeParse(raw);
  if (!parsed.success) throw invalidInput(parsed.error);
  const input = parsed.data;
  const row = await loadForActor(deps.db, actor, input.approvalId);
  if (!can(actor, "approval.decide", policyResource(row))) {
    throw new AppError("forbidden:approval", {
      message:
        actor.role === "viewer"
          ? "Viewers cannot decide approvals."
          : "Only an assignee of this approval (or an admin) can decide it.",
    });
  }
  if (row.status !== "pending") throw await alreadyDecided(deps.db, row);
  // Separation of duties (workspace setting): not the run's starter, nor its version's publisher.
  const separation = await separationOfDutiesBlock(deps.db, actor, row);
  if (separation) throw new AppError("forbidden:approval", { message: separation });
  // The engine's own validation, before the engine is asked: a refused edit changes nothing.
  const issues = decisionIssues(row, input);
  if (issues.length > 0) throw invalidApproval(issues);

  const edited = input.data !== undefined;
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
      throw await alreadyDecided(deps.db, await getApprovalRow(deps.db, row.workspaceId, row.id), error);
    }
    if (isInputValidationError(error)) throw invalidApproval(error.issues, error);
    throw error;
  }
  const engineMs = performance.now() - started;

  const after = await getApprovalRow(deps.db, row.workspaceId, row.id);
  if (!after || after.decidedById !== actor.userId || (after.status !== "approved" && after.status !== "rejected")) {
    // The engine accepted the call but the stored decision is someone else's: report it as lost.
    throw await notPendingError(deps.db, row);
  }
  // Keep how it was decided next to the engine's decision record (via, reason, link id).
  const previous =
    after.decision && typeof after.decision === "object" ? (after.decision as Record<string, unknown>) : {};
  await annotateDecision(deps.db, row.id, actor.userId, {
    ...previous,
    decision: input.decision,
    via: input.via,
    by: actorLabel(actor),
    ...(input.reason ? { reason: input.reason } : {}),
    ...(input.comment ? { comment: input.comment } : {}),
    ...(input.linkId ? { linkId: input.linkId } : {}),
    ...(edited ? { data: input.data as object } : {}),
  });

  const status = after.status;
  const summary = `${status === "approved" ? (edited ? "Edited and approved" : "Approved") : "Rejected"} "${row.title}"${
    input.reason ? `: ${input.reason}` : ""
  } (via ${input.via})`;
  await recordAudit(deps.db, {
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
  comment: userText().trim().max(4000).optional(),
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
