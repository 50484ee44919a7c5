// Members of a workspace: add (a new email gets a one-time password, shown once), change role,
// remove. The last admin can be neither demoted nor removed (lib/db/users.ts checks it in a
// serializable transaction); each change and its audit entry commit together.

import { generatePassword, hashPassword } from "@/lib/auth/password";
import type { Actor } from "@/lib/auth/policy";
import type { Role } from "@/lib/auth/roles";
import { recordAudit } from "@/lib/db/audit";
import type { Db } from "@/lib/db/client";
import { transaction } from "@/lib/db/tx";
import { addMember as addMemberRow, changeMemberRole, removeMember as removeMemberRow } from "@/lib/db/users";

export async function addMember(
  db: Db,
  actor: Actor,
  input: { email: string; name: string; role: Role },
): Promise<{ email: string; role: Role; password: string | null }> {
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  const { member, createdUser } = await transaction(db, async (tx) => {
    const added = await addMemberRow(tx, { workspaceId: actor.workspaceId, ...input, passwordHash });
    await recordAudit(tx, {
      workspaceId: actor.workspaceId,
      actor,
      action: "member.added",
      targetType: "member",
      targetId: added.member.userId,
      summary: `Added ${added.member.email} as ${input.role}`,
      data: { email: added.member.email, role: input.role, newUser: added.createdUser },
    });
    return added;
  });
  // The one-time password exists only in this response; existing users keep their own.
  return { email: member.email, role: member.role, password: createdUser ? password : null };
}

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
  const removed = await removeMemberRow(db, { workspaceId: actor.workspaceId, userId: input.userId }, (tx, r) =>
    recordAudit(tx, {
      workspaceId: actor.workspaceId,
      actor,
      action: "member.removed",
      targetType: "member",
      targetId: input.userId,
      summary: `Removed ${r.user.email} (${r.role})`,
      data: { email: r.user.email, role: r.role },
    }),
  );
  return { email: removed.user.email };
}
