// Run actions for the web app and the API: cancel, re-run, retry from the failed step. Each
// checks the run belongs to the actor's workspace (the caller has already checked the role),
// writes an audit entry, and carries new runs on in the background with the shared engine.
import type { Actor } from "@/lib/auth/policy";
import { recordAudit } from "@/lib/db/audit";
import type { Db } from "@/lib/db/client";
import { loadPublishedVersion } from "@/lib/db/workflows-store";
import { createIdGenerator } from "@/lib/engine/clock";
import { sharedRuntime } from "@/lib/runtime/engine";
import { AppError } from "@/lib/server/errors";
import { RerunRefusedError, rerun } from "./rerun";
import { createRetryRun, RetryRefusedError } from "./retry";

async function ownRun(db: Db, actor: Actor, runId: string) {
  const run = await db.prisma.run.findFirst({
    where: { id: runId, workspaceId: actor.workspaceId },
    select: { id: true, status: true, workflowId: true },
  });
  if (!run) throw new AppError("not_found:run");
  return run;
}

function carryOn(db: Db, runId: string) {
  const { engine } = sharedRuntime(db);
  // In the background: the page follows the new run live; recover() picks it up after a crash.
  engine.resume(runId).catch((error: unknown) => console.error(`[runs] resuming ${runId} failed`, error));
}

export async function cancelRun(db: Db, actor: Actor, runId: string): Promise<{ status: string }> {
  const run = await ownRun(db, actor, runId);
  if (["succeeded", "failed", "cancelled"].includes(run.status)) {
    throw new AppError("conflict:run", {
      message: `The run already ${run.status === "cancelled" ? "was cancelled" : run.status}.`,
    });
  }
  const result = await sharedRuntime(db).engine.cancel(runId, actor.email || actor.name);
  await recordAudit(db.prisma, {
    workspaceId: actor.workspaceId,
    actor,
    action: "run.cancelled",
    targetType: "run",
    targetId: runId,
    summary: `Cancelled run ${runId}`,
  });
  return { status: result.status };
}

export async function retryFromFailed(db: Db, actor: Actor, runId: string): Promise<{ runId: string; reused: number }> {
  await ownRun(db, actor, runId);
  const rt = sharedRuntime(db);
  let created: Awaited<ReturnType<typeof createRetryRun>>;
  try {
    created = await createRetryRun(
      { store: rt.store, ids: createIdGenerator(), now: () => new Date(), owner: rt.owner },
      runId,
      { workspaceId: actor.workspaceId, userId: actor.via === "session" ? actor.userId : null },
    );
  } catch (error) {
    if (error instanceof RetryRefusedError) {
      throw new AppError(error.reason === "not_found" ? "not_found:run" : "conflict:run", { message: error.message });
    }
    throw error;
  }
  await recordAudit(db.prisma, {
    workspaceId: actor.workspaceId,
    actor,
    action: "run.retried",
    targetType: "run",
    targetId: created.runId,
    summary: `Retried run ${runId} from its failed step (${created.reused} completed steps reused)`,
    data: { retryOf: runId, reused: created.reused, rerun: created.rerun },
  });
  carryOn(db, created.runId);
  return { runId: created.runId, reused: created.reused };
}

export async function rerunRun(
  db: Db,
  actor: Actor,
  runId: string,
  version: "same" | "latest",
): Promise<{ runId: string }> {
  await ownRun(db, actor, runId);
  const rt = sharedRuntime(db);
  let started: { runId: string };
  try {
    started = await rerun(
      {
        engine: rt.engine,
        store: rt.store,
        latestVersion: async (workflowId) => {
          const v = await loadPublishedVersion(db, actor.workspaceId, workflowId, "latest");
          return v ? { id: v.workflowVersionId, version: v.version, document: v.document } : null;
        },
      },
      runId,
      { version, workspaceId: actor.workspaceId, userId: actor.via === "session" ? actor.userId : null },
    );
  } catch (error) {
    if (error instanceof RerunRefusedError) {
      throw new AppError(error.reason === "not_found" ? "not_found:run" : "conflict:version", {
        message: error.message,
      });
    }
    throw error;
  }
  await recordAudit(db.prisma, {
    workspaceId: actor.workspaceId,
    actor,
    action: "run.rerun",
    targetType: "run",
    targetId: started.runId,
    summary: `Re-ran run ${runId} on the ${version === "same" ? "same" : "latest"} version`,
    data: { rerunOf: runId, version },
  });
  carryOn(db, started.runId);
  return { runId: started.runId };
}
