"use server";
// "Test step" in the editor's side panel: runs one node of the draft with sample data (nothing is
// stored but an audit entry), and lists the earlier runs whose data it can reuse. Same role as
// running the workflow: a tested step really calls its model, endpoint or tool.
import { z } from "zod";
import { ACTION_LARGE_BODY_BYTES, authedAction } from "@/lib/server/action";
import { loadWorkflow } from "@/lib/server/resources";
import { testStepRequestSchema, testStepRuns, testWorkflowStep } from "@/lib/use-cases/workflows/test-step";

const Id = z.string().min(1).max(100);

export const testStepAction = authedAction(
  {
    action: "run.start",
    input: z.object({ id: Id, document: z.unknown(), request: testStepRequestSchema }).strict(),
    resource: loadWorkflow,
    maxBodyBytes: ACTION_LARGE_BODY_BYTES,
  },
  ({ actor, input, host, db }) =>
    testWorkflowStep({ db, engine: host.engine }, actor, input.id, input.document, input.request),
);

export const testStepRunsAction = authedAction(
  {
    action: "run.read",
    input: z.object({ id: Id, nodeId: z.string().min(1).max(64) }).strict(),
    resource: loadWorkflow,
  },
  ({ actor, input, db }) => testStepRuns(db, actor, input.id, input.nodeId),
);
