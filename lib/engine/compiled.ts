/**
 * A validated document compiled for execution: parsed configs, definitions and executors (from
 * the node registry the engine was given), edge roles (forward or back), join inputs, loop
 * regions, limits. Computed once per document and registry (cached), so the hot path never
 * re-parses configs or walks the graph.
 */

import { InvalidWorkflowError } from "@/lib/contracts/errors";
import type { Executor } from "@/lib/contracts/node";
import type { NodeDefinition } from "@/lib/contracts/node-definition";
import type { NodeRegistry } from "@/lib/contracts/node-registry";
import {
  DEFAULT_MAX_STEPS,
  DEFAULT_MAX_VISITS,
  type WorkflowDocument,
  type WorkflowNode,
} from "@/lib/contracts/workflow-document";
import { analyzeGraph, forwardReach } from "@/lib/workflow/graph";
import { validateDocument } from "@/lib/workflow/validate-document";

export interface CompiledEdge {
  index: number;
  id: string;
  source: string;
  target: string;
  /** The outcome this edge follows (sourceHandle, or the source's primary outcome). */
  outcome: string | null;
  back: boolean;
}

export interface CompiledNode {
  id: string;
  name: string;
  type: string;
  node: WorkflowNode;
  def: NodeDefinition;
  executor: Executor;
  config: unknown;
  out: CompiledEdge[];
  /** Incoming forward edges (a join waits for all of them to settle). */
  inForward: CompiledEdge[];
  maxVisits: number;
  maxAttempts: number;
  backoffMs: number;
  factor: number;
  maxBackoffMs: number;
  atMostOnce: boolean;
  /** Make upstream results durable before executing (side effects / atMostOnce). */
  barrier: boolean;
  disabled: boolean;
  /** When a back edge re-activates this node: forward edges whose settlement is reset. */
  loopRegion: number[] | null;
  /** Outcomes that have at least one edge. */
  connectedOutcomes: Set<string>;
}

export interface CompiledWorkflow {
  document: WorkflowDocument;
  nodes: Map<string, CompiledNode>;
  edges: CompiledEdge[];
  entry: CompiledNode;
  maxSteps: number;
  onBudgetExceeded: "pause" | "fail";
}

const caches = new WeakMap<NodeRegistry, WeakMap<object, CompiledWorkflow>>();

/** Validate against the registry's node types and compile. Throws InvalidWorkflowError with every issue. */
export function compileWorkflow(doc: unknown, nodes: NodeRegistry): CompiledWorkflow {
  let cache = caches.get(nodes);
  if (!cache) {
    cache = new WeakMap();
    caches.set(nodes, cache);
  }
  if (doc && typeof doc === "object") {
    const hit = cache.get(doc);
    if (hit) return hit;
  }
  const result = validateDocument(doc, nodes);
  if (!result.valid) throw new InvalidWorkflowError(result.issues);
  const compiled = compileValid(result.document, nodes);
  cache.set(doc as object, compiled);
  cache.set(result.document, compiled);
  return compiled;
}

function compileValid(document: WorkflowDocument, registry: NodeRegistry): CompiledWorkflow {
  const nodes = new Map<string, CompiledNode>();
  const defaultVisits = document.limits?.maxVisits ?? DEFAULT_MAX_VISITS;
  let entry: CompiledNode | null = null;
  for (const node of document.nodes) {
    // validateDocument() refused unknown types, and a registry has an executor for each of its types.
    const def = registry.definition(node.type)!;
    const executor = registry.executor(node.type)!;
    const config = def.configSchema.parse(node.config);
    const atMostOnce = node.atMostOnce ?? def.atMostOnce;
    const c: CompiledNode = {
      id: node.id,
      name: node.name ?? node.id,
      type: def.type,
      node,
      def,
      executor,
      config,
      out: [],
      inForward: [],
      maxVisits: node.maxVisits ?? defaultVisits,
      maxAttempts: node.retry?.maxAttempts ?? def.defaultMaxAttempts,
      backoffMs: node.retry?.backoffMs ?? 1000,
      factor: node.retry?.factor ?? 2,
      maxBackoffMs: node.retry?.maxBackoffMs ?? 30_000,
      atMostOnce,
      barrier: atMostOnce || def.sideEffects,
      disabled: node.disabled === true,
      loopRegion: null,
      connectedOutcomes: new Set(),
    };
    nodes.set(node.id, c);
    if (def.entry) entry = c;
  }
  const analysis = analyzeGraph(document.nodes, document.edges, entry!.id);
  const edges: CompiledEdge[] = document.edges.map((e, index) => {
    const src = nodes.get(e.source)!;
    const outcome = e.sourceHandle ?? src.def.primaryOutcome(src.config);
    return {
      index,
      id: e.id ?? `e${index}`,
      source: e.source,
      target: e.target,
      outcome,
      back: analysis.backEdges.has(index),
    };
  });
  for (const e of edges) {
    const src = nodes.get(e.source)!;
    src.out.push(e);
    if (e.outcome) src.connectedOutcomes.add(e.outcome);
    if (!e.back) nodes.get(e.target)!.inForward.push(e);
  }
  const outgoing = analysis.outgoing;
  for (const e of edges) {
    if (!e.back) continue;
    const target = nodes.get(e.target)!;
    if (target.loopRegion) continue;
    const region = forwardReach(target.id, outgoing, document.edges, analysis.backEdges);
    target.loopRegion = edges.filter((x) => !x.back && region.has(x.source)).map((x) => x.index);
  }
  return {
    document,
    nodes,
    edges,
    entry: entry!,
    maxSteps: document.limits?.maxSteps ?? DEFAULT_MAX_STEPS,
    onBudgetExceeded: document.limits?.onBudgetExceeded ?? "pause",
  };
}
