/**
 * "Test step": run one node of a (possibly unfinished) workflow with sample data, outside any
 * run — what n8n's "execute step" and Dify's "run this node" do. Nothing is stored: no run row,
 * no step row, no event. The node's own config is checked (not the rest of the draft, which may
 * be half built); its executor runs with the real services (models, http, MCP, A2A, credentials),
 * so a tested agent really calls its model and a tested http step really sends its request.
 *
 * Model calls go through the monthly budgets like a run's (a test has no run budget). What cannot
 * happen outside a run is answered, not faked: a step that would wait for a person or a child
 * run reports `wouldWait`; a subworkflow step refuses.
 */

import type { SerializedError } from "@/lib/contracts/errors";
import { NonRetryableError, serializeError } from "@/lib/contracts/errors";
import type { ExecContext, ExecResult, RunContextData, StepUsage } from "@/lib/contracts/node";
import type { NodeRegistry } from "@/lib/contracts/node-registry";
import type { ChatMessage } from "@/lib/contracts/ports";
import type { WorkflowNode } from "@/lib/contracts/workflow-document";
import { evaluateExpression, renderDeep } from "@/lib/expressions";
import type { ExecutionDeps } from "./execution/deps";
import { withTimeLimit } from "./execution/helpers";
import { type BudgetCaller, budgetedModels } from "./execution/model-budget";
import { workspaceModels, workspacePrices } from "./execution/workspace-scope";

/** Longest a tested step may take when the node sets no time limit of its own. */
export const DEFAULT_TEST_STEP_TIMEOUT_MS = 120_000;

export interface TestStepInput {
  workspaceId: string;
  workflowId: string;
  /** The workflow document as the editor has it now (a draft is fine). */
  document: {
    nodes: readonly WorkflowNode[];
    edges: readonly { source: string; target: string; sourceHandle?: string }[];
  };
  nodeId: string;
  /** What the step sees: the run input and earlier steps' outputs (sample data, pinned data or an earlier run's). */
  data: { input?: unknown; nodes?: Record<string, { output: unknown }>; vars?: Record<string, unknown> };
  conversation?: ChatMessage[];
  signal?: AbortSignal;
  /** Streamed model tokens, for a live preview. */
  onDelta?: ExecContext["onDelta"];
}

export type TestStepResult =
  | {
      status: "succeeded";
      output: unknown;
      outcome: string | null;
      /** What the step worked on (rendered prompt, URL…). */
      input: unknown;
      usage: StepUsage | null;
      model: string | null;
      durationMs: number;
    }
  | { status: "failed"; error: SerializedError; durationMs: number }
  /** The step would pause the run here (an approval, a remote agent's question, a child run). */
  | { status: "wouldWait"; waitingFor: "approval" | "child"; title: string | null; input: unknown; durationMs: number };

export class TestStepRefusedError extends NonRetryableError {}

export async function testStep(
  deps: ExecutionDeps,
  registry: NodeRegistry,
  req: TestStepInput,
): Promise<TestStepResult> {
  const node = req.document.nodes.find((n) => n.id === req.nodeId);
  if (!node) throw new TestStepRefusedError(`There is no step "${req.nodeId}" in this workflow.`);
  const def = registry.definition(node.type);
  const executor = registry.executor(node.type);
  if (!def || !executor) throw new TestStepRefusedError(`Steps of type "${node.type}" cannot be tested.`);
  const parsed = def.configSchema.safeParse(node.config ?? {});
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.length ? `config.${first.path.join(".")}` : "config";
    throw new TestStepRefusedError(`Fix this step's settings first: ${where}: ${first?.message ?? "invalid"}.`);
  }
  const started = deps.clock.now().getTime();
  const elapsed = () => Math.max(0, deps.clock.now().getTime() - started);
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(req.signal?.reason);
  req.signal?.addEventListener("abort", onOuterAbort, { once: true });
  if (deps.settings.redaction) await deps.settings.redaction.prepare(req.workspaceId);
  const redact = <T>(v: T): T => (deps.settings.redaction ? deps.settings.redaction.redact(req.workspaceId, v) : v);
  try {
    const ctx = contextFor(deps, req, node, parsed.data, def.primaryOutcome(parsed.data), controller.signal);
    const limitMs = node.timeoutMs ?? DEFAULT_TEST_STEP_TIMEOUT_MS;
    const result = await withTimeLimit(deps.clock, executor.run(ctx), limitMs, controller, ctx.nodeName);
    return redact(resultOf(result, elapsed()));
  } catch (error) {
    return { status: "failed", error: redact(serializeError(error)), durationMs: elapsed() };
  } finally {
    req.signal?.removeEventListener("abort", onOuterAbort);
    controller.abort();
  }
}

function resultOf(result: ExecResult, durationMs: number): TestStepResult {
  if (result.kind === "wait") {
    return {
      status: "wouldWait",
      waitingFor: result.childRunId ? "child" : "approval",
      title: result.approval?.title ?? null,
      input: result.input ?? result.approval?.payload ?? null,
      durationMs,
    };
  }
  return {
    status: "succeeded",
    output: result.runOutput ? result.runOutput.value : result.output,
    outcome: result.outcome ?? null,
    input: result.input ?? null,
    usage: result.usage ?? null,
    model: result.model ?? null,
    durationMs,
  };
}

function contextFor(
  deps: ExecutionDeps,
  req: TestStepInput,
  node: WorkflowNode,
  config: unknown,
  primary: string | null,
  signal: AbortSignal,
): ExecContext {
  const testId = `test-${globalThis.crypto.randomUUID()}`;
  const nodes: RunContextData["nodes"] = {};
  for (const [id, v] of Object.entries(req.data.nodes ?? {}))
    nodes[id] = { output: v?.output ?? null, status: "succeeded" };
  const data: RunContextData = {
    input: req.data.input ?? {},
    vars: { ...(req.data.vars ?? {}) },
    nodes,
    run: { id: testId, startedAt: deps.clock.now().toISOString(), workflowId: req.workflowId },
    conversation: req.conversation ?? [],
  };
  const out = req.document.edges.filter((e) => e.source === node.id);
  const byId = new Map(req.document.nodes.map((n) => [n.id, n]));
  const requestKey = `${testId}:${node.id}:1:1`;
  const budgetCaller: BudgetCaller = {
    deps,
    runId: testId,
    run: { workspaceId: req.workspaceId, workflowId: req.workflowId },
    state: { budget: { ignoreWorkspace: false, ignoreWorkflow: false } },
  };
  return {
    runId: testId,
    workspaceId: req.workspaceId,
    workflowId: req.workflowId,
    node,
    nodeName: node.name ?? node.id,
    config,
    visit: 1,
    attempt: 1,
    idempotencyKey: `${testId}:${node.id}:1`,
    requestKey,
    onDelta: req.onDelta,
    data,
    signal,
    handoff: null,
    handoffOptions: out
      .filter((e) => (e.sourceHandle ?? primary) === primary)
      .map((e) => {
        const target = byId.get(e.target);
        return { id: e.target, name: target?.name ?? e.target, description: "" };
      }),
    connectedOutcomes: new Set(out.flatMap((e) => e.sourceHandle ?? primary ?? [])),
    previous: () => previousFromSample(req, node.id),
    services: {
      clock: deps.clock,
      models: workspaceModels(budgetedModels(budgetCaller, requestKey), req.workspaceId),
      http: deps.http,
      prices: workspacePrices(deps.prices, req.workspaceId),
      settings: deps.settings,
      credentials: deps.credentials,
      mcp: deps.mcp,
      a2a: deps.a2a,
      runChild: async () => {
        throw new TestStepRefusedError("A subworkflow step starts a child run: run the workflow to test it.");
      },
      getChild: async () => null,
    },
    render: (value, extra) => renderDeep(value, extra ? { ...data, ...extra } : data, deps.limits),
    evaluate: (expression, extra) => evaluateExpression(expression, extra ? { ...data, ...extra } : data, deps.limits),
  };
}

/** The step before: the first node with an edge into this one whose sample output is given; else the trigger's (the input). */
function previousFromSample(req: TestStepInput, nodeId: string): { nodeId: string; output: unknown } | null {
  const given = req.data.nodes ?? {};
  for (const e of req.document.edges) {
    if (e.target !== nodeId || e.source === nodeId) continue;
    if (e.source in given) return { nodeId: e.source, output: given[e.source]?.output ?? null };
    const src = req.document.nodes.find((n) => n.id === e.source);
    if (src?.type === "trigger") return { nodeId: e.source, output: req.data.input ?? {} };
  }
  return null;
}
