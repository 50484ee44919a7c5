import "server-only";
// Who is asking? getActor() turns the request's session into an Actor with the user's CURRENT
// membership (role and workspace read from the database, not trusted from the token).
import { redirect } from "next/navigation";
import { cache } from "react";
import type { Actor } from "@/lib/auth/policy";
import { AppError } from "@/lib/contracts/app-errors";
import type { Db } from "@/lib/db/client";
import { findActiveSession } from "@/lib/db/sessions";
import { findMembership } from "@/lib/db/users";
import type { SessionClaims } from "./context";
import { serverContext } from "./context";

/**
 * Resolves session claims against the database. Null when the session was revoked or expired
 * (sign-out, password change, removal: one primary-key read of UserSession, not cached, so it
 * takes effect on the next request) or the user or membership is gone.
 */
export async function actorFromClaims(db: Db, claims: SessionClaims | null): Promise<Actor | null> {
  if (!claims) return null;
  let workspaceId = claims.workspaceId;
  if (claims.sessionId !== undefined) {
    const session = await findActiveSession(db, claims.sessionId, claims.userId);
    if (!session) return null;
    // The session's own workspace (switched to when joining one by invitation) wins over the token's.
    workspaceId = session.workspaceId ?? workspaceId;
  }
  const membership =
    (workspaceId ? await findMembership(db, claims.userId, workspaceId) : null) ??
    (await findMembership(db, claims.userId));
  if (!membership) return null;
  return {
    userId: membership.user.id,
    email: membership.user.email,
    name: membership.user.name,
    workspaceId: membership.workspaceId,
    role: membership.role,
    via: "session",
    ...(claims.sessionId ? { sessionId: claims.sessionId } : {}),
  };
}

async function loadActor(): Promise<Actor | null> {
  const ctx = serverContext();
  const claims = await ctx.readSession();
  if (!claims) return null;
  return actorFromClaims(await ctx.db(), claims);
}

/** The signed-in actor of this request, or null. Memoised per request in server components. */
export const getActor: () => Promise<Actor | null> = cache(loadActor);

/** The signed-in actor; throws AppError("unauthenticated") otherwise (for actions and handlers). */
export async function requireActor(): Promise<Actor> {
  const actor = await getActor();
  if (!actor) throw new AppError("unauthenticated");
  return actor;
}

/** For pages and layouts: the signed-in actor, or a redirect to /signin. */
export async function requirePageActor(callbackPath?: string): Promise<Actor> {
  const actor = await getActor();
  if (!actor) redirect(callbackPath ? `/signin?callbackUrl=${encodeURIComponent(callbackPath)}` : "/signin");
  return actor;
}
