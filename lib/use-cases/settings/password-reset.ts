// An operator's password reset: sets a new password for an account (accounts are installation-wide,
// found by e-mail like sign-in finds them) without knowing the current one. The new password is
// given (validated like the account page, NewPasswordSchema) or generated (lib/auth/password.ts)
// and returned once. In one transaction: the new hash, the end of EVERY session of the account,
// the account's sign-in failure counters, and an audit entry `user.password_reset` (never the
// password). No permission check here: the caller is the operator (`switchboard users
// reset-password`); a page calling this must authorize its user first.
import { z } from "zod";
import { generatePassword, hashPassword } from "@/lib/auth/password";
import { AppError, invalidFromZod } from "@/lib/contracts/app-errors";
import { type AuditActor, recordAudit } from "@/lib/db/audit";
import type { Db } from "@/lib/db/client";
import { revokeUserSessions } from "@/lib/db/sessions";
import { deleteAccountThrottle } from "@/lib/db/sign-in-throttle";
import { transaction } from "@/lib/db/tx";
import { findMembership, findUserByEmail, normalizeEmail, setPasswordHash } from "@/lib/db/users";
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
  /** Where the audit entry went: the account's sign-in workspace (null: the account has none). */
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
  const generated = parsed.data.newPassword === undefined;
  const password = parsed.data.newPassword ?? generatePassword();
  const passwordHash = await hashPassword(password); // slow (argon2id): outside the transaction

  const ended = await transaction(db, async (tx) => {
    await setPasswordHash(tx, user.id, passwordHash);
    const sessionsEnded = await revokeUserSessions(tx, user.id, "password_changed");
    // Every failure counted against the account (lib/auth/throttle.ts), so its owner can sign in now.
    await deleteAccountThrottle(tx, user.email);
    // Like sign-in's own entries: in the workspace the account signs in to (its oldest membership).
    const home = await findMembership(tx, user.id);
    const by = "label" in actor ? actor.label : actor.email || actor.name;
    await recordAudit(tx, {
      workspaceId: home?.workspaceId ?? null,
      actor,
      action: "user.password_reset",
      targetType: "user",
      targetId: user.id,
      summary: `${by} reset the password of ${user.email} (${sessionsEnded} session${sessionsEnded === 1 ? "" : "s"} ended)`,
      data: { email: user.email, generated, sessionsEnded },
    });
    return { sessionsEnded, auditWorkspaceId: home?.workspaceId ?? null };
  });

  return {
    userId: user.id,
    email: user.email,
    ...(generated ? { password } : {}),
    sessionsEnded: ended.sessionsEnded,
    auditWorkspaceId: ended.auditWorkspaceId,
  };
}
