// Member invitations: an admin invites an e-mail with a role; the person behind the link accepts.
// The invite answer is the same whether or not the e-mail has an account anywhere (it only says
// "already a member" for members of THIS workspace, whom the admin sees listed anyway). Links
// are unguessable, stored hashed, expire after INVITATION_TTL_DAYS, are single-use and revocable.
// With SMTP_URL set the link is e-mailed; otherwise (or when sending fails) it is shown to the
// admin once. Accepting:
//   - signed in: the account's e-mail must be the invited one; the person consents by pressing Accept;
//     refused while the account's password is one a reset set (someone else may know it);
//   - not signed in, new person: sets a name and a password; the account and membership are created.
//     (If the e-mail already has an account this is refused with "sign in to accept" — which tells
//     whoever holds the link that the account exists; see docs/security.md.)
// Every step is audited.
import { z } from "zod";
import { hashPassword } from "@/lib/auth/password";
import type { Actor } from "@/lib/auth/policy";
import { type Role, RoleSchema } from "@/lib/auth/roles";
import { AppError } from "@/lib/contracts/app-errors";
import { isSafeText, UNSAFE_TEXT_MESSAGE } from "@/lib/contracts/text";
import { recordAudit } from "@/lib/db/audit";
import type { Db } from "@/lib/db/client";
import {
  consumeInvitation,
  createInvitation,
  createUserAccount,
  findInvitationByToken,
  type InvitationView,
  revokeInvitation as revokeInvitationRow,
} from "@/lib/db/invitations";
import { setSessionWorkspace } from "@/lib/db/sessions";
import { type DbOrTx, transaction } from "@/lib/db/tx";
import { normalizeEmail, passwordSetByOther } from "@/lib/db/users";
import { deliveryConfigFromEnv } from "@/lib/use-cases/approvals/notifications/settings";
import { type EmailMessage, smtpTransport } from "@/lib/use-cases/approvals/notifications/transports";
import { NewPasswordSchema } from "./account";

export const INVITATION_TTL_DAYS = 7;

export const InviteInput = z.object({
  email: z.email("Enter a valid email address").trim().toLowerCase().max(320),
  role: RoleSchema,
});

export type InviteResult = {
  id: string;
  email: string;
  role: Role;
  expiresAt: Date;
  /** true: the link went out by e-mail and is not shown */
  emailed: boolean;
  /** the link's path (/invite/<token>), present only when it was not e-mailed: shown once */
  path: string | null;
};

export type InviteDeps = {
  /** sends an e-mail; default: SMTP when SMTP_URL is set, else none */
  email?: ((message: EmailMessage) => Promise<void>) | null;
  /** where links point; default SWITCHBOARD_PUBLIC_URL / NEXTAUTH_URL */
  publicUrl?: string;
};

export async function inviteMember(
  db: Db,
  actor: Actor,
  raw: z.input<typeof InviteInput>,
  deps: InviteDeps = {},
): Promise<InviteResult> {
  const input = InviteInput.parse(raw);
  const expiresAt = new Date(Date.now() + INVITATION_TTL_DAYS * 24 * 3_600_000);
  const { invitation, token } = await transaction(db, async (tx) => {
    const created = await createInvitation(tx, {
      workspaceId: actor.workspaceId,
      email: input.email,
      role: input.role,
      invitedById: actor.via === "session" || actor.via === "cli" ? actor.userId : null,
      expiresAt,
    });
    await recordAudit(tx, {
      workspaceId: actor.workspaceId,
      actor,
      action: "member.invited",
      targetType: "invitation",
      targetId: created.invitation.id,
      summary: `Invited ${created.invitation.email} as ${input.role}`,
      data: { email: created.invitation.email, role: input.role, expiresAt: expiresAt.toISOString() },
    });
    return created;
  });
  const path = `/invite/${token}`;
  const config = deliveryConfigFromEnv();
  const send = deps.email === undefined ? await smtpTransport(config) : deps.email;
  let emailed = false;
  if (send) {
    const url = `${(deps.publicUrl ?? config.publicUrl).replace(/\/$/, "")}${path}`;
    try {
      await send({
        to: invitation.email,
        subject: `You are invited to a Switchboard workspace`,
        text: `${actor.name || actor.email} invited you to join their Switchboard workspace as ${input.role}.\n\nAccept: ${url}\n\nThe link works once and expires on ${expiresAt.toUTCString()}. If you did not expect this, ignore it.`,
      });
      emailed = true;
    } catch (error) {
      console.error("[switchboard] the invitation e-mail was not sent; the link is shown to the admin instead", error);
    }
  }
  return {
    id: invitation.id,
    email: invitation.email,
    role: invitation.role,
    expiresAt,
    emailed,
    path: emailed ? null : path,
  };
}

export async function revokeInvitation(db: Db, actor: Actor, input: { id: string }): Promise<{ email: string }> {
  return transaction(db, async (tx) => {
    const revoked = await revokeInvitationRow(tx, actor.workspaceId, input.id);
    await recordAudit(tx, {
      workspaceId: actor.workspaceId,
      actor,
      action: "member.invitation_revoked",
      targetType: "invitation",
      targetId: revoked.id,
      summary: `Revoked the invitation of ${revoked.email}`,
      data: { email: revoked.email, role: revoked.role },
    });
    return { email: revoked.email };
  });
}

/** What the invitation page shows for a link: null when the token is unknown. */
export async function describeInvitation(
  db: Db,
  token: string,
): Promise<(Pick<InvitationView, "email" | "role" | "status" | "expiresAt"> & { workspaceName: string }) | null> {
  const found = await findInvitationByToken(db, token);
  if (!found) return null;
  return {
    email: found.email,
    role: found.role,
    status: found.status,
    expiresAt: found.expiresAt,
    workspaceName: found.workspaceName,
  };
}

function notUsable(status: string | undefined): AppError {
  const message =
    status === "accepted"
      ? "This invitation was already used."
      : status === "revoked"
        ? "This invitation was revoked. Ask an admin for a new one."
        : status === "expired"
          ? "This invitation expired. Ask an admin for a new one."
          : "This invitation link is not valid.";
  return new AppError(status ? "conflict:invitation" : "not_found:invitation", { message });
}

async function audited(db: DbOrTx, accepted: InvitationView, user: { id: string; email: string }, newUser: boolean) {
  await recordAudit(db, {
    workspaceId: accepted.workspaceId,
    actor: { label: user.email, userId: user.id },
    action: "member.invitation_accepted",
    targetType: "invitation",
    targetId: accepted.id,
    summary: `${user.email} accepted the invitation and joined as ${accepted.role}${newUser ? " (new account)" : ""}`,
    data: { email: user.email, role: accepted.role, newUser },
  });
}

export const CHANGE_RESET_PASSWORD_FIRST =
  "Your password was set by someone else (a password reset), so it cannot open another workspace yet. " +
  "Change it under Settings → Your account, then open this invitation again.";

/**
 * A signed-in person accepts (consents). Their account's e-mail must be the invited one. Their
 * browser session (`sessionId`) switches to the workspace joined.
 */
export async function acceptInvitationAsUser(
  db: Db,
  user: { userId: string; email: string; sessionId?: string },
  token: string,
): Promise<{ workspaceId: string; role: Role }> {
  const found = await findInvitationByToken(db, token);
  if (found?.status !== "pending") throw notUsable(found?.status);
  if (normalizeEmail(found.email) !== normalizeEmail(user.email)) {
    throw new AppError("forbidden:invitation", {
      message: `This invitation is for ${found.email}. Sign out and sign in as that account (or create it) to accept.`,
    });
  }
  const accepted = await transaction(db, async (tx) => {
    // A password someone else chose (a reset) must not open another workspace to them.
    if (await passwordSetByOther(tx, user.userId))
      throw new AppError("conflict:invitation", { message: CHANGE_RESET_PASSWORD_FIRST });
    const used = await consumeInvitation(tx, token, user.userId);
    if (!used) throw notUsable("accepted");
    if (user.sessionId) await setSessionWorkspace(tx, user.sessionId, used.workspaceId);
    await audited(tx, used, { id: user.userId, email: user.email }, false);
    return used;
  });
  return { workspaceId: accepted.workspaceId, role: accepted.role };
}

export const AcceptAsNewUserInput = z.object({
  token: z.string().min(1).max(200),
  name: z
    .string({ error: "Name is required" })
    .trim()
    .min(1, "Name is required")
    .max(100, "Name must be at most 100 characters")
    .refine(isSafeText, UNSAFE_TEXT_MESSAGE),
  password: NewPasswordSchema,
});

/** A new person accepts: creates their account (name + password) and the membership. */
export async function acceptInvitationAsNewUser(
  db: Db,
  raw: z.input<typeof AcceptAsNewUserInput>,
): Promise<{ email: string; workspaceId: string }> {
  const input = AcceptAsNewUserInput.parse(raw);
  const found = await findInvitationByToken(db, input.token);
  if (found?.status !== "pending") throw notUsable(found?.status);
  const passwordHash = await hashPassword(input.password);
  return transaction(db, async (tx) => {
    const user = await createUserAccount(tx, { email: found.email, name: input.name, passwordHash });
    const used = await consumeInvitation(tx, input.token, user.id);
    if (!used) throw notUsable("accepted");
    await audited(tx, used, user, true);
    return { email: user.email, workspaceId: used.workspaceId };
  });
}
