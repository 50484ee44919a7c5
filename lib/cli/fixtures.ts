// Workflow documents the CLI tests write to files.

import type { WorkflowDocument } from "@/lib/contracts/workflow-document";
import { agentChain, edge, node, trigger, workflow } from "../engine/testing/builders";
import { HITL_DOCUMENT } from "./bench";

export { HITL_DOCUMENT };

export const CHAIN_3: WorkflowDocument = { ...agentChain(3), name: "CLI chain" };

/** Needs `input.message` (a string). */
export const WITH_INPUT: WorkflowDocument = workflow(
  [
    trigger(),
    node("echo", "agent", { model: "simulated", prompt: "{{ input.message }}", simulate: { output: "echo" } }),
    node("done", "end", { output: { said: "{{ input.message }}" } }),
  ],
  [edge("start", "echo"), edge("echo", "done")],
  {
    name: "CLI input",
    input: { type: "object", properties: { message: { type: "string" } }, required: ["message"] },
  },
);

/** An agent that always fails (server errors, one attempt). */
export const FAILING: WorkflowDocument = workflow(
  [
    trigger(),
    node(
      "broken",
      "agent",
      { model: "simulated", prompt: "x", simulate: { failTimes: 100, failWith: "server_error" } },
      { retry: { maxAttempts: 1 } },
    ),
    node("done", "end", {}),
  ],
  [edge("start", "broken"), edge("broken", "done")],
  { name: "CLI failing" },
);

/**
 * trigger → fast1 → fast2 → slow → after → end. The crash test kills the CLI while `slow` runs.
 */
export function slowChain(slowMs: number): WorkflowDocument {
  const agent = (id: string, latencyMs: number) =>
    node(id, "agent", { model: "simulated", prompt: id, simulate: { output: `${id} done`, latencyMs } });
  return workflow(
    [
      trigger(),
      agent("fast1", 20),
      agent("fast2", 20),
      agent("slow", slowMs),
      agent("after", 20),
      node("done", "end", { output: "{{ nodes.after.output }}" }),
    ],
    [
      edge("start", "fast1"),
      edge("fast1", "fast2"),
      edge("fast2", "slow"),
      edge("slow", "after"),
      edge("after", "done"),
    ],
    { name: "CLI slow chain" },
  );
}
