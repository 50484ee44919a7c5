import type { Executor, StepDone } from "@/lib/contracts/node";
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
    const payload = c.data === undefined ? ctx.data.input : await ctx.render(c.data);
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
  async resume(_ctx, wake) {
    if (wake.kind !== "approval") throw new Error("approval node woken without an approval");
    return approvalOutcome(wake.approval);
  },
};
