// API keys: created with a role in the actor's workspace (the secret is returned once), revoked
// for good. Each change and its audit entry commit together.
import type { Actor } from "@/lib/auth/policy";
import type { Role } from "@/lib/auth/roles";
import { createApiKey as createApiKeyRow, revokeApiKey as revokeApiKeyRow } from "@/lib/db/api-keys";
import { recordAudit } from "@/lib/db/audit";
import type { Db } from "@/lib/db/client";
import { transaction } from "@/lib/db/tx";

export async function createApiKey(
  db: Db,
  actor: Actor,
  input: { name: string; role: Role },
): Promise<{ id: string; name: string; key: string }> {
  return transaction(db, async (tx) => {
    const created = await createApiKeyRow(tx, {
      workspaceId: actor.workspaceId,
      name: input.name,
      role: input.role,
      createdById: actor.userId,
    });
    await recordAudit(tx, {
      workspaceId: actor.workspaceId,
      actor,
      action: "apikey.created",
      targetType: "apikey",
      targetId: created.apiKey.id,
      summary: `Created API key “${input.name}” (${input.role})`,
      data: { name: input.name, role: input.role, prefix: created.apiKey.prefix },
    });
    return { id: created.apiKey.id, name: created.apiKey.name, key: created.key };
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
