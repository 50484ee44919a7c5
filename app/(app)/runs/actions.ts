"use server";
// Run actions from the run page: cancel, re-run (same or latest version), retry from the failed step.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { cancelRun, rerunRun, retryFromFailed } from "@/lib/runs/service";
import { authedAction } from "@/lib/server/action";

const RunId = z.object({ runId: z.string().min(1).max(100) });

export const cancelRunAction = authedAction({ action: "run.cancel", input: RunId }, async ({ actor, input, db }) => {
  const result = await cancelRun(db, actor, input.runId);
  revalidatePath(`/runs/${input.runId}`);
  return result;
});

export const retryRunAction = authedAction({ action: "run.retry", input: RunId }, async ({ actor, input, db }) =>
  retryFromFailed(db, actor, input.runId),
);

export const rerunRunAction = authedAction(
  { action: "run.start", input: RunId.extend({ version: z.enum(["same", "latest"]) }) },
  async ({ actor, input, db }) => rerunRun(db, actor, input.runId, input.version),
);
