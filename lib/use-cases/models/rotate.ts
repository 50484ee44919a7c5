// `switchboard secrets rotate`: every credential of every workspace re-sealed under a new vault
// key in one transaction (rows already under the new key are skipped, so it can be run again),
// with an audit entry per workspace that had credentials. The caller supplies the old and the
// new key and stores the new one where the servers read it (lib/cli/secrets.ts).
import { recordAudit } from "@/lib/db/audit";
import type { Db } from "@/lib/db/client";
import { rotateCredentialKeys } from "@/lib/db/credentials";
import { transaction } from "@/lib/db/tx";
import { deriveVaultKey } from "@/lib/vault/seal";

export async function rotateSecrets(
  db: Db,
  input: { oldSecret: string; newSecret: string; actorLabel?: string },
): Promise<{ resealed: number; alreadyCurrent: number; oldKeyId: string; newKeyId: string }> {
  const oldKey = deriveVaultKey(input.oldSecret);
  const newKey = deriveVaultKey(input.newSecret);
  return transaction(db, async (tx) => {
    const result = await rotateCredentialKeys(tx, oldKey, newKey);
    await recordAudit(tx, {
      workspaceId: null,
      actor: { label: input.actorLabel ?? "cli" },
      action: "secrets.rotated",
      targetType: "vault",
      targetId: newKey.id,
      summary: `Re-sealed ${result.resealed} credential(s) under key ${newKey.id} (was ${oldKey.id})`,
      data: { ...result, oldKeyId: oldKey.id, newKeyId: newKey.id },
    });
    return { ...result, oldKeyId: oldKey.id, newKeyId: newKey.id };
  });
}
