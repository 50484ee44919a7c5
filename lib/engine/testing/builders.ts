/** Small builders for workflow documents in tests and benchmarks. */
import type { WorkflowDocument, WorkflowEdge, WorkflowNode } from "@/lib/contracts/workflow-document";

export type NodeSpec = Omit<WorkflowNode, "config"> & { config?: Record<string, unknown> };

export function node(
  id: string,
  type: string,
  config: Record<string, unknown> = {},
  extra: Partial<WorkflowNode> = {},
): WorkflowNode {
  return { id, type, config, ...extra };
}

export function edge(source: string, target: string, sourceHandle?: string): WorkflowEdge {
  return sourceHandle ? { source, target, sourceHandle } : { source, target };
}

export function workflow(
  nodes: WorkflowNode[],
  edges: WorkflowEdge[],
  extra: Partial<Omit<WorkflowDocument, "nodes" | "edges">> = {},
): WorkflowDocument {
  return { format: "switchboard.workflow/v1", name: extra.name ?? "Test workflow", ...extra, nodes, edges };
}

export const trigger = (id = "start") => node(id, "trigger", { kind: "manual" });

/** trigger → a1 → … → aN → end: a chain of simulated agents. */
export function agentChain(n: number, simulate: Record<string, unknown> = { output: "ok" }): WorkflowDocument {
  const nodes: WorkflowNode[] = [trigger()];
  const edges: WorkflowEdge[] = [];
  let prev = "start";
  for (let i = 1; i <= n; i++) {
    const id = `a${i}`;
    nodes.push(node(id, "agent", { model: "simulated", prompt: `step ${i}`, simulate }));
    edges.push(edge(prev, id));
    prev = id;
  }
  nodes.push(node("done", "end", { output: `{{ nodes.${prev}.output }}` }));
  edges.push(edge(prev, "done"));
  return workflow(nodes, edges, { name: `Chain of ${n}` });
}

/** trigger → split → b1..bN (agents) → join (transform) → end. */
export function fanOut(n: number, simulate: Record<string, unknown> = { output: "ok" }): WorkflowDocument {
  const nodes: WorkflowNode[] = [trigger(), node("split", "transform", { expression: "input" })];
  const edges: WorkflowEdge[] = [edge("start", "split")];
  for (let i = 1; i <= n; i++) {
    nodes.push(node(`b${i}`, "agent", { model: "simulated", prompt: `branch ${i}`, simulate }));
    edges.push(edge("split", `b${i}`), edge(`b${i}`, "join"));
  }
  nodes.push(
    node("join", "transform", { expression: `$count($keys(nodes))` }),
    node("done", "end", { output: "{{ nodes.join.output }}" }),
  );
  edges.push(edge("join", "done"));
  return workflow(nodes, edges, { name: `Fan-out ${n}` });
}
