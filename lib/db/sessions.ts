// Server-side session records (UserSession). The session cookie is an encrypted next-auth JWT
// that carries the record's id (`sid`); lib/server/session.ts reads the record by primary key on
// every request and refuses the cookie once it is revoked or expired. One indexed read per
// request, no cache: a revocation takes effect on the very next request (and on open event
// streams at their next re-check, lib/server/route.ts).
import { randomBytes } from "node:crypto";
import { type DbOrTx, prismaOf } from "./tx";

export type SessionRevokeReason = "signed_out" | "password_changed" | "removed";

/** A new random session id (256 bits, URL-safe). */
export function newSessionId(): string {
  return randomBytes(32).toString("base64url");
}

export async function createUserSession(
  db: DbOrTx,
  input: { id?: string; userId: string; expiresAt: Date },
): Promise<{ id: string }> {
  const id = input.id ?? newSessionId();
  await prismaOf(db).userSession.create({ data: { id, userId: input.userId, expiresAt: input.expiresAt } });
  return { id };
}

/**
 * The session when it exists, belongs to `userId`, is not revoked and has not expired (with the
 * workspace it switched to, if any); null otherwise.
 */
export async function findActiveSession(
  db: DbOrTx,
  id: string,
  userId: string,
  now = new Date(),
): Promise<{ workspaceId: string | null } | null> {
  const row = await prismaOf(db).userSession.findUnique({
    where: { id },
    select: { userId: true, workspaceId: true, expiresAt: true, revokedAt: true },
  });
  if (!row || row.userId !== userId || row.revokedAt !== null || row.expiresAt <= now) return null;
  return { workspaceId: row.workspaceId };
}

/** Points the session at another workspace of its user (after joining one by invitation). */
export async function setSessionWorkspace(db: DbOrTx, id: string, workspaceId: string): Promise<void> {
  await prismaOf(db).userSession.updateMany({ where: { id, revokedAt: null }, data: { workspaceId } });
}

/** Revokes one session (sign-out). Returns whether it was active. */
export async function revokeSession(
  db: DbOrTx,
  id: string,
  reason: SessionRevokeReason,
  now = new Date(),
): Promise<boolean> {
  const { count } = await prismaOf(db).userSession.updateMany({
    where: { id, revokedAt: null },
    data: { revokedAt: now, revokedReason: reason },
  });
  return count > 0;
}

/** Revokes every active session of the user except `exceptId` (password change keeps the current one). */
export async function revokeUserSessions(
  db: DbOrTx,
  userId: string,
  reason: SessionRevokeReason,
  options: { exceptId?: string | null; now?: Date } = {},
): Promise<number> {
  const now = options.now ?? new Date();
  const { count } = await prismaOf(db).userSession.updateMany({
    where: { userId, revokedAt: null, ...(options.exceptId ? { NOT: { id: options.exceptId } } : {}) },
    data: { revokedAt: now, revokedReason: reason },
  });
  return count;
}

/** Deletes records that expired or were revoked more than `olderThanMs` ago (housekeeping). */
export async function pruneUserSessions(db: DbOrTx, now = new Date(), olderThanMs = 24 * 60 * 60 * 1000) {
  const before = new Date(now.getTime() - olderThanMs);
  const { count } = await prismaOf(db).userSession.deleteMany({
    where: { OR: [{ expiresAt: { lt: before } }, { revokedAt: { lt: before } }] },
  });
  return count;
}
