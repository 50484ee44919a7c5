// API keys: random secrets shown once; only their sha256 is stored. A key carries a role in
// one workspace. Revoked keys are refused.
import { createHash, randomBytes } from "node:crypto";
import type { Role } from "../auth/roles";
import { RoleSchema } from "../auth/roles";
import { AppError } from "../server/errors";
import type { DbClient } from "./audit";

export const API_KEY_PREFIX = "sb_";

export type ApiKeyView = {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
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
} as const;

function toView(row: { role: string } & Omit<ApiKeyView, "role">): ApiKeyView {
  return { ...row, role: RoleSchema.catch("viewer").parse(row.role) };
}

/** Creates a key; the returned `key` is the only time the secret exists outside the caller. */
export async function createApiKey(
  db: DbClient,
  input: { workspaceId: string; name: string; role: Role; createdById: string | null },
): Promise<{ apiKey: ApiKeyView; key: string }> {
  const { key, prefix, keyHash } = generateApiKey();
  const row = await db.apiKey.create({
    data: {
      workspaceId: input.workspaceId,
      name: input.name,
      role: input.role,
      createdById: input.createdById,
      prefix,
      keyHash,
    },
    select: VIEW,
  });
  return { apiKey: toView(row), key };
}

export async function listApiKeys(db: DbClient, workspaceId: string): Promise<ApiKeyView[]> {
  const rows = await db.apiKey.findMany({ where: { workspaceId }, orderBy: { createdAt: "desc" }, select: VIEW });
  return rows.map(toView);
}

export async function revokeApiKey(db: DbClient, input: { workspaceId: string; id: string }): Promise<ApiKeyView> {
  const row = await db.apiKey.findFirst({ where: { id: input.id, workspaceId: input.workspaceId }, select: VIEW });
  if (!row) throw new AppError("not_found:apikey");
  if (row.revokedAt) return toView(row);
  const updated = await db.apiKey.update({ where: { id: row.id }, data: { revokedAt: new Date() }, select: VIEW });
  return toView(updated);
}

/** Looks a presented key up by hash. Unknown or revoked: null. Records lastUsedAt (at most once a minute). */
export async function authenticateApiKey(
  db: DbClient,
  key: string,
  now = new Date(),
): Promise<{ id: string; workspaceId: string; name: string; role: Role; createdById: string | null } | null> {
  if (!key.startsWith(API_KEY_PREFIX) || key.length > 200) return null;
  const row = await db.apiKey.findUnique({
    where: { keyHash: hashApiKey(key) },
    select: {
      id: true,
      workspaceId: true,
      name: true,
      role: true,
      createdById: true,
      revokedAt: true,
      lastUsedAt: true,
    },
  });
  if (!row || row.revokedAt) return null;
  const role = RoleSchema.safeParse(row.role);
  if (!role.success) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await db.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return { id: row.id, workspaceId: row.workspaceId, name: row.name, role: role.data, createdById: row.createdById };
}
