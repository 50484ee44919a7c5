"use server";
// Inbox server actions: one-liners over lib/use-cases/approvals (the use cases check the assignee
// rule, single use, reasons and the decision's validation; authedAction checks the session
// first). A viewer calling these directly is refused by the use case's policy check.
import { z } from "zod";
import { userText } from "@/lib/contracts/text";
import { authedAction } from "@/lib/server/action";
import { loadApproval } from "@/lib/server/resources";
import { bulkApprove, commentOnApproval, decideApproval, reassignApproval } from "@/lib/use-cases/approvals";

const Id = z.string().min(1).max(100);

export const decideAction = authedAction(
  {
    action: "approval.decide",
    input: z.object({
      approvalId: Id,
      decision: z.enum(["approve", "reject"]),
      reason: userText().max(2000).optional(),
      comment: userText().max(4000).optional(),
      data: z.unknown().optional(),
    }),
    resource: loadApproval,
  },
  async ({ actor, input, host }) => {
    const outcome = await decideApproval(host.approvals, actor, { ...input, via: "inbox" });
    return { status: outcome.status, runId: outcome.runId, engineMs: outcome.engineMs };
  },
);

export const bulkApproveAction = authedAction(
  { action: "approval.read", input: z.object({ approvalIds: z.array(Id).min(1).max(100) }) },
  ({ actor, input, host }) => bulkApprove(host.approvals, actor, input),
);

export const reassignAction = authedAction(
  {
    action: "approval.read",
    input: z.object({
      approvalId: Id,
      roles: z.array(z.string()).max(4),
      userIds: z.array(Id).max(50),
      note: userText().max(2000).optional(),
    }),
  },
  async ({ actor, input, host }) => {
    const result = await reassignApproval(host.approvals, actor, input);
    return { roles: result.roles, userIds: result.userIds };
  },
);

export const commentAction = authedAction(
  { action: "approval.read", input: z.object({ approvalId: Id, comment: userText().max(4000) }) },
  async ({ actor, input, db }) => {
    await commentOnApproval({ db }, actor, input);
    return null;
  },
);
