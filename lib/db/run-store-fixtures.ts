// Rows a run needs before it can be stored (foreign keys): a workspace, a workflow and a version.
// Used by the run store's tests, the runtime tests and the benchmark.
import { randomBytes } from "node:crypto";
import type { Db } from "./client";

export interface SeededVersion {
  workspaceId: string;
  workflowId: string;
  workflowVersionId: string;
}

export const MINIMAL_DOCUMENT = {
  format: "switchboard.workflow/v1",
  name: "Fixture",
  nodes: [
    { id: "start", type: "trigger", config: { kind: "manual" } },
    { id: "done", type: "end", config: {} },
  ],
  edges: [{ source: "start", target: "done" }],
};

export async function seedWorkflowVersion(db: Db, document: unknown = MINIMAL_DOCUMENT): Promise<SeededVersion> {
  const tag = randomBytes(4).toString("hex");
  const ws = await db.prisma.workspace.create({ data: { name: `Fixture ${tag}`, slug: `fixture-${tag}` } });
  const wf = await db.prisma.workflow.create({
    data: { workspaceId: ws.id, name: "Fixture", draft: document as object },
  });
  const v = await db.prisma.workflowVersion.create({
    data: { workspaceId: ws.id, workflowId: wf.id, version: 1, document: document as object, contentHash: tag },
  });
  return { workspaceId: ws.id, workflowId: wf.id, workflowVersionId: v.id };
}
