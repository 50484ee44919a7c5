// Run use cases for the web app and the API: start from the editor, cancel, re-run, retry from
// the failed step. Each checks that the run belongs to the actor's workspace (the caller checked
// the role), writes an audit entry, and carries new runs on in the background with the process's
// engine. There is ONE cancel: the editor's run panel and the run page both come here.
import type { Actor } from "@/lib/auth/policy";
import { AppError } from "@/lib/contracts/app-errors";
import type { RunStore } from "@/lib/contracts/ports";
import { recordAudit } from "@/lib/db/audit";
import type { Db } from "@/lib/db/client";
import { findRun } from "@/lib/db/runs";
import { getRunDetail } from "@/lib/db/runs-queries";
import { loadPublishedVersion } from "@/lib/db/workflows-store";
import { RetryRefusedError } from "@/lib/engine/retry";
import type { Engine } from "@/lib/engine/types";
import type { Dispatcher } from "@/lib/runtime/dispatch";
import { personId, scopeOf } from "../scope";
import { pinDraftForRun } from "../workflows/workflows";
import { admitRunStart } from "./limits";
import { RerunRefusedError, rerun } from "./rerun";
import { startCallerOf, startWorkflowRun } from "./start";

/** What the run use cases need: the database, and the process's engine and run store (a Host has all three). */
export interface RunDeps {
  db: Db;
  engine: Pick<Engine, "startRun" | "startHere" | "runUntilPauseOrEnd" | "resume" | "cancel" | "retryFromFailed">;
  store: Pick<RunStore, "loadRun">;
  /** The host's dispatcher (inline: executes here; workers: the run's job is already queued). */
  dispatcher?: Pick<Dispatcher, "carryOn">;
}

const TERMINAL = ["succeeded", "failed", "cancelled"];

async function ownRun(db: Db, actor: Actor, runId: string) {
  const run = await findRun(db, actor.workspaceId, runId);
  if (!run) throw new AppError("not_found:run");
  return run;
}

/** In the background: the page follows the new run live; recover() picks it up after a crash. */
function carryOn(deps: RunDeps, runId: string) {
  if (deps.dispatcher) return deps.dispatcher.carryOn(runId);
  deps.engine.resume(runId).catch((error: unknown) => console.error(`[runs] resuming ${runId} failed`, error));
}

/**
 * Starts a run of the workflow's draft, pinned to an immutable version of it (refused while the
 * draft has problems), and executes it in the background: returns the run id at once. Goes
 * through the one start path (./start.ts): admission, audit, dispatch.
 */
export async function startRunFromEditor(
  deps: RunDeps,
  actor: Actor,
  input: { workflowId: string; input: unknown; trigger?: "manual" | "chat" },
): Promise<{ runId: string; version: number; newVersion: boolean }> {
  const started = await startWorkflowRun(deps, startCallerOf(actor), {
    trigger: input.trigger ?? "manual",
    source: {
      kind: "draft",
      workflowId: input.workflowId,
      pin: () => pinDraftForRun(deps.db, scopeOf(actor), input.workflowId),
    },
    input: input.input,
  });
  return { runId: started.runId, version: started.version, newVersion: started.newVersion ?? false };
}

/** Cancels an unfinished run of the actor's workspace (conflict when it already ended), audited. */
export async function cancelRun(deps: RunDeps, actor: Actor, runId: string): Promise<{ status: string }> {
  const run = await ownRun(deps.db, actor, runId);
  if (TERMINAL.includes(run.status)) {
    throw new AppError("conflict:run", {
      message: `The run already ${run.status === "cancelled" ? "was cancelled" : run.status}.`,
    });
  }
  const result = await deps.engine.cancel(runId, actor.email || actor.name);
  await recordAudit(deps.db, {
    workspaceId: actor.workspaceId,
    actor,
    action: "run.cancelled",
    targetType: "run",
    targetId: runId,
    summary: `Cancelled run ${runId}`,
  });
  return { status: result.status };
}

/** A new run that reuses the failed run's completed steps and runs again from the failed ones. */
export async function retryRun(deps: RunDeps, actor: Actor, runId: string): Promise<{ runId: string; reused: number }> {
  await ownRun(deps.db, actor, runId);
  await admitRunStart(deps.db, actor.workspaceId, actor);
  let created: Awaited<ReturnType<RunDeps["engine"]["retryFromFailed"]>>;
  try {
    created = await deps.engine.retryFromFailed(runId, {
      workspaceId: actor.workspaceId,
      startedById: personId(actor),
    });
  } catch (error) {
    if (error instanceof RetryRefusedError) {
      throw new AppError(error.reason === "not_found" ? "not_found:run" : "conflict:run", { message: error.message });
    }
    throw error;
  }
  await recordAudit(deps.db, {
    workspaceId: actor.workspaceId,
    actor,
    action: "run.retried",
    targetType: "run",
    targetId: created.runId,
    summary: `Retried run ${runId} from its failed step (${created.reused} completed steps reused)`,
    data: { retryOf: runId, reused: created.reused, rerun: created.rerun },
  });
  carryOn(deps, created.runId);
  return { runId: created.runId, reused: created.reused };
}

/** Runs the same input again, on the version the run used or on the latest published one. */
export async function rerunRun(
  deps: RunDeps,
  actor: Actor,
  runId: string,
  version: "same" | "latest",
): Promise<{ runId: string }> {
  await ownRun(deps.db, actor, runId);
  await admitRunStart(deps.db, actor.workspaceId, actor);
  let started: { runId: string };
  try {
    started = await rerun(
      {
        engine: deps.engine,
        store: deps.store,
        latestVersion: async (workflowId) => {
          const v = await loadPublishedVersion(deps.db, actor.workspaceId, workflowId, "latest");
          return v ? { id: v.workflowVersionId, version: v.version, document: v.document } : null;
        },
      },
      runId,
      { version, workspaceId: actor.workspaceId, userId: personId(actor) },
    );
  } catch (error) {
    if (error instanceof RerunRefusedError) {
      throw new AppError(error.reason === "not_found" ? "not_found:run" : "conflict:version", {
        message: error.message,
      });
    }
    throw error;
  }
  await recordAudit(deps.db, {
    workspaceId: actor.workspaceId,
    actor,
    action: "run.rerun",
    targetType: "run",
    targetId: started.runId,
    summary: `Re-ran run ${runId} on the ${version === "same" ? "same" : "latest"} version`,
    data: { rerunOf: runId, version },
  });
  carryOn(deps, started.runId);
  return { runId: started.runId };
}

/** The editor's run panel: the run's status, steps (dates as ISO text) and approvals. */
export async function runSteps(db: Db, actor: Actor, runId: string) {
  const detail = await getRunDetail(db, actor.workspaceId, runId);
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
}
