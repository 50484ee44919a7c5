// Invitations to a workspace. The link's token (256 random bits) is returned once by
// createInvitation and stored only as its sha256, so a copy of the database cannot be turned
// into working links. An invitation is pending until accepted (single use: a conditional
// update, so two concurrent accepts cannot both win), revoked, or past expiresAt.
import { createHash, randomBytes } from "node:crypto";
import { AppError } from "@/lib/contracts/app-errors";
import { type Role, RoleSchema } from "../auth/roles";
import { type DbOrTx, prismaOf } from "./tx";
import { normalizeEmail } from "./users";

export type InvitationStatus = "pending" | "accepted" | "revoked" | "expired";

export type InvitationView = {
  id: string;
  workspaceId: string;
  email: string;
  role: Role;
  createdAt: Date;
  expiresAt: Date;
  status: InvitationStatus;
};

export function hashInvitationToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

type Row = {
  id: string;
  workspaceId: string;
  email: string;
  role: string;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
};

const SELECT = {
  id: true,
  workspaceId: true,
  email: true,
  role: true,
  createdAt: true,
  expiresAt: true,
  acceptedAt: true,
  revokedAt: true,
} as const;

function toView(row: Row, now: Date): InvitationView {
  const status: InvitationStatus = row.acceptedAt
    ? "accepted"
    : row.revokedAt
      ? "revoked"
      : row.expiresAt <= now
        ? "expired"
        : "pending";
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    email: row.email,
    role: RoleSchema.catch("viewer").parse(row.role),
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    status,
  };
}

/**
 * A new invitation; earlier pending invitations of the same e-mail to this workspace are revoked
 * (the newest link is the only one that works). Already a member here: conflict:member.
 */
export async function createInvitation(
  db: DbOrTx,
  input: { workspaceId: string; email: string; role: Role; invitedById: string | null; expiresAt: Date },
  now = new Date(),
): Promise<{ invitation: InvitationView; token: string }> {
  const p = prismaOf(db);
  const email = normalizeEmail(input.email);
  const member = await p.membership.findFirst({
    where: { workspaceId: input.workspaceId, user: { email } },
    select: { id: true },
  });
  if (member) throw new AppError("conflict:member", { message: `${email} is already a member of this workspace.` });
  await p.invitation.updateMany({
    where: { workspaceId: input.workspaceId, email, acceptedAt: null, revokedAt: null },
    data: { revokedAt: now },
  });
  const token = randomBytes(32).toString("base64url");
  const row = await p.invitation.create({
    data: {
      workspaceId: input.workspaceId,
      email,
      role: input.role,
      tokenHash: hashInvitationToken(token),
      invitedById: input.invitedById,
      expiresAt: input.expiresAt,
    },
    select: SELECT,
  });
  return { invitation: toView(row, now), token };
}

/** Invitations not yet accepted or revoked (pending and expired), newest first. */
export async function listOpenInvitations(
  db: DbOrTx,
  workspaceId: string,
  now = new Date(),
): Promise<InvitationView[]> {
  const rows = await prismaOf(db).invitation.findMany({
    where: { workspaceId, acceptedAt: null, revokedAt: null },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 200,
    select: SELECT,
  });
  return rows.map((r) => toView(r, now));
}

/** Revokes a pending invitation of this workspace; not_found:invitation otherwise. */
export async function revokeInvitation(
  db: DbOrTx,
  workspaceId: string,
  id: string,
  now = new Date(),
): Promise<InvitationView> {
  const p = prismaOf(db);
  const { count } = await p.invitation.updateMany({
    where: { id, workspaceId, acceptedAt: null, revokedAt: null },
    data: { revokedAt: now },
  });
  if (count === 0) throw new AppError("not_found:invitation");
  const row = await p.invitation.findUniqueOrThrow({ where: { id }, select: SELECT });
  return toView(row, now);
}

/** The invitation behind a link's token (any status) and its workspace's name, or null. */
export async function findInvitationByToken(
  db: DbOrTx,
  token: string,
  now = new Date(),
): Promise<(InvitationView & { workspaceName: string }) | null> {
  if (!token || token.length > 200) return null;
  const row = await prismaOf(db).invitation.findUnique({
    where: { tokenHash: hashInvitationToken(token) },
    select: { ...SELECT, workspace: { select: { name: true } } },
  });
  if (!row) return null;
  return { ...toView(row, now), workspaceName: row.workspace.name };
}

/**
 * Marks the invitation used by `userId` and adds the membership, if it is still pending: the
 * conditional update makes it single-use. Null when it is not (used, revoked, expired, unknown).
 */
export async function consumeInvitation(
  db: DbOrTx,
  token: string,
  userId: string,
  now = new Date(),
): Promise<InvitationView | null> {
  const p = prismaOf(db);
  const tokenHash = hashInvitationToken(token);
  const { count } = await p.invitation.updateMany({
    where: { tokenHash, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } },
    data: { acceptedAt: now, acceptedById: userId },
  });
  if (count === 0) return null;
  const row = await p.invitation.findUniqueOrThrow({ where: { tokenHash }, select: SELECT });
  const existing = await p.membership.findUnique({
    where: { workspaceId_userId: { workspaceId: row.workspaceId, userId } },
    select: { id: true },
  });
  if (!existing) {
    await p.membership.create({ data: { workspaceId: row.workspaceId, userId, role: row.role } });
  }
  return toView(row, now);
}

/** Creates an account (for a new person accepting an invitation). conflict:user when the e-mail has one. */
export async function createUserAccount(
  db: DbOrTx,
  input: { email: string; name: string; passwordHash: string },
): Promise<{ id: string; email: string; name: string }> {
  const p = prismaOf(db);
  const email = normalizeEmail(input.email);
  const existing = await p.user.findUnique({ where: { email }, select: { id: true } });
  if (existing) {
    throw new AppError("conflict:user", {
      message: "An account with this e-mail already exists: sign in with it to accept the invitation.",
    });
  }
  return p.user.create({
    data: { email, name: input.name, passwordHash: input.passwordHash },
    select: { id: true, email: true, name: true },
  });
}
