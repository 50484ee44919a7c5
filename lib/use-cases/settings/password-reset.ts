// Password resets: a new password for an account without knowing the current one. Two callers:
//
// - resetPassword, the operator's (`switchboard users reset-password`): accounts are
//   installation-wide, found by e-mail like sign-in finds them. The new password is given
//   (validated like the account page, NewPasswordSchema) or generated (lib/auth/password.ts).
//   No permission check here: whoever runs the CLI against the database is the operator.
// - resetMemberPassword, an admin's (Settings → Members): authorizes first (an admin of this
//   workspace, a person), then resets a member of this workspace — never the admin themselves,
//   never an account that is also a member of another workspace (its rights there are not this
//   workspace's to take over: an operator uses the CLI). The password is always generated.
//
// Both end in setNewPassword: in one transaction the new hash, the end of EVERY session of the
// account, the account's sign-in failure counters, and an audit entry `user.password_reset`
// (never the password); the password is returned once.
import { z } from "zod";
import { generatePassword, hashPassword } from "@/lib/auth/password";
import { type Actor, can } from "@/lib/auth/policy";
import { AppError, invalidFromZod } from "@/lib/contracts/app-errors";
import { type AuditActor, recordAudit } from "@/lib/db/audit";
import type { Db } from "@/lib/db/client";
import { revokeUserSessions } from "@/lib/db/sessions";
import { deleteAccountThrottle } from "@/lib/db/sign-in-throttle";
import { type DbOrTx, type Tx, transaction } from "@/lib/db/tx";
import {
  findMembership,
  findUserByEmail,
  membershipWorkspaceIds,
  normalizeEmail,
  setPasswordHash,
  type UserView,
} from "@/lib/db/users";
import { NewPasswordSchema } from "./account";

export const ResetPasswordInput = z.object({
  email: z
    .string({ error: "Enter the account's e-mail address" })
    .trim()
    .min(1, "Enter the account's e-mail address")
    .max(320, "Use at most 320 characters"),
  /** Omitted: a password is generated and returned. */
  newPassword: NewPasswordSchema.optional(),
});

export type ResetPasswordResult = {
  userId: string;
  email: string;
  /** Only when generated: the one time it is shown. */
  password?: string;
  sessionsEnded: number;
  /** Where the audit entry went: the admin's workspace, else the account's sign-in workspace (null: none). */
  auditWorkspaceId: string | null;
};

export const UNKNOWN_ACCOUNT = "There is no account with this e-mail address";

export async function resetPassword(
  db: Db,
  actor: AuditActor,
  raw: z.input<typeof ResetPasswordInput>,
): Promise<ResetPasswordResult> {
  const parsed = ResetPasswordInput.safeParse(raw);
  if (!parsed.success) throw invalidFromZod(parsed.error);
  const email = normalizeEmail(parsed.data.email);
  const user = await findUserByEmail(db, email);
  if (!user) {
    throw new AppError("not_found:user", {
      message: `email: ${UNKNOWN_ACCOUNT} (${email}).`,
      fieldErrors: [{ path: "email", message: UNKNOWN_ACCOUNT }],
    });
  }
  return setNewPassword(db, actor, user, { newPassword: parsed.data.newPassword });
}

/**
 * The reset itself, for both callers: the given password or a generated one; in one transaction
 * (after `guard`, which may refuse) the hash, the end of every session, the account's sign-in
 * failure counters and the audit entry — in `workspaceId`, else the workspace the account signs
 * in to (like sign-in's own entries: its oldest membership; null: none).
 */
async function setNewPassword(
  db: Db,
  actor: AuditActor,
  user: UserView,
  options: { newPassword?: string; workspaceId?: string; guard?: (tx: Tx) => Promise<void> },
): Promise<ResetPasswordResult> {
  const generated = options.newPassword === undefined;
  const password = options.newPassword ?? generatePassword();
  const passwordHash = await hashPassword(password); // slow (argon2id): outside the transaction

  const ended = await transaction(
    db,
    async (tx) => {
      await options.guard?.(tx);
      // whoever reset it may know it: it opens no other workspace until its owner changes it
      await setPasswordHash(tx, user.id, passwordHash, { setByOther: true });
      const sessionsEnded = await revokeUserSessions(tx, user.id, "password_changed");
      // Every failure counted against the account (lib/auth/throttle.ts), so its owner can sign in now.
      await deleteAccountThrottle(tx, user.email);
      const workspaceId = options.workspaceId ?? (await findMembership(tx, user.id))?.workspaceId ?? null;
      const by = "label" in actor ? actor.label : actor.email || actor.name;
      await recordAudit(tx, {
        workspaceId,
        actor,
        action: "user.password_reset",
        targetType: "user",
        targetId: user.id,
        summary: `${by} reset the password of ${user.email} (${sessionsEnded} session${sessionsEnded === 1 ? "" : "s"} ended)`,
        data: { email: user.email, generated, sessionsEnded },
      });
      return { sessionsEnded, auditWorkspaceId: workspaceId };
    },
    // the guard's reads and the writes as one: no membership elsewhere can slip in between
    options.guard ? { isolationLevel: "Serializable" } : {},
  );

  return {
    userId: user.id,
    email: user.email,
    ...(generated ? { password } : {}),
    sessionsEnded: ended.sessionsEnded,
    auditWorkspaceId: ended.auditWorkspaceId,
  };
}

// ---- an admin's reset, from Settings → Members ----

export const ResetMemberPasswordInput = z.object({
  userId: z
    .string({ error: "Choose the member whose password to reset" })
    .trim()
    .min(1, "Choose the member whose password to reset")
    .max(100, "Use at most 100 characters"),
});

export type ResetMemberPasswordResult = {
  userId: string;
  email: string;
  /** Generated; the one time it is shown. */
  password: string;
  sessionsEnded: number;
};

export const ONLY_ADMINS_RESET = "Only an admin of this workspace, signed in, can reset a member's password.";
export const OWN_PASSWORD_HERE =
  "You cannot reset your own password here. Change it under Your account, which asks for your current password.";
export const NOT_A_MEMBER_HERE = "This person is not a member of this workspace.";

/** The refusal for an account with rights elsewhere; names the operator's command. */
export function memberOfOtherWorkspaces(email: string): string {
  return (
    `${email} is also a member of another workspace, so an admin of this workspace cannot reset ` +
    `their password. An operator can, with: switchboard users reset-password ${email}`
  );
}

function refuseTarget(code: "invalid:member" | "not_found:member" | "conflict:member", message: string): AppError {
  return new AppError(code, { message: `userId: ${message}`, fieldErrors: [{ path: "userId", message }] });
}

/** The target is a member here and nowhere else (read again inside the reset's transaction). */
async function resettableMember(db: DbOrTx, workspaceId: string, userId: string): Promise<UserView> {
  const membership = await findMembership(db, userId, workspaceId);
  if (!membership) throw refuseTarget("not_found:member", NOT_A_MEMBER_HERE);
  const workspaces = await membershipWorkspaceIds(db, userId);
  if (workspaces.some((id) => id !== workspaceId))
    throw refuseTarget("conflict:member", memberOfOtherWorkspaces(membership.user.email));
  return membership.user;
}

/**
 * An admin resets the password of a member of their workspace (by user id). Refused, changing
 * nothing: a non-admin or anyone but a signed-in person (`forbidden:member`), a bad id
 * (`invalid:input`), oneself (`invalid:member`: the account page asks for the current password),
 * a non-member (`not_found:member`), an account that is also a member of another workspace
 * (`conflict:member`, naming the operator's command). The password is generated and returned
 * once; every session of the member ends; the audit entry is by the admin, in this workspace.
 */
export async function resetMemberPassword(
  db: Db,
  actor: Actor,
  raw: z.input<typeof ResetMemberPasswordInput>,
): Promise<ResetMemberPasswordResult> {
  if (!can(actor, "member.manage", { workspaceId: actor.workspaceId }) || actor.via !== "session")
    throw new AppError("forbidden:member", { message: ONLY_ADMINS_RESET });
  const parsed = ResetMemberPasswordInput.safeParse(raw);
  if (!parsed.success) throw invalidFromZod(parsed.error);
  const { userId } = parsed.data;
  if (userId === actor.userId) throw refuseTarget("invalid:member", OWN_PASSWORD_HERE);
  // Checked before hashing (a refusal costs no argon2 run), and again in the transaction.
  const user = await resettableMember(db, actor.workspaceId, userId);
  const result = await setNewPassword(db, actor, user, {
    workspaceId: actor.workspaceId,
    guard: async (tx) => {
      await resettableMember(tx, actor.workspaceId, userId);
    },
  });
  if (result.password === undefined) throw new Error("resetMemberPassword: no password was generated");
  return { userId: result.userId, email: result.email, password: result.password, sessionsEnded: result.sessionsEnded };
}
