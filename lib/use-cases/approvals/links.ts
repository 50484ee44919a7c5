// Deciding through a signed approval link (link-token.ts signs and verifies the tokens). Opening
// the link shows the approval and asks to confirm with a button — never decide on GET: mail
// scanners prefetch links. Using it records the token id as used (an audit entry
// `approval.link_used` with the token id as target, plus `linkId` in the decision), so a second
// use says "already used" and changes nothing; so does an expired or tampered token.
import { z } from "zod";
import type { Actor } from "@/lib/auth/policy";
import { AppError } from "@/lib/contracts/app-errors";
import { userText } from "@/lib/contracts/text";
import { approvalState } from "@/lib/db/approvals";
import { hasAuditEntry, recordAudit } from "@/lib/db/audit";
import { findMembership } from "@/lib/db/users";
import { decideApproval } from "./decide";
import type { ApprovalDeps, DecisionOutcome } from "./deps";
import { type LinkPayload, verifyApprovalLinkToken } from "./link-token";

export type LinkState =
  | { state: "invalid"; message: string }
  | { state: "expired"; message: string; approvalId?: string }
  | { state: "used"; message: string; approvalId: string }
  | { state: "decided"; message: string; approvalId: string }
  | { state: "forbidden"; message: string; approvalId: string }
  | { state: "ready"; approvalId: string; actor: Actor; payload: LinkPayload };

async function linkActor(deps: Pick<ApprovalDeps, "db">, payload: LinkPayload): Promise<Actor | null> {
  const membership = await findMembership(deps.db, payload.u, payload.w);
  if (!membership) return null;
  return {
    userId: membership.user.id,
    email: membership.user.email,
    name: membership.user.name,
    workspaceId: payload.w,
    role: membership.role,
    via: "link",
  };
}

/** What opening the link would do now: ready to confirm, or why not. Changes nothing. */
export async function inspectApprovalLink(
  deps: Pick<ApprovalDeps, "db">,
  secret: string,
  token: string,
  now: Date = new Date(),
): Promise<LinkState> {
  const check = verifyApprovalLinkToken(secret, token, now);
  if (!check.ok) {
    if (check.reason === "expired") {
      return {
        state: "expired",
        message: "This link has expired. Open the inbox to decide.",
        approvalId: check.payload?.a,
      };
    }
    return { state: "invalid", message: "This link is not valid." };
  }
  const p = check.payload;
  const used = await hasAuditEntry(deps.db, { workspaceId: p.w, action: "approval.link_used", targetId: p.j });
  if (used) return { state: "used", message: "This link was already used. Nothing was changed.", approvalId: p.a };
  const approval = await approvalState(deps.db, p.w, p.a);
  if (!approval) return { state: "invalid", message: "This link is not valid." };
  const linkId = (approval.decision as { linkId?: string } | null)?.linkId;
  if (linkId === p.j)
    return { state: "used", message: "This link was already used. Nothing was changed.", approvalId: p.a };
  if (approval.status !== "pending") {
    return { state: "decided", message: `This approval was already decided (${approval.status}).`, approvalId: p.a };
  }
  const actor = await linkActor(deps, p);
  if (!actor) return { state: "forbidden", message: "You are no longer a member of this workspace.", approvalId: p.a };
  return { state: "ready", approvalId: p.a, actor, payload: p };
}

export const LinkDecisionInput = z
  .object({
    token: z.string().min(1).max(2000),
    decision: z.enum(["approve", "reject"]),
    reason: userText().trim().max(2000).optional(),
    comment: userText().trim().max(4000).optional(),
  })
  .strict();

/**
 * Decides through a link (POST only). Marks the token used first (so a replay after a failure in
 * the middle is still refused), then decides with via "link".
 */
export async function decideWithLink(
  deps: ApprovalDeps,
  secret: string,
  raw: z.input<typeof LinkDecisionInput>,
  now: Date = new Date(),
): Promise<DecisionOutcome> {
  const input = LinkDecisionInput.parse(raw);
  if (input.decision === "reject" && !input.reason) {
    throw new AppError("invalid:approval", {
      message: "A rejection needs a reason.",
      fieldErrors: [{ path: "reason", message: "A rejection needs a reason." }],
    });
  }
  const state = await inspectApprovalLink(deps, secret, input.token, now);
  if (state.state !== "ready") {
    const code =
      state.state === "forbidden"
        ? "forbidden:approval"
        : state.state === "invalid"
          ? "not_found:approval"
          : "conflict:approval";
    throw new AppError(code, { message: state.message });
  }
  // Record the token as used before deciding: a link is one attempt, whatever happens next.
  await recordAudit(deps.db, {
    workspaceId: state.payload.w,
    actor: state.actor,
    action: "approval.link_used",
    targetType: "approval_link",
    targetId: state.payload.j,
    summary: `Used an approval link to ${input.decision} approval ${state.approvalId}`,
    data: { approvalId: state.approvalId, decision: input.decision },
  });
  return decideApproval(deps, state.actor, {
    approvalId: state.approvalId,
    decision: input.decision,
    reason: input.reason,
    comment: input.comment,
    via: "link",
    linkId: state.payload.j,
  });
}
