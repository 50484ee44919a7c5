"use server";
// Run actions from the run page: cancel (the same cancel as the editor's), re-run (same or latest
// version), retry from the failed step. One-liners over lib/use-cases/runs.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authedAction } from "@/lib/server/action";
import { loadRun } from "@/lib/server/resources";
import { cancelRun, rerunRun, retryRun } from "@/lib/use-cases/runs";

const RunId = z.object({ runId: z.string().min(1).max(100) });

export const cancelRunAction = authedAction(
  { action: "run.cancel", input: RunId, resource: loadRun },
  async ({ actor, input, host }) => {
    const result = await cancelRun(host, actor, input.runId);
    revalidatePath(`/runs/${input.runId}`);
    return result;
  },
);

export const retryRunAction = authedAction(
  { action: "run.retry", input: RunId, resource: loadRun },
  ({ actor, input, host }) => retryRun(host, actor, input.runId),
);

export const rerunRunAction = authedAction(
  { action: "run.start", input: RunId.extend({ version: z.enum(["same", "latest"]) }), resource: loadRun },
  ({ actor, input, host }) => rerunRun(host, actor, input.runId, input.version),
);
