// Re-run a run with the same input, on the version it ran on or on the workflow's latest
// published version. A new run (trigger "rerun", retryOfRunId = the original) through the
// engine's normal start, so input validation, budgets and the event stream all apply.

import type { RunStore } from "@/lib/contracts/ports";
import type { Engine } from "@/lib/engine/types";

export interface LatestVersion {
  id: string;
  version: number;
  document: unknown;
}

export interface RerunDeps {
  engine: Pick<Engine, "startRun">;
  store: Pick<RunStore, "loadRun">;
  latestVersion: (workflowId: string) => Promise<LatestVersion | null>;
}

export class RerunRefusedError extends Error {
  constructor(
    readonly reason: "not_found" | "no_version",
    message: string,
  ) {
    super(message);
    this.name = "RerunRefusedError";
  }
}

export async function rerun(
  deps: RerunDeps,
  runId: string,
  opts: { version: "same" | "latest"; workspaceId: string; userId: string | null },
): Promise<{ runId: string; workflowVersionId: string }> {
  const run = await deps.store.loadRun(runId);
  if (!run || run.workspaceId !== opts.workspaceId) throw new RerunRefusedError("not_found", "Run not found.");
  let source = { document: run.document as unknown, workflowVersionId: run.workflowVersionId };
  if (opts.version === "latest") {
    const latest = await deps.latestVersion(run.workflowId);
    if (!latest) throw new RerunRefusedError("no_version", "The workflow has no published version any more.");
    source = { document: latest.document, workflowVersionId: latest.id };
  }
  const started = await deps.engine.startRun(
    { ...source, workspaceId: run.workspaceId, workflowId: run.workflowId },
    run.input,
    { trigger: "rerun", startedById: opts.userId, retryOfRunId: run.id },
  );
  return { runId: started.runId, workflowVersionId: source.workflowVersionId };
}
