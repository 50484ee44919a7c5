// Members of a workspace: change role, remove (their sessions end). New members are invited
// (./invitations.ts). The last admin can be neither demoted nor removed (lib/db/users.ts checks it in a
// serializable transaction); each change and its audit entry commit together.

import type { Actor } from "@/lib/auth/policy";
import type { Role } from "@/lib/auth/roles";
import { recordAudit } from "@/lib/db/audit";
import type { Db } from "@/lib/db/client";
import { revokeUserSessions } from "@/lib/db/sessions";
import { changeMemberRole, removeMember as removeMemberRow } from "@/lib/db/users";

export async function changeRole(
  db: Db,
  actor: Actor,
  input: { userId: string; role: Role },
): Promise<{ userId: string; role: Role }> {
  const change = await changeMemberRole(db, { workspaceId: actor.workspaceId, ...input }, (tx, c) =>
    recordAudit(tx, {
      workspaceId: actor.workspaceId,
      actor,
      action: "member.role_changed",
      targetType: "member",
      targetId: input.userId,
      summary: `Changed ${c.user.email} from ${c.from} to ${c.to}`,
      data: { email: c.user.email, from: c.from, to: c.to },
    }),
  );
  return { userId: input.userId, role: change.to };
}

export async function removeMember(db: Db, actor: Actor, input: { userId: string }): Promise<{ email: string }> {
  const removed = await removeMemberRow(db, { workspaceId: actor.workspaceId, userId: input.userId }, async (tx, r) => {
    // Their browser sessions end too (in any workspace: they sign in again to reach another one);
    // open event streams notice at their next re-check.
    const ended = await revokeUserSessions(tx, input.userId, "removed");
    await recordAudit(tx, {
      workspaceId: actor.workspaceId,
      actor,
      action: "member.removed",
      targetType: "member",
      targetId: input.userId,
      summary: `Removed ${r.user.email} (${r.role})`,
      data: { email: r.user.email, role: r.role, sessionsEnded: ended },
    });
  });
  return { email: removed.user.email };
}
