// Who a use case acts for. Server actions and route handlers pass the signed-in Actor (its role
// was already checked by authedAction/authedRoute); use cases that need no role take a Scope: a
// workspace, the acting user (if any) and who the audit entry names.
import type { Actor } from "@/lib/auth/policy";
import type { AuditActor } from "@/lib/db/audit";

export interface Scope {
  workspaceId: string;
  actor: AuditActor;
  userId?: string | null;
}

export function scopeOf(actor: Actor): Scope {
  return { workspaceId: actor.workspaceId, userId: actor.userId, actor };
}

/** The user id to store as "started/edited by": people only (API keys and the CLI are not users). */
export function personId(actor: Actor): string | null {
  return actor.via === "session" ? actor.userId : null;
}
