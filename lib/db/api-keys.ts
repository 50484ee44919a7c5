// API keys: random secrets shown once; only their sha256 is stored. A key carries a role in
// one workspace. Revoked keys are refused.
import { createHash, randomBytes } from "node:crypto";
import { AppError } from "@/lib/contracts/app-errors";
import type { Role } from "../auth/roles";
import { RoleSchema } from "../auth/roles";
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
  db: DbOrTx,
  input: {
    workspaceId: string;
    name: string;
    role: Role;
    createdById: string | null;
    /** What the key may be used for (lib/auth/scopes.ts); omitted: every scope its role allows. */
    scopes?: readonly string[];
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

/** Looks a presented key up by hash. Unknown or revoked: null. Records lastUsedAt (at most once a minute). */
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
    },
  });
  if (!row || row.revokedAt) return null;
  const role = RoleSchema.safeParse(row.role);
  if (!role.success) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await p.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    name: row.name,
    role: role.data,
    createdById: row.createdById,
    // null: a key without a scope list (every scope its role allows); see lib/auth/scopes.ts
    scopes: Array.isArray(row.scopes) ? row.scopes.filter((s): s is string => typeof s === "string") : null,
  };
}
