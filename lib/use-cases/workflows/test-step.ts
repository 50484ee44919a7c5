// "Test step" in the editor: one node of the draft, run with sample data, outside any run
// (lib/engine/test-step.ts). The data is what the person typed, what the node received in an
// earlier run of this workflow, and every other node's pinned sample output (a node's `pinned`,
// set in the editor): what a person typed wins over an earlier run, which wins over pinned data.
// Audited like a run start: a tested step really calls its model, endpoint or tool.
import { z } from "zod";
import type { Actor } from "@/lib/auth/policy";
import { AppError } from "@/lib/contracts/app-errors";
import { recordAudit } from "@/lib/db/audit";
import type { Db } from "@/lib/db/client";
import { loadRunSample, runsThatReached } from "@/lib/db/step-samples";
import type { Engine, TestStepResult } from "@/lib/engine";
import { TestStepRefusedError } from "@/lib/engine";
import { parseDraft } from "./document";

export const testStepRequestSchema = z
  .object({
    nodeId: z.string().min(1).max(64),
    /** Sample run input; absent: the earlier run's, else `{}`. */
    input: z.unknown().optional(),
    /** Sample outputs of earlier nodes by id. */
    nodes: z.record(z.string(), z.object({ output: z.unknown() }).strict()).optional(),
    /** Take what the node received in this earlier run of the workflow. */
    fromRunId: z.string().min(1).max(100).optional(),
  })
  .strict();
export type TestStepRequest = z.infer<typeof testStepRequestSchema>;

export interface TestStepDeps {
  db: Db;
  engine: Pick<Engine, "testStep">;
}

export async function testWorkflowStep(
  deps: TestStepDeps,
  actor: Actor,
  workflowId: string,
  document: unknown,
  req: TestStepRequest,
): Promise<TestStepResult & { usedRunId: string | null }> {
  const draft = parseDraft(document) as unknown as Parameters<Engine["testStep"]>[0]["document"];
  const data = {
    input: {} as unknown,
    nodes: pinnedOutputs(draft.nodes, req.nodeId),
    vars: {} as Record<string, unknown>,
  };
  if (req.fromRunId) {
    const sample = await loadRunSample(deps.db, actor.workspaceId, req.fromRunId);
    if (!sample || sample.workflowId !== workflowId) {
      throw new AppError("not_found:run", { message: "That run was not found in this workflow's history." });
    }
    data.input = sample.input;
    Object.assign(data.nodes, sample.nodes);
    data.vars = sample.vars;
  }
  if (req.input !== undefined) data.input = req.input;
  if (req.nodes) Object.assign(data.nodes, req.nodes);
  let result: TestStepResult;
  try {
    result = await deps.engine.testStep({
      workspaceId: actor.workspaceId,
      workflowId,
      document: draft,
      nodeId: req.nodeId,
      data,
    });
  } catch (error) {
    if (error instanceof TestStepRefusedError) {
      throw new AppError("invalid:input", {
        message: error.message,
        fieldErrors: [{ path: "nodeId", message: error.message }],
      });
    }
    throw error;
  }
  await recordAudit(deps.db, {
    workspaceId: actor.workspaceId,
    actor,
    action: "step.tested",
    targetType: "workflow",
    targetId: workflowId,
    summary: `Tested step ${req.nodeId}${req.fromRunId ? ` with the data of run ${req.fromRunId}` : ""}: ${result.status}`,
  });
  return { ...result, usedRunId: req.fromRunId ?? null };
}

/** Other nodes' pinned sample outputs (the tested node's own pin is what it would answer, not what it reads). */
function pinnedOutputs(
  nodes: readonly { id: string; pinned?: { output?: unknown } }[],
  except: string,
): Record<string, { output: unknown }> {
  const out: Record<string, { output: unknown }> = {};
  for (const n of nodes)
    if (n.id !== except && n.pinned && "output" in n.pinned) out[n.id] = { output: n.pinned.output };
  return out;
}

/** Earlier runs of the workflow that reached the node: what "Test with the data of run …" offers. */
export async function testStepRuns(db: Db, actor: Actor, workflowId: string, nodeId: string) {
  const runs = await runsThatReached(db, actor.workspaceId, workflowId, nodeId);
  return runs.map((r) => ({ runId: r.runId, status: r.status, createdAt: r.createdAt.toISOString() }));
}
