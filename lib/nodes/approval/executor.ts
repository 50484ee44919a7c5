import { ApprovalRejectedError } from "@/lib/contracts/errors";
import type { ExecContext, Executor, StepDone } from "@/lib/contracts/node";
import type { ApprovalRecord } from "@/lib/contracts/ports";
import type { ApprovalConfig } from "./definition";

function asText(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** Output after a decision: the decision, who, and the data (edited data when edited). */
export function approvalOutcome(approval: ApprovalRecord): StepDone {
  const approved = approval.status === "approved";
  const edited = approval.decision?.data !== undefined;
  return {
    kind: "done",
    outcome: approved ? "approved" : "rejected",
    output: {
      decision: approved ? "approved" : "rejected",
      comment: approval.decision?.comment ?? null,
      decidedBy: approval.decidedById,
      via: approval.decision?.via ?? "person",
      edited,
      data: edited ? approval.decision?.data : approval.payload,
    },
  };
}

export const approvalExecutor: Executor<ApprovalConfig> = {
  async run(ctx) {
    const c = ctx.config;
    const title = asText(await ctx.render(c.title)).slice(0, 500);
    const details = asText(await ctx.render(c.details)).slice(0, 20_000);
    // Without `data`: what the step before produced (an agent's draft), not the run input.
    const payload = c.data === undefined ? previousData(ctx) : await ctx.render(c.data);
    return {
      kind: "wait",
      input: { title },
      approval: {
        kind: "approval",
        title,
        details,
        payload: payload ?? null,
        allowEdit: c.allowEdit,
        editSchema: c.editSchema ?? null,
        assignees: c.assignees,
        escalateTo: c.escalateTo?.map((l) => ({ ...l, timeoutMs: l.timeoutMs ?? c.timeoutMs })) ?? null,
        timeoutMs: c.timeoutMs,
        onTimeout: c.onTimeout,
      },
    };
  },
  async resume(ctx, wake) {
    if (wake.kind !== "approval") throw new Error("approval node woken without an approval");
    const done = approvalOutcome(wake.approval);
    // A rejection with nowhere to go ends the run as failed, saying why — not as "succeeded".
    if (done.outcome === "rejected" && !ctx.connectedOutcomes.has("rejected")) throw rejectedError(ctx, done);
    return done;
  },
};

function previousData(ctx: ExecContext<ApprovalConfig>): unknown {
  const previous = ctx.previous();
  return previous ? previous.output : ctx.data.input;
}

function rejectedError(ctx: ExecContext<ApprovalConfig>, done: StepDone): ApprovalRejectedError {
  const out = done.output as { comment: string | null; via: string; decidedBy: string | null };
  const who = out.via === "timeout" || out.via === "system" ? "when its deadline passed" : "by a person";
  const why = out.comment ? `: ${out.comment}` : ".";
  return new ApprovalRejectedError(`"${ctx.nodeName}" was rejected ${who}${why}`, { data: { ...out } });
}
