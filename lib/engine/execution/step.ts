/** Running one step: the barrier before side effects, the executor call, its time limit, and its context. */

import { NonRetryableError } from "@/lib/contracts/errors";
import type { ExecContext, ExecResult, RunContextData, Wake } from "@/lib/contracts/node";
import type { ModelDelta, SecretRedaction, StepRecord } from "@/lib/contracts/ports";
import { evaluateExpression, renderDeep } from "@/lib/expressions";
import type { CompiledNode } from "../compiled";
import type { RunExecution } from "../execution";
import type { TokenState } from "../state";
import type { Outcome } from "./core";
import { stepKey, withTimeLimit } from "./helpers";
import { budgetedModels } from "./model-budget";
import { workspaceModels, workspacePrices } from "./workspace-scope";

export async function runStep(
  x: RunExecution,
  t: TokenState,
  node: CompiledNode,
  controller: AbortController | null,
  wake: Wake | undefined,
): Promise<Outcome> {
  try {
    // Side effects: everything before this step (and its own `running` row) must be durable.
    if (node.barrier && !wake) await x.commits.flushAll();
    if (x.stop) throw x.stop.error;
    const signal = controller ? controller.signal : x.runAbort.signal;
    if (signal.aborted) throw signal.reason;
    const ctx = makeContext(x, t, node, signal);
    // On resume: what the step stored when it waited (its step row is still the waiting one).
    if (wake) ctx.waited = x.steps.get(stepKey(node.id, t.visit, t.attempt))?.input ?? undefined;
    const executor = node.executor;
    let call: Promise<ExecResult>;
    if (wake) {
      if (!executor.resume) throw new NonRetryableError(`"${node.name}" cannot be resumed.`);
      call = executor.resume(ctx, wake);
    } else call = executor.run(ctx);
    const timeoutMs = node.node.timeoutMs;
    const result =
      timeoutMs && controller ? await withTimeLimit(x.deps.clock, call, timeoutMs, controller, node.name) : await call;
    return { ok: true, result };
  } catch (error) {
    return { ok: false, error };
  }
}

function makeContext(x: RunExecution, t: TokenState, node: CompiledNode, signal: AbortSignal): ExecContext {
  const data: RunContextData = {
    input: x.run.input,
    vars: x.state.vars,
    nodes: x.nodesCtx,
    run: x.runInfo,
    conversation: x.conversation,
  };
  const limits = x.deps.limits;
  const handoff = x.state.handoffs[node.id];
  const primary = node.def.primaryOutcome(node.config);
  const deps = x.deps;
  const childRunId = `${x.runId}-${node.id}-${t.visit}`;
  // A crash re-run (crashes + 1) repeats the interrupted attempt's request key; a retry gets a new one.
  const requestKey = `${x.runId}:${node.id}:${t.visit}:${t.attempt - t.crashes}`;
  const notifier = deps.notifier;
  const runId = x.runId;
  const visit = t.visit;
  const attempt = t.attempt;
  const workspaceId = x.run.workspaceId;
  const redaction = deps.settings.redaction;
  return {
    runId: x.runId,
    workspaceId: x.run.workspaceId,
    workflowId: x.run.workflowId,
    node: node.node,
    nodeName: node.name,
    config: node.config,
    visit: t.visit,
    attempt: t.attempt,
    idempotencyKey: `${x.runId}:${node.id}:${t.visit}`,
    requestKey,
    sideEffect: () => x.commits.flushAll(),
    // Streamed tokens go straight to live watchers: ephemeral, never stored, never replayed.
    // Redacted with a carry-over across the pieces of this attempt (a secret split across two
    // pieces is held back until it is whole, then redacted); see streamRedactor.
    onDelta: notifier?.publishLive
      ? streamRedactor(redaction, workspaceId, (text) =>
          notifier.publishLive!(runId, { type: "step.delta", nodeId: node.id, visit, attempt, text }),
        )
      : undefined,
    data,
    signal,
    handoff: handoff
      ? {
          from: handoff.from,
          fromName: x.graph.nodes.get(handoff.from)?.name ?? handoff.from,
          reason: handoff.reason,
        }
      : null,
    handoffOptions: node.out
      .filter((e) => e.outcome === primary)
      .map((e) => {
        const target = x.graph.nodes.get(e.target)!;
        return { id: target.id, name: target.name, description: target.def.description };
      }),
    connectedOutcomes: node.connectedOutcomes,
    previous: () => previousStep(x, node),
    services: {
      clock: deps.clock,
      models: workspaceModels(budgetedModels(x, requestKey), x.run.workspaceId),
      http: deps.http,
      prices: workspacePrices(deps.prices, x.run.workspaceId),
      settings: deps.settings,
      credentials: deps.credentials,
      mcp: deps.mcp,
      a2a: deps.a2a,
      runChild: (input) => deps.runChild(x, childRunId, input),
      getChild: (id) => deps.getChild(id),
    },
    render: (value, extra) => renderDeep(value, extra ? { ...data, ...extra } : data, limits),
    evaluate: (expression, extra) => evaluateExpression(expression, extra ? { ...data, ...extra } : data, limits),
  };
}

/**
 * Of the nodes with an edge into `node` (forward or back), the one whose step succeeded last, and
 * the data it passes on (`passOn` of its type, else its output). Only asked for by nodes that
 * default to it (an approval without `data`, an end without `output`), so the walk over the
 * run's steps happens only then.
 */
function previousStep(x: RunExecution, node: CompiledNode): { nodeId: string; output: unknown } | null {
  const sources = new Set<string>();
  for (const e of x.graph.edges) if (e.target === node.id && e.source !== node.id) sources.add(e.source);
  if (sources.size === 0) return null;
  let best: StepRecord | null = null;
  for (const s of x.steps.values()) {
    if (s.status !== "succeeded" || !sources.has(s.nodeId)) continue;
    // ties (a frozen clock) go to the row written later
    if (!best || (s.endedAt?.getTime() ?? 0) >= (best.endedAt?.getTime() ?? 0)) best = s;
  }
  if (!best) return null;
  const def = x.graph.nodes.get(best.nodeId)?.def;
  const output = best.output ?? null;
  return { nodeId: best.nodeId, output: def?.passOn ? def.passOn(output) : output };
}

/**
 * The onDelta of a step: text pieces redacted with a carry-over window (SecretRedaction.redactDelta:
 * a tail that may be the beginning of a secret waits for the next piece); a non-text delta (a tool
 * call) ends the text so far, so what was held back is published first. Without redactDelta each
 * piece is redacted on its own.
 */
export function streamRedactor(
  redaction: SecretRedaction | undefined,
  workspaceId: string,
  publish: (text: string) => void,
): (delta: ModelDelta) => void {
  let pending = "";
  return (delta) => {
    if (delta.type !== "text") {
      if (pending && redaction) {
        const rest = redaction.redact(workspaceId, pending);
        pending = "";
        publish(rest);
      }
      return;
    }
    if (!delta.text) return;
    let text = delta.text;
    if (redaction?.redactDelta) ({ text, pending } = redaction.redactDelta(workspaceId, pending, delta.text));
    else if (redaction) text = redaction.redact(workspaceId, delta.text);
    if (text) publish(text);
  };
}
