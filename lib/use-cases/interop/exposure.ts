// Offering a workflow to other agents: as a tool on /api/mcp, as an A2A agent. An editor turns it
// on per workflow; what is offered is the workflow's published (latest) version. Audited.
import type { Actor } from "@/lib/auth/policy";
import { recordAudit } from "@/lib/db/audit";
import type { Db } from "@/lib/db/client";
import { getExposure, setExposure } from "@/lib/db/interop";
import { transaction } from "@/lib/db/tx";

export interface ExposureChange {
  workflowId: string;
  exposeMcp?: boolean;
  exposeA2a?: boolean;
}

export function workflowExposure(db: Db, actor: Actor, workflowId: string) {
  return getExposure(db, actor.workspaceId, workflowId);
}

export async function setWorkflowExposure(
  db: Db,
  actor: Actor,
  change: ExposureChange,
): Promise<{ exposeMcp: boolean; exposeA2a: boolean }> {
  return transaction(db, async (tx) => {
    const { before, after } = await setExposure(tx, actor.workspaceId, change.workflowId, {
      ...(change.exposeMcp !== undefined ? { exposeMcp: change.exposeMcp } : {}),
      ...(change.exposeA2a !== undefined ? { exposeA2a: change.exposeA2a } : {}),
    });
    const said = (on: boolean, what: string) => `${on ? "offered" : "no longer offered"} as ${what}`;
    const parts = [
      before.exposeMcp !== after.exposeMcp ? said(after.exposeMcp, "an MCP tool") : null,
      before.exposeA2a !== after.exposeA2a ? said(after.exposeA2a, "an A2A agent") : null,
    ].filter(Boolean);
    if (parts.length > 0)
      await recordAudit(tx, {
        workspaceId: actor.workspaceId,
        actor,
        action: "workflow.exposure_changed",
        targetType: "workflow",
        targetId: change.workflowId,
        summary: `Workflow ${parts.join(" and ")}`,
        data: { before, after },
      });
    return after;
  });
}
