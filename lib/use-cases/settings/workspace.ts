// Workspace settings: its name and how long run history is kept. Admins only (the caller checked
// settings.manage); each change and its audit entry commit together.
import type { Actor } from "@/lib/auth/policy";
import { recordAudit } from "@/lib/db/audit";
import type { Db } from "@/lib/db/client";
import { setWorkspaceRetention } from "@/lib/db/retention";
import { setWorkspaceSeparationOfDuties } from "@/lib/db/separation";
import { transaction } from "@/lib/db/tx";
import { renameWorkspace as renameWorkspaceRow } from "@/lib/db/workspaces";

export async function renameWorkspace(db: Db, actor: Actor, input: { name: string }): Promise<{ name: string }> {
  return transaction(db, async (tx) => {
    const { before, after } = await renameWorkspaceRow(tx, { id: actor.workspaceId, name: input.name });
    await recordAudit(tx, {
      workspaceId: actor.workspaceId,
      actor,
      action: "workspace.renamed",
      targetType: "workspace",
      targetId: actor.workspaceId,
      summary: `Renamed the workspace from “${before}” to “${after.name}”`,
      data: { from: before, to: after.name },
    });
    return { name: after.name };
  });
}

/** "Keep run history for N days" (null: keep forever). The runner prunes about daily. */
export async function setRetention(
  db: Db,
  actor: Actor,
  input: { retentionDays: number | null },
): Promise<{ retentionDays: number | null }> {
  return transaction(db, async (tx) => {
    const change = await setWorkspaceRetention(tx, actor.workspaceId, input.retentionDays);
    const says = (d: number | null) => (d === null ? "forever" : `${d} days`);
    await recordAudit(tx, {
      workspaceId: actor.workspaceId,
      actor,
      action: "workspace.retention_changed",
      targetType: "workspace",
      targetId: actor.workspaceId,
      summary: `Run history kept ${says(change.after)} (was ${says(change.before)})`,
      data: { from: change.before, to: change.after },
    });
    return { retentionDays: change.after };
  });
}

/** Separation of duties: the run's starter (or its version's publisher) cannot decide its approvals. */
export async function setSeparationOfDuties(
  db: Db,
  actor: Actor,
  input: { enabled: boolean },
): Promise<{ enabled: boolean }> {
  return transaction(db, async (tx) => {
    const change = await setWorkspaceSeparationOfDuties(tx, actor.workspaceId, input.enabled);
    await recordAudit(tx, {
      workspaceId: actor.workspaceId,
      actor,
      action: "workspace.separation_of_duties_changed",
      targetType: "workspace",
      targetId: actor.workspaceId,
      summary: `Separation of duties turned ${change.after ? "on" : "off"}${change.before === change.after ? " (unchanged)" : ""}`,
      data: { from: change.before, to: change.after },
    });
    return { enabled: change.after };
  });
}
