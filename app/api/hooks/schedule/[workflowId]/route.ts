// The editor's view of a published schedule trigger (signed-in editors of the workspace):
//   GET  → { schedule: { cron, timezone, missedPolicy, paused, nextFireAt, lastFireAt } | null }
//   POST { paused: boolean } → pauses or resumes it (resuming does not make up paused fire times), audited
import { z } from "zod";
import { recordAudit } from "@/lib/db/audit";
import { authedRoute } from "@/lib/server/route";
import { pauseSchedule, scheduleOf } from "@/lib/use-cases/triggers/schedules";
import { requireWorkflow } from "@/lib/use-cases/workflows/workflows";

export const dynamic = "force-dynamic";

export const GET = authedRoute({ action: "workflow.read" }, async ({ actor, db, params }) => {
  const workflowId = String(params.workflowId);
  await requireWorkflow(db, actor.workspaceId, workflowId);
  return { schedule: await scheduleOf(db, actor.workspaceId, workflowId) };
});

export const POST = authedRoute(
  { action: "workflow.publish", input: z.object({ paused: z.boolean() }).strict() },
  async ({ actor, db, params, input }) => {
    const workflowId = String(params.workflowId);
    await requireWorkflow(db, actor.workspaceId, workflowId);
    const schedule = await pauseSchedule(db, actor.workspaceId, workflowId, input.paused);
    await recordAudit(db, {
      workspaceId: actor.workspaceId,
      actor,
      action: input.paused ? "schedule.paused" : "schedule.resumed",
      targetType: "workflow",
      targetId: workflowId,
      summary: `${input.paused ? "Paused" : "Resumed"} the schedule (${schedule.cron}, ${schedule.timezone})`,
    });
    return { schedule };
  },
);
