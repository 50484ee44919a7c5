// A published version's document as the Versions tab shows it: as stored to people who can edit
// the workflow; to everyone else (viewers, approvers) with the literal secrets typed into headers
// and URLs masked and the workspace's credential values redacted, like the editor page shows
// them the draft (app/(app)/workflows/[id]/page.tsx).
import { type Actor, can } from "@/lib/auth/policy";
import type { SecretRedaction } from "@/lib/contracts/ports";
import type { Db } from "@/lib/db/client";
import { maskSecretLiterals } from "@/lib/workflow/secret-literals";
import { getVersionDocument } from "./workflows";

export async function versionDocumentFor(
  db: Db,
  actor: Actor,
  redaction: SecretRedaction,
  id: string,
  version: number,
): Promise<Record<string, unknown>> {
  const document = await getVersionDocument(db, actor.workspaceId, id, version);
  if (can(actor, "workflow.update", { workspaceId: actor.workspaceId })) return document;
  await redaction.prepare(actor.workspaceId);
  return redaction.redact(actor.workspaceId, maskSecretLiterals(document));
}
