// API keys: random secrets shown once; only their sha256 is stored. A key carries a role and a
// list of scopes (lib/auth/scopes.ts) in one workspace. Refused: revoked keys, expired keys, and
// keys whose creator is no longer a member of the workspace; a key never acts with more than its
// creator's current role.
import { createHash, randomBytes } from "node:crypto";
import { AppError } from "@/lib/contracts/app-errors";
import type { Role } from "../auth/roles";
import { ROLES, RoleSchema } from "../auth/roles";
import { type DbOrTx, prismaOf } from "./tx";

export const API_KEY_PREFIX = "sb_";

export type ApiKeyView = {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date | null;
  /** null: a key made before scopes existed (every scope) */
  scopes: string[] | null;
  createdById: string | null;
};

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export function generateApiKey(): { key: string; prefix: string; keyHash: string } {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { key, prefix: key.slice(0, API_KEY_PREFIX.length + 6), keyHash: hashApiKey(key) };
}

const VIEW = {
  id: true,
  name: true,
  prefix: true,
  role: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
  expiresAt: true,
  scopes: true,
  createdById: true,
} as const;

function scopeList(value: unknown): string[] | null {
  return Array.isArray(value) ? value.filter((s): s is string => typeof s === "string") : null;
}

function toView(row: { role: string; scopes: unknown } & Omit<ApiKeyView, "role" | "scopes">): ApiKeyView {
  return { ...row, role: RoleSchema.catch("viewer").parse(row.role), scopes: scopeList(row.scopes) };
}

/** The lower of two roles (ROLES runs from most to least powerful). */
function lowerRole(a: Role, b: Role): Role {
  return ROLES.indexOf(a) >= ROLES.indexOf(b) ? a : b;
}

/** Creates a key; the returned `key` is the only time the secret exists outside the caller. */
export async function createApiKey(
  db: DbOrTx,
  input: {
    workspaceId: string;
    name: string;
    role: Role;
    createdById: string | null;
    /** What the key may be used for (lib/auth/scopes.ts); omitted: every scope its role allows. */
    scopes?: readonly string[];
    /** refused from then on; omitted: never expires */
    expiresAt?: Date | null;
  },
): Promise<{ apiKey: ApiKeyView; key: string }> {
  const { key, prefix, keyHash } = generateApiKey();
  const row = await prismaOf(db).apiKey.create({
    data: {
      workspaceId: input.workspaceId,
      name: input.name,
      role: input.role,
      createdById: input.createdById,
      prefix,
      keyHash,
      ...(input.scopes ? { scopes: [...input.scopes] } : {}),
      ...(input.expiresAt ? { expiresAt: input.expiresAt } : {}),
    },
    select: VIEW,
  });
  return { apiKey: toView(row), key };
}

export async function listApiKeys(db: DbOrTx, workspaceId: string): Promise<ApiKeyView[]> {
  const rows = await prismaOf(db).apiKey.findMany({
    where: { workspaceId },
    orderBy: { createdAt: "desc" },
    select: VIEW,
  });
  return rows.map(toView);
}

export async function revokeApiKey(db: DbOrTx, input: { workspaceId: string; id: string }): Promise<ApiKeyView> {
  const p = prismaOf(db);
  const row = await p.apiKey.findFirst({ where: { id: input.id, workspaceId: input.workspaceId }, select: VIEW });
  if (!row) throw new AppError("not_found:apikey");
  if (row.revokedAt) return toView(row);
  const updated = await p.apiKey.update({ where: { id: row.id }, data: { revokedAt: new Date() }, select: VIEW });
  return toView(updated);
}

/**
 * Looks a presented key up by hash. Unknown, revoked, expired, or created by someone who is no
 * longer a member: null. The role is capped at the creator's current role. Records lastUsedAt
 * (at most once a minute).
 */
export async function authenticateApiKey(
  db: DbOrTx,
  key: string,
  now = new Date(),
): Promise<{
  id: string;
  workspaceId: string;
  name: string;
  role: Role;
  createdById: string | null;
  scopes: string[] | null;
} | null> {
  if (!key.startsWith(API_KEY_PREFIX) || key.length > 200) return null;
  const p = prismaOf(db);
  const row = await p.apiKey.findUnique({
    where: { keyHash: hashApiKey(key) },
    select: {
      id: true,
      workspaceId: true,
      name: true,
      role: true,
      createdById: true,
      revokedAt: true,
      lastUsedAt: true,
      scopes: true,
      expiresAt: true,
    },
  });
  if (!row || row.revokedAt) return null;
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return null;
  const parsedRole = RoleSchema.safeParse(row.role);
  if (!parsedRole.success) return null;
  let role = parsedRole.data;
  if (row.createdById) {
    const member = await p.membership.findUnique({
      where: { workspaceId_userId: { workspaceId: row.workspaceId, userId: row.createdById } },
      select: { role: true },
    });
    if (!member) return null;
    const creatorRole = RoleSchema.safeParse(member.role);
    if (!creatorRole.success) return null;
    role = lowerRole(role, creatorRole.data);
  }
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await p.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    name: row.name,
    role,
    createdById: row.createdById,
    // null: a key without a scope list (every scope its role allows); see lib/auth/scopes.ts
    scopes: scopeList(row.scopes),
  };
}
