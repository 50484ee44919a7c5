// API keys: created with a role, scopes and an optional expiry in the actor's workspace (the
// secret is returned once), revoked for good. Each change and its audit entry commit together.
// A key is tied to the person who created it (Run/ApiKey.createdById): when that person leaves
// the workspace the key stops working, and it never acts with more than their current role
// (lib/db/api-keys.ts). Keys made by the CLI belong to no person.
import { z } from "zod";
import type { Actor } from "@/lib/auth/policy";
import { type Role, RoleSchema } from "@/lib/auth/roles";
import { API_KEY_SCOPES, type ApiKeyScope } from "@/lib/auth/scopes";
import { invalidFromZod } from "@/lib/contracts/app-errors";
import { createApiKey as createApiKeyRow, revokeApiKey as revokeApiKeyRow } from "@/lib/db/api-keys";
import { recordAudit } from "@/lib/db/audit";
import type { Db } from "@/lib/db/client";
import { transaction } from "@/lib/db/tx";
import { personId } from "../scope";

/** What creating a key takes (the settings page, the CLI `keys create`). */
export const CreateApiKeyInput = z.object({
  name: z.string().trim().min(1, "Give the key a name").max(80),
  role: RoleSchema,
  /** omitted: every scope (what keys made before scopes could do) */
  scopes: z
    .array(z.enum(API_KEY_SCOPES, { message: `Unknown scope; use ${API_KEY_SCOPES.join(", ")}` }))
    .min(1, "Give the key at least one scope")
    .max(API_KEY_SCOPES.length)
    .optional(),
  /** days until the key stops working; omitted: never */
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export type CreateApiKeyInput = z.input<typeof CreateApiKeyInput>;

export async function createApiKey(
  db: Db,
  actor: Actor,
  raw: { name: string; role: Role; scopes?: readonly ApiKeyScope[] | readonly string[]; expiresInDays?: number },
  now: Date = new Date(),
): Promise<{ id: string; name: string; key: string; role: Role; scopes: string[] | null; expiresAt: string | null }> {
  const parsed = CreateApiKeyInput.safeParse(raw);
  if (!parsed.success) throw invalidFromZod(parsed.error, "apikey");
  const input = parsed.data;
  const scopes = input.scopes ? [...new Set(input.scopes)] : undefined;
  const expiresAt = input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null;
  return transaction(db, async (tx) => {
    const created = await createApiKeyRow(tx, {
      workspaceId: actor.workspaceId,
      name: input.name,
      role: input.role,
      createdById: personId(actor),
      scopes,
      expiresAt,
    });
    await recordAudit(tx, {
      workspaceId: actor.workspaceId,
      actor,
      action: "apikey.created",
      targetType: "apikey",
      targetId: created.apiKey.id,
      summary: `Created API key “${input.name}” (${input.role}${scopes ? `; ${scopes.join(", ")}` : ""})`,
      data: {
        name: input.name,
        role: input.role,
        prefix: created.apiKey.prefix,
        scopes: scopes ?? null,
        expiresAt: expiresAt?.toISOString() ?? null,
      },
    });
    return {
      id: created.apiKey.id,
      name: created.apiKey.name,
      key: created.key,
      role: input.role,
      scopes: scopes ?? null,
      expiresAt: expiresAt?.toISOString() ?? null,
    };
  });
}

export async function revokeApiKey(db: Db, actor: Actor, input: { id: string }): Promise<{ id: string }> {
  return transaction(db, async (tx) => {
    const key = await revokeApiKeyRow(tx, { workspaceId: actor.workspaceId, id: input.id });
    await recordAudit(tx, {
      workspaceId: actor.workspaceId,
      actor,
      action: "apikey.revoked",
      targetType: "apikey",
      targetId: key.id,
      summary: `Revoked API key “${key.name}”`,
      data: { name: key.name, prefix: key.prefix },
    });
    return { id: key.id };
  });
}
