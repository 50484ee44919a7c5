import { NonRetryableError } from "@/lib/contracts/errors";
import type { ChildRunOutcome, ExecResult, Executor } from "@/lib/contracts/node";
import type { SubworkflowConfig } from "./definition";

function fromChild(child: ChildRunOutcome, name: string): ExecResult {
  if (child.status === "succeeded") return { kind: "done", output: child.output, input: { childRunId: child.runId } };
  if (child.status === "failed" || child.status === "cancelled")
    throw new NonRetryableError(
      `The subworkflow run ${child.runId} of "${name}" ${child.status === "failed" ? "failed" : "was cancelled"}${
        child.error ? `: ${child.error.message}` : "."
      }`,
      { data: { childRunId: child.runId, childError: child.error } },
    );
  return { kind: "wait", childRunId: child.runId, input: { childRunId: child.runId } };
}

export const subworkflowExecutor: Executor<SubworkflowConfig> = {
  async run(ctx) {
    const input = await ctx.render(ctx.config.input);
    const child = await ctx.services.runChild({ workflow: ctx.config.workflow, version: ctx.config.version, input });
    return fromChild(child, ctx.nodeName);
  },
  async resume(ctx, wake) {
    if (wake.kind !== "child") throw new Error("subworkflow woken without a child run");
    return fromChild(wake.child, ctx.nodeName);
  },
};
