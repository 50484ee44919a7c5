// Runs started by another agent (over MCP or A2A): a run of the workflow's published version,
// carried on like any run (in this process or by the workers), followed through the run's event
// log until it ends or waits for a person. A caller that stops waiting does not stop the run.
import type { Actor } from "@/lib/auth/policy";
import { can } from "@/lib/auth/policy";
import { AppError } from "@/lib/contracts/app-errors";
import { isInputValidationError, type SerializedError } from "@/lib/contracts/errors";
import type { RunStatus, RunStore } from "@/lib/contracts/ports";
import { recordAudit } from "@/lib/db/audit";
import type { Db } from "@/lib/db/client";
import type { ExposedWorkflow, Exposure } from "@/lib/db/interop";
import type { Engine } from "@/lib/engine/types";

export interface InteropRunDeps {
  db: Db;
  engine: Pick<Engine, "startRun" | "runUntilPauseOrEnd" | "resume" | "cancel" | "retryFromFailed">;
  dispatcher: { carryOn(runId: string): void };
  store: Pick<RunStore, "loadRun">;
  notifier: {
    waitForEvents(
      runId: string,
      afterSeq: number,
      options?: { timeoutMs?: number; signal?: AbortSignal },
    ): Promise<number>;
  };
}

export interface RunSnapshot {
  runId: string;
  status: RunStatus;
  output: unknown;
  error: SerializedError | null;
  stepCount: number;
  waitingOnPerson: boolean;
}

const TERMINAL: readonly RunStatus[] = ["succeeded", "failed", "cancelled"];
export const isSettled = (s: RunSnapshot) => TERMINAL.includes(s.status) || s.status === "waiting";

/**
 * Starts a run of the offered workflow for the caller (role must allow starting runs). Bad input
 * is `invalid:input` naming the fields, and no run is created.
 */
export async function startOfferedRun(
  deps: InteropRunDeps,
  actor: Actor,
  workflow: ExposedWorkflow & { workspaceId: string },
  input: unknown,
  via: Exposure,
  context: { taskId?: string } = {},
): Promise<{ runId: string }> {
  if (workflow.workspaceId !== actor.workspaceId || !can(actor, "run.start", { workspaceId: workflow.workspaceId }))
    throw new AppError("forbidden:run", { message: "This API key's role cannot start runs." });
  let runId: string;
  try {
    ({ runId } = await deps.engine.startRun(
      {
        document: workflow.document,
        workspaceId: workflow.workspaceId,
        workflowId: workflow.id,
        workflowVersionId: workflow.versionId,
      },
      input ?? {},
      { trigger: via, startedById: null, ...(context.taskId ? { runId: context.taskId } : {}) },
    ));
  } catch (error) {
    if (isInputValidationError(error))
      throw new AppError("invalid:input", {
        message: `The input does not match the workflow's input schema: ${error.issues
          .slice(0, 3)
          .map((i) => `${i.path}: ${i.message}`)
          .join("; ")}`,
        fieldErrors: error.issues,
        cause: error,
      });
    throw error;
  }
  await recordAudit(deps.db, {
    workspaceId: workflow.workspaceId,
    actor,
    action: "run.started",
    targetType: "run",
    targetId: runId,
    summary: `Started run ${runId} of “${workflow.name}” (version ${workflow.version}) over ${via === "mcp" ? "MCP" : "A2A"}`,
    data: { workflowId: workflow.id, version: workflow.version, via },
  });
  deps.dispatcher.carryOn(runId);
  return { runId };
}

export async function runSnapshot(deps: Pick<InteropRunDeps, "store">, runId: string): Promise<RunSnapshot | null> {
  const run = await deps.store.loadRun(runId);
  if (!run) return null;
  return {
    runId: run.id,
    status: run.status,
    output: run.output,
    error: run.error,
    stepCount: run.stepCount,
    waitingOnPerson: run.waitingOnPerson,
  };
}

/**
 * Follows a run until it ends or waits (or `maxWaitMs` passes, or `signal` aborts: then the
 * current snapshot). `onProgress` hears each change of the step count.
 */
export async function followRun(
  deps: Pick<InteropRunDeps, "store" | "notifier">,
  runId: string,
  options: { signal?: AbortSignal; maxWaitMs?: number; onProgress?: (s: RunSnapshot) => void } = {},
): Promise<RunSnapshot> {
  const until = Date.now() + (options.maxWaitMs ?? 10 * 60_000);
  let seq = 0;
  let steps = -1;
  for (;;) {
    const snap = await runSnapshot(deps, runId);
    if (!snap) throw new AppError("not_found:run");
    if (snap.stepCount !== steps) {
      steps = snap.stepCount;
      options.onProgress?.(snap);
    }
    if (isSettled(snap) || options.signal?.aborted || Date.now() >= until) return snap;
    seq = await deps.notifier.waitForEvents(runId, seq, {
      timeoutMs: Math.min(1_000, Math.max(1, until - Date.now())),
      signal: options.signal,
    });
  }
}
