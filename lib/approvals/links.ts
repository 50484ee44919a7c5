// Signed, single-use, expiring approval links (sent in notifications). A token names one
// approval, one recipient and an expiry, signed with HMAC-SHA256 under a key derived from the
// server secret. Opening the link shows the approval and asks to confirm with a button — never
// decide on GET: mail scanners prefetch links. Using it records the token id as used (an audit
// entry `approval.link_used` with the token id as target, plus `linkId` in the decision), so a
// second use says "already used" and changes nothing; so does an expired or tampered token.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Actor } from "../auth/policy";
import { RoleSchema } from "../auth/roles";
import { recordAudit } from "../db/audit";
import { AppError } from "../server/errors";
import { type ApprovalDeps, type DecisionOutcome, decideApproval } from "./service";

export const DEFAULT_LINK_TTL_MS = 72 * 3600_000;

const Payload = z.object({
  v: z.literal(1),
  /** token id (single use) */
  j: z.string().min(8).max(64),
  /** approval id */
  a: z.string().min(1).max(100),
  /** workspace id */
  w: z.string().min(1).max(100),
  /** recipient user id: the link acts as this person */
  u: z.string().min(1).max(100),
  /** expiry, epoch milliseconds */
  e: z.number().int().positive(),
});
export type LinkPayload = z.infer<typeof Payload>;

function keyFrom(secret: string): Buffer {
  if (!secret || secret.length < 16) throw new Error("The server secret for approval links is missing or too short.");
  // Domain separation: this key signs approval links and nothing else.
  return createHmac("sha256", secret).update("switchboard/approval-link/v1").digest();
}

function sign(secret: string, body: string): string {
  return createHmac("sha256", keyFrom(secret)).update(body).digest("base64url");
}

export function createApprovalLinkToken(
  secret: string,
  input: { approvalId: string; workspaceId: string; userId: string; expiresAt: Date; tokenId?: string },
): string {
  const payload: LinkPayload = {
    v: 1,
    j: input.tokenId ?? randomBytes(12).toString("base64url"),
    a: input.approvalId,
    w: input.workspaceId,
    u: input.userId,
    e: input.expiresAt.getTime(),
  };
  const body = Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");
  return `${body}.${sign(secret, body)}`;
}

export type LinkCheck =
  | { ok: true; payload: LinkPayload }
  | { ok: false; reason: "malformed" | "bad_signature" | "expired"; payload?: LinkPayload };

/** Verifies signature and expiry (does not look at the database). */
export function verifyApprovalLinkToken(secret: string, token: string, now: Date = new Date()): LinkCheck {
  if (typeof token !== "string" || token.length > 2000) return { ok: false, reason: "malformed" };
  const [body, sig, extra] = token.split(".");
  if (!body || !sig || extra !== undefined) return { ok: false, reason: "malformed" };
  const expected = Buffer.from(sign(secret, body), "utf8");
  const given = Buffer.from(sig, "utf8");
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, reason: "bad_signature" };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const parsed = Payload.safeParse(json);
  if (!parsed.success) return { ok: false, reason: "malformed" };
  if (parsed.data.e <= now.getTime()) return { ok: false, reason: "expired", payload: parsed.data };
  return { ok: true, payload: parsed.data };
}

export type LinkState =
  | { state: "invalid"; message: string }
  | { state: "expired"; message: string; approvalId?: string }
  | { state: "used"; message: string; approvalId: string }
  | { state: "decided"; message: string; approvalId: string }
  | { state: "forbidden"; message: string; approvalId: string }
  | { state: "ready"; approvalId: string; actor: Actor; payload: LinkPayload };

async function linkActor(deps: Pick<ApprovalDeps, "db">, payload: LinkPayload): Promise<Actor | null> {
  const membership = await deps.db.prisma.membership.findFirst({
    where: { workspaceId: payload.w, userId: payload.u },
    select: { role: true, user: { select: { id: true, email: true, name: true } } },
  });
  const role = RoleSchema.safeParse(membership?.role);
  if (!membership || !role.success) return null;
  return {
    userId: membership.user.id,
    email: membership.user.email,
    name: membership.user.name,
    workspaceId: payload.w,
    role: role.data,
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
  const used = await deps.db.prisma.auditEntry.findFirst({
    where: { workspaceId: p.w, action: "approval.link_used", targetId: p.j },
    select: { id: true },
  });
  if (used) return { state: "used", message: "This link was already used. Nothing was changed.", approvalId: p.a };
  const approval = await deps.db.prisma.approval.findFirst({
    where: { id: p.a, workspaceId: p.w },
    select: { status: true, decision: true },
  });
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
    reason: z.string().trim().max(2000).optional(),
    comment: z.string().trim().max(4000).optional(),
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
  await recordAudit(deps.db.prisma, {
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
