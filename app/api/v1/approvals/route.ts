// GET /api/v1/approvals?tab=waiting|decided|all&workflowId=&minAgeMs=&limit= — the inbox lists.
import { z } from "zod";
import { can } from "@/lib/auth/policy";
import { AppError } from "@/lib/contracts/app-errors";
import { listApprovals } from "@/lib/db/approvals";
import { authedRoute } from "@/lib/server/route";
import { approvalJson } from "./serialize";

export const dynamic = "force-dynamic";

export const GET = authedRoute(
  {
    action: "approval.read",
    input: z.object({
      tab: z.enum(["waiting", "decided", "all"]).default("waiting"),
      workflowId: z.string().min(1).max(100).optional(),
      minAgeMs: z.coerce.number().int().nonnegative().optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  async ({ actor, input, db }) => {
    if (input.tab === "all" && !can(actor, "approval.readAll", { workspaceId: actor.workspaceId })) {
      throw new AppError("forbidden:approval", { message: "Only admins can list all approvals." });
    }
    const items = await listApprovals(db, actor, input);
    return { approvals: items.map(approvalJson) };
  },
);
