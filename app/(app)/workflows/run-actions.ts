"use server";
// Runs from the editor: start (pinned to an immutable version of the draft, executed in the
// background so the action returns the run id at once), cancel (the same cancel as the run
// page's), and step details. One-liners over lib/use-cases/runs.
import { z } from "zod";
import { authedAction } from "@/lib/server/action";
import { loadRun, loadWorkflow } from "@/lib/server/resources";
import { cancelRun, runSteps, startRunFromEditor } from "@/lib/use-cases/runs";

const Id = z.string().min(1).max(100);

export const startRunAction = authedAction(
  { action: "run.start", input: z.object({ id: Id, input: z.unknown() }), resource: loadWorkflow },
  ({ actor, input, host }) => startRunFromEditor(host, actor, { workflowId: input.id, input: input.input }),
);

export const cancelRunAction = authedAction(
  { action: "run.cancel", input: z.object({ runId: Id }), resource: loadRun },
  ({ actor, input, host }) => cancelRun(host, actor, input.runId),
);

export const runStepsAction = authedAction(
  { action: "run.read", input: z.object({ runId: Id }), resource: loadRun },
  ({ actor, input, db }) => runSteps(db, actor, input.runId),
);
