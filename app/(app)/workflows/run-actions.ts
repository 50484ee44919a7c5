"use server";
// Run from the editor: start (pinned to an immutable version of the draft, executed in the
// background so the action returns the run id at once), cancel, and step details.
import { z } from "zod";
import type { Db } from "@/lib/db/client";
import { getRunDetail } from "@/lib/db/runs-queries";
import { pinDraftForRun } from "@/lib/db/workflows";
import { createEngineFor } from "@/lib/runtime/engine";
import { authedAction } from "@/lib/server/action";
import { AppError } from "@/lib/server/errors";

const Id = z.string().min(1).max(100);

const loadWorkflow = async (input: { id: string }, db: Db) =>
  db.prisma.workflow.findFirst({ where: { id: input.id, deletedAt: null }, select: { workspaceId: true } });
const loadRun = async (input: { runId: string }, db: Db) =>
  db.prisma.run.findUnique({ where: { id: input.runId }, select: { workspaceId: true } });

export const startRunAction = authedAction(
  { action: "run.start", input: z.object({ id: Id, input: z.unknown() }), resource: loadWorkflow },
  async ({ actor, input, db }) => {
    const pinned = await pinDraftForRun(db, { workspaceId: actor.workspaceId, userId: actor.userId, actor }, input.id);
    const engine = await createEngineFor(db);
    const { runId } = await engine.startRun(
      {
        document: pinned.document,
        workspaceId: actor.workspaceId,
        workflowId: input.id,
        workflowVersionId: pinned.versionId,
      },
      input.input ?? {},
      { trigger: "manual", startedById: actor.userId },
    );
    // Execute in the background: the editor follows the run over SSE.
    void engine.runUntilPauseOrEnd(runId).catch((error: unknown) => {
      console.error(`[switchboard] run ${runId} stopped with an error`, error);
    });
    return { runId, version: pinned.version, newVersion: pinned.created };
  },
);

export const cancelRunAction = authedAction(
  { action: "run.cancel", input: z.object({ runId: Id }), resource: loadRun },
  async ({ actor, input, db }) => {
    const engine = await createEngineFor(db);
    const result = await engine.cancel(input.runId, actor.userId);
    return { status: result.status };
  },
);

export const runStepsAction = authedAction(
  { action: "run.read", input: z.object({ runId: Id }), resource: loadRun },
  async ({ actor, input, db }) => {
    const detail = await getRunDetail(db, actor.workspaceId, input.runId);
    if (!detail) throw new AppError("not_found:run");
    return {
      status: detail.run.status,
      steps: detail.steps.map((s) => ({
        ...s,
        startedAt: s.startedAt.toISOString(),
        endedAt: s.endedAt ? s.endedAt.toISOString() : null,
      })),
      approvals: detail.approvals.map((a) => ({ id: a.id, nodeId: a.nodeId, status: a.status, title: a.title })),
    };
  },
);
