"use server";
// Offering a workflow's published version to other agents: as a tool on /api/mcp and as an A2A
// agent with its own card. Editors who may publish turn it on or off; audited.
import { z } from "zod";
import { authedAction } from "@/lib/server/action";
import { setWorkflowExposure, workflowExposure } from "@/lib/use-cases/interop";

const id = z.string().min(1).max(100);

export const getWorkflowExposureAction = authedAction(
  { action: "workflow.read", input: z.object({ workflowId: id }) },
  ({ actor, input, db }) => workflowExposure(db, actor, input.workflowId),
);

export const setWorkflowExposureAction = authedAction(
  {
    action: "workflow.publish",
    input: z.object({ workflowId: id, exposeMcp: z.boolean().optional(), exposeA2a: z.boolean().optional() }),
  },
  ({ actor, input, db }) => setWorkflowExposure(db, actor, input),
);
