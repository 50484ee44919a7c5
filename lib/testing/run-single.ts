/** Test helper: run one node of a type after the trigger, return the run result and its step. */

import type { WorkflowEdge, WorkflowNode } from "@/lib/contracts/workflow-document";
import { edge, node, trigger, workflow } from "@/lib/engine/testing/builders";
import type { RunResult } from "@/lib/engine/types";
import { createTestEngine, type TestEngineOptions } from "./test-engine";

export async function runSingle(
  type: string,
  config: Record<string, unknown>,
  input: unknown = {},
  options: TestEngineOptions & {
    extraNodes?: WorkflowNode[];
    extraEdges?: WorkflowEdge[];
    node?: Partial<WorkflowNode>;
  } = {},
) {
  const t = createTestEngine(options);
  const doc = workflow(
    [trigger(), node("subject", type, config, options.node ?? {}), ...(options.extraNodes ?? [])],
    [edge("start", "subject"), ...(options.extraEdges ?? [])],
  );
  const result: RunResult = await t.engine.execute({ document: doc }, input);
  const step = result.steps.filter((s) => s.nodeId === "subject").at(-1);
  return { t, result, step };
}
