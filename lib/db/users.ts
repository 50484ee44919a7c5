// Users and memberships. Password hashes are selected only by findUserForSignIn; everything
// else returns views without them. Role changes and removals keep at least one admin per
// workspace (checked inside a serializable transaction).

import { AppError } from "@/lib/contracts/app-errors";
import { type Role, RoleSchema } from "../auth/roles";
import { type DbOrTx, prismaOf, type Tx, transaction } from "./tx";

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export type UserView = { id: string; email: string; name: string };
export type MembershipView = { workspaceId: string; role: Role; user: UserView };
export type MemberView = { userId: string; email: string; name: string; role: Role; joinedAt: Date };

const USER_VIEW = { id: true, email: true, name: true } as const;

/** What the app calls each of these users (name, else email), by id; unknown ids are left out. */
export async function userNames(db: DbOrTx, ids: (string | null | undefined)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => !!id))];
  if (wanted.length === 0) return new Map();
  const users = await prismaOf(db).user.findMany({
    where: { id: { in: wanted } },
    select: { id: true, name: true, email: true },
  });
  return new Map(users.map((u) => [u.id, u.name || u.email]));
}

/** The only query that reads a password hash. */
export async function findUserForSignIn(
  db: DbOrTx,
  email: string,
): Promise<(UserView & { passwordHash: string | null }) | null> {
  return prismaOf(db).user.findUnique({
    where: { email: normalizeEmail(email) },
    select: { ...USER_VIEW, passwordHash: true },
  });
}

export async function findUserByEmail(db: DbOrTx, email: string): Promise<UserView | null> {
  return prismaOf(db).user.findUnique({ where: { email: normalizeEmail(email) }, select: USER_VIEW });
}

/**
 * The user's membership in `workspaceId`, or (without it) their oldest membership.
 * Null when the user has no such membership (removed members lose access at once).
 */
export async function findMembership(db: DbOrTx, userId: string, workspaceId?: string): Promise<MembershipView | null> {
  const row = await prismaOf(db).membership.findFirst({
    where: { userId, ...(workspaceId ? { workspaceId } : {}) },
    orderBy: { createdAt: "asc" },
    select: { workspaceId: true, role: true, user: { select: USER_VIEW } },
  });
  if (!row) return null;
  const role = RoleSchema.safeParse(row.role);
  if (!role.success) return null;
  return { workspaceId: row.workspaceId, role: role.data, user: row.user };
}

export async function listMembers(db: DbOrTx, workspaceId: string): Promise<MemberView[]> {
  const rows = await prismaOf(db).membership.findMany({
    where: { workspaceId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { role: true, createdAt: true, user: { select: USER_VIEW } },
  });
  return rows.map((r) => ({
    userId: r.user.id,
    email: r.user.email,
    name: r.user.name,
    role: RoleSchema.catch("viewer").parse(r.role),
    joinedAt: r.createdAt,
  }));
}

/**
 * Adds a member. A new email creates the user with `passwordHash`; an existing user (member
 * of another workspace) keeps their password. Already a member here: conflict:member.
 */
export async function addMember(
  db: DbOrTx,
  input: { workspaceId: string; email: string; name: string; role: Role; passwordHash: string },
): Promise<{ member: MemberView; createdUser: boolean }> {
  const p = prismaOf(db);
  const email = normalizeEmail(input.email);
  let user = await p.user.findUnique({ where: { email }, select: USER_VIEW });
  let createdUser = false;
  if (user) {
    const existing = await p.membership.findUnique({
      where: { workspaceId_userId: { workspaceId: input.workspaceId, userId: user.id } },
    });
    if (existing) throw new AppError("conflict:member", { message: `${email} is already a member of this workspace.` });
  } else {
    user = await p.user.create({
      data: { email, name: input.name, passwordHash: input.passwordHash },
      select: USER_VIEW,
    });
    createdUser = true;
  }
  const membership = await p.membership.create({
    data: { workspaceId: input.workspaceId, userId: user.id, role: input.role },
  });
  return {
    member: { userId: user.id, email: user.email, name: user.name, role: input.role, joinedAt: membership.createdAt },
    createdUser,
  };
}

const LAST_ADMIN = "A workspace needs at least one admin. Make someone else an admin first.";

async function inSerializable<T>(db: DbOrTx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return transaction(db, fn, { isolationLevel: "Serializable" });
}

async function memberOrThrow(tx: Tx, workspaceId: string, userId: string) {
  const m = await tx.membership.findUnique({
    where: { workspaceId_userId: { workspaceId, userId } },
    select: { id: true, role: true, user: { select: USER_VIEW } },
  });
  if (!m) throw new AppError("not_found:member");
  return m;
}

async function otherAdmins(tx: Tx, workspaceId: string, userId: string): Promise<number> {
  return tx.membership.count({ where: { workspaceId, role: "admin", NOT: { userId } } });
}

/** Changes a member's role; refuses to demote the last admin. `audit` runs in the same transaction. */
export async function changeMemberRole(
  db: DbOrTx,
  input: { workspaceId: string; userId: string; role: Role },
  audit?: (tx: Tx, change: { from: Role; to: Role; user: UserView }) => Promise<unknown>,
): Promise<{ from: Role; to: Role; user: UserView }> {
  return inSerializable(db, async (tx) => {
    const m = await memberOrThrow(tx, input.workspaceId, input.userId);
    const from = RoleSchema.catch("viewer").parse(m.role);
    if (from === "admin" && input.role !== "admin" && (await otherAdmins(tx, input.workspaceId, input.userId)) === 0) {
      throw new AppError("conflict:member", { message: LAST_ADMIN });
    }
    await tx.membership.update({ where: { id: m.id }, data: { role: input.role } });
    const change = { from, to: input.role, user: m.user };
    await audit?.(tx, change);
    return change;
  });
}

/** Removes a member from a workspace (the user row stays); refuses to remove the last admin. */
export async function removeMember(
  db: DbOrTx,
  input: { workspaceId: string; userId: string },
  audit?: (tx: Tx, removed: { role: Role; user: UserView }) => Promise<unknown>,
): Promise<{ role: Role; user: UserView }> {
  return inSerializable(db, async (tx) => {
    const m = await memberOrThrow(tx, input.workspaceId, input.userId);
    const role = RoleSchema.catch("viewer").parse(m.role);
    if (role === "admin" && (await otherAdmins(tx, input.workspaceId, input.userId)) === 0) {
      throw new AppError("conflict:member", { message: LAST_ADMIN });
    }
    await tx.membership.delete({ where: { id: m.id } });
    const removed = { role, user: m.user };
    await audit?.(tx, removed);
    return removed;
  });
}

/** Email addresses by user id; unknown ids are left out. */
export async function userEmails(db: DbOrTx, ids: string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return new Map();
  const users = await prismaOf(db).user.findMany({ where: { id: { in: wanted } }, select: { id: true, email: true } });
  return new Map(users.map((u) => [u.id, u.email]));
}

/** The roles these users have in the workspace (non-members are left out). */
export async function memberRoles(db: DbOrTx, workspaceId: string, userIds: string[]): Promise<Map<string, string>> {
  if (userIds.length === 0) return new Map();
  const members = await prismaOf(db).membership.findMany({
    where: { workspaceId, userId: { in: userIds } },
    select: { userId: true, role: true },
  });
  return new Map(members.map((m) => [m.userId, m.role]));
}

/** Replaces a user's password hash (the caller verified the current password). */
/**
 * `setByOther`: someone other than the account's owner chose it (an admin's or an operator's
 * reset) and may know it; the owner's own change clears it (see `passwordSetByOther`).
 */
export async function setPasswordHash(
  db: DbOrTx,
  userId: string,
  passwordHash: string,
  options: { setByOther: boolean },
): Promise<void> {
  await prismaOf(db).user.update({
    where: { id: userId },
    data: { passwordHash, passwordSetByOther: options.setByOther },
  });
}

/** Whether the account's password was last set by someone else (a reset), not by its owner. */
export async function passwordSetByOther(db: DbOrTx, userId: string): Promise<boolean> {
  const row = await prismaOf(db).user.findUnique({ where: { id: userId }, select: { passwordSetByOther: true } });
  return row?.passwordSetByOther ?? false;
}

/** The ids of the workspaces a user is a member of (oldest membership first). */
export async function membershipWorkspaceIds(db: DbOrTx, userId: string): Promise<string[]> {
  const rows = await prismaOf(db).membership.findMany({
    where: { userId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { workspaceId: true },
  });
  return rows.map((r) => r.workspaceId);
}
