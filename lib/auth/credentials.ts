// Password sign-in, independent of next-auth so it can be tested directly. next-auth's
// credentials provider (options.ts) calls verifyCredentials and turns the result into a
// session or an error message.
import { recordAudit } from "../db/audit";
import type { DbOrTx } from "../db/tx";
import { findMembership, findUserForSignIn, normalizeEmail } from "../db/users";
import { auditRefusal } from "../server/refusals";
import { burnPasswordCheck, verifyPassword } from "./password";
import type { Role } from "./roles";
import { checkThrottle, clearThrottle, formatRetryAfter, recordFailure, throttleKeys } from "./throttle";

/** The one message for an unknown email and a wrong password: never say which part was wrong. */
export const INVALID_CREDENTIALS = "Email or password is incorrect";

export function throttledMessage(retryAfterSeconds: number): string {
  return `Too many failed sign-in attempts. Wait ${formatRetryAfter(retryAfterSeconds)} and try again.`;
}

export type SignInResult =
  | { ok: true; user: { id: string; email: string; name: string }; workspaceId: string; role: Role }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Checks an email and password, throttled (./throttle.ts): a client that failed too often for this
 * account (or across accounts) is refused without a password check, and audited (rate limited);
 * an account under attack from many clients only answers more slowly (a few seconds at most).
 * `ip` is the real client (lib/server/client-address.ts), also written into the audit entries.
 */
export async function verifyCredentials(
  db: DbOrTx,
  input: { email: string; password: string; ip?: string | null },
  now = new Date(),
  options: { sleep?: (ms: number) => Promise<void> } = {},
): Promise<SignInResult> {
  const email = normalizeEmail(input.email);
  const keys = throttleKeys(email, input.ip);
  const verdict = await checkThrottle(db, keys, now);
  if (!verdict.allowed) {
    await auditThrottled(db, email, input.ip ?? null, verdict.retryAfterSeconds);
    return { ok: false, reason: "throttled", retryAfterSeconds: verdict.retryAfterSeconds };
  }
  if (verdict.delayMs > 0) await (options.sleep ?? realSleep)(verdict.delayMs);

  const user = email ? await findUserForSignIn(db, email) : null;
  let valid = false;
  if (user?.passwordHash) valid = await verifyPassword(user.passwordHash, input.password);
  else await burnPasswordCheck(input.password);
  const membership = user ? await findMembership(db, user.id) : null;

  if (!valid || !user || !membership) {
    await recordFailure(db, keys, now);
    if (user && membership) {
      await recordAudit(db, {
        workspaceId: membership.workspaceId,
        actor: { label: user.email, userId: user.id },
        action: "auth.signin_failed",
        targetType: "user",
        targetId: user.id,
        summary: `Failed sign-in for ${user.email}${input.ip ? ` from ${input.ip}` : ""}`,
        data: { method: "password", ip: input.ip ?? null },
      });
    }
    return { ok: false, reason: "invalid" };
  }

  await clearThrottle(db, keys);
  await recordSignIn(db, { user, workspaceId: membership.workspaceId, method: "password", ip: input.ip });
  return {
    ok: true,
    user: { id: user.id, email: user.email, name: user.name },
    workspaceId: membership.workspaceId,
    role: membership.role,
  };
}

export async function recordSignIn(
  db: DbOrTx,
  input: { user: { id: string; email: string }; workspaceId: string; method: "password" | "oidc"; ip?: string | null },
): Promise<void> {
  await recordAudit(db, {
    workspaceId: input.workspaceId,
    actor: { label: input.user.email, userId: input.user.id },
    action: "auth.signin",
    targetType: "user",
    targetId: input.user.id,
    summary: `${input.user.email} signed in${input.method === "oidc" ? " with single sign-on" : ""}`,
    data: { method: input.method, ip: input.ip ?? null },
  });
}

export async function recordSignOut(db: DbOrTx, input: { userId: string; email: string; workspaceId: string }) {
  await recordAudit(db, {
    workspaceId: input.workspaceId,
    actor: { label: input.email, userId: input.userId },
    action: "auth.signout",
    targetType: "user",
    targetId: input.userId,
    summary: `${input.email} signed out`,
  });
}

/**
 * A throttled attempt on the record: in the account's workspace when the email is a member's
 * (like auth.signin_failed), else in the chain of no workspace. Rate limited per email and client.
 */
async function auditThrottled(db: DbOrTx, email: string, ip: string | null, retryAfterSeconds: number) {
  const user = email ? await findUserForSignIn(db, email) : null;
  const membership = user ? await findMembership(db, user.id) : null;
  await auditRefusal(db, {
    kind: "signin_throttled",
    workspaceId: membership?.workspaceId ?? null,
    // an unknown account is named in data, not as the actor: the audit's rate limit then counts per
    // client address, so rotating made-up emails cannot write an entry each
    actor: membership && user ? { label: email, userId: user.id } : { label: "unknown account" },
    attempted: "auth.signin",
    targetType: "user",
    targetId: membership ? (user?.id ?? null) : null,
    ip,
    data: { retryAfterSeconds, ...(membership ? {} : { email: email.slice(0, 320) }) },
  });
}
