// One's own account: changing the password. The current password is required (a stolen, still
// open session cannot lock the owner out); the new one must be MIN_PASSWORD_LENGTH long and
// different. Every OTHER session of the user ends at once (lib/db/sessions.ts); the one making
// the change stays signed in. Audited in the same transaction as the change.
import { z } from "zod";
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from "@/lib/auth/password";
import type { Actor } from "@/lib/auth/policy";
import { AppError } from "@/lib/contracts/app-errors";
import { recordAudit } from "@/lib/db/audit";
import type { Db } from "@/lib/db/client";
import { revokeUserSessions } from "@/lib/db/sessions";
import { transaction } from "@/lib/db/tx";
import { findUserForSignIn, setPasswordHash } from "@/lib/db/users";

export const NewPasswordSchema = z
  .string({ error: "Enter a new password" })
  .min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(1024, "Use at most 1024 characters");

export const ChangePasswordInput = z
  .object({
    currentPassword: z.string({ error: "Enter your current password" }).min(1, "Enter your current password").max(1024),
    newPassword: NewPasswordSchema,
  })
  .refine((v) => v.newPassword !== v.currentPassword, {
    path: ["newPassword"],
    message: "The new password must differ from the current one",
  });

/**
 * Throttles wrong current passwords (the server action builds it from lib/auth/throttle.ts, per
 * session): check() throws rate_limited while the caller must wait.
 */
export type PasswordGuessGuard = {
  check(): Promise<void>;
  failed(): Promise<void>;
  succeeded(): Promise<void>;
};

export const WRONG_CURRENT_PASSWORD = "The current password is not correct";

export async function changePassword(
  db: Db,
  actor: Actor,
  raw: z.input<typeof ChangePasswordInput>,
  guard?: PasswordGuessGuard,
): Promise<{ otherSessionsEnded: number }> {
  if (actor.via !== "session") {
    throw new AppError("forbidden:user", { message: "Only a signed-in person can change their own password." });
  }
  const input = ChangePasswordInput.parse(raw);
  await guard?.check();
  const user = await findUserForSignIn(db, actor.email);
  const ok =
    !!user?.passwordHash &&
    user.id === actor.userId &&
    (await verifyPassword(user.passwordHash, input.currentPassword));
  if (!ok) {
    await guard?.failed();
    throw new AppError("invalid:input", {
      message: `currentPassword: ${WRONG_CURRENT_PASSWORD}`,
      fieldErrors: [{ path: "currentPassword", message: WRONG_CURRENT_PASSWORD }],
    });
  }
  await guard?.succeeded();
  const passwordHash = await hashPassword(input.newPassword);
  return transaction(db, async (tx) => {
    await setPasswordHash(tx, actor.userId, passwordHash, { setByOther: false });
    const ended = await revokeUserSessions(tx, actor.userId, "password_changed", { exceptId: actor.sessionId });
    await recordAudit(tx, {
      workspaceId: actor.workspaceId,
      actor,
      action: "user.password_changed",
      targetType: "user",
      targetId: actor.userId,
      summary: `${actor.email} changed their password (${ended} other session${ended === 1 ? "" : "s"} ended)`,
      data: { otherSessionsEnded: ended },
    });
    return { otherSessionsEnded: ended };
  });
}
