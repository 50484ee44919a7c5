// Lookups of the trigger endpoints (webhooks), which know a workflow only by its id.
import { type DbOrTx, prismaOf } from "./tx";

/** The workspace of a workflow that is not deleted, or null. */
export async function liveWorkflowWorkspace(db: DbOrTx, workflowId: string): Promise<string | null> {
  const wf = await prismaOf(db).workflow.findFirst({
    where: { id: workflowId, deletedAt: null },
    select: { workspaceId: true },
  });
  return wf?.workspaceId ?? null;
}
