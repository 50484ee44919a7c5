// What a step received in an earlier run, for "Test step" in the editor: the run's input, the
// last successful output of every node, and the run's shared vars. Workspace-scoped: another
// workspace's run reads as one that does not exist.
import { type DbOrTx, prismaOf } from "./tx";

export interface RunSample {
  runId: string;
  workflowId: string;
  input: unknown;
  nodes: Record<string, { output: unknown }>;
  vars: Record<string, unknown>;
}

export async function loadRunSample(db: DbOrTx, workspaceId: string, runId: string): Promise<RunSample | null> {
  const p = prismaOf(db);
  const run = await p.run.findFirst({
    where: { id: runId, workspaceId },
    select: { id: true, workflowId: true, input: true, state: true },
  });
  if (!run) return null;
  const steps = await p.step.findMany({
    where: { runId, status: "succeeded" },
    orderBy: [{ endedAt: "asc" }, { visit: "asc" }],
    select: { nodeId: true, output: true },
  });
  const nodes: Record<string, { output: unknown }> = {};
  // the last visit wins, as `nodes.<id>` reads in the run itself
  for (const s of steps) nodes[s.nodeId] = { output: s.output ?? null };
  const state = (run.state ?? {}) as { vars?: Record<string, unknown> };
  return { runId: run.id, workflowId: run.workflowId, input: run.input ?? {}, nodes, vars: state.vars ?? {} };
}

/** The latest runs of a workflow in which this node ran (newest first). */
export async function runsThatReached(
  db: DbOrTx,
  workspaceId: string,
  workflowId: string,
  nodeId: string,
  limit = 10,
): Promise<{ runId: string; status: string; createdAt: Date }[]> {
  const runs = await prismaOf(db).run.findMany({
    where: { workspaceId, workflowId, steps: { some: { nodeId } } },
    orderBy: { createdAt: "desc" },
    select: { id: true, status: true, createdAt: true },
    take: limit,
  });
  return runs.map((r) => ({ runId: r.id, status: r.status, createdAt: r.createdAt }));
}
