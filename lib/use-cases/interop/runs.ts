// Runs started by another agent (over MCP or A2A): a run of the workflow's published version,
// carried on like any run (in this process or by the workers), followed through the run's event
// log until it ends or waits for a person. A caller that stops waiting does not stop the run.
import type { Actor } from "@/lib/auth/policy";
import { AppError } from "@/lib/contracts/app-errors";
import { isInputValidationError, type SerializedError } from "@/lib/contracts/errors";
import type { RunStatus, RunStore } from "@/lib/contracts/ports";
import type { Db } from "@/lib/db/client";
import type { ExposedWorkflow, Exposure } from "@/lib/db/interop";
import type { Engine } from "@/lib/engine/types";
import { startCallerOf, startWorkflowRun } from "../runs/start";

export interface InteropRunDeps {
  db: Db;
  engine: Pick<Engine, "startRun" | "startHere" | "runUntilPauseOrEnd" | "resume" | "cancel" | "retryFromFailed">;
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
  if (workflow.workspaceId !== actor.workspaceId)
    throw new AppError("forbidden:run", { message: "This API key's role cannot start runs." });
  try {
    const { runId } = await startWorkflowRun(deps, startCallerOf(actor), {
      trigger: via,
      source: {
        kind: "version",
        workflowId: workflow.id,
        workflowVersionId: workflow.versionId,
        version: workflow.version,
        document: workflow.document,
      },
      input,
      ...(context.taskId ? { runId: context.taskId } : {}),
      triggerData: { via },
      summary: ({ runId }) =>
        `Started run ${runId} of “${workflow.name}” (version ${workflow.version}) over ${via === "mcp" ? "MCP" : "A2A"}`,
    });
    return { runId };
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
