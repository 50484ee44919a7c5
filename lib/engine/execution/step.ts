/** Running one step: the barrier before side effects, the executor call, its time limit, and its context. */

import { NonRetryableError, TimeoutError } from "@/lib/contracts/errors";
import type { ExecContext, ExecResult, RunContextData, Wake } from "@/lib/contracts/node";
import { evaluateExpression, renderDeep } from "@/lib/expressions";
import type { CompiledNode } from "../compiled";
import type { RunExecution } from "../execution";
import type { TokenState } from "../state";
import type { Outcome } from "./core";
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
    const executor = node.executor;
    let call: Promise<ExecResult>;
    if (wake) {
      if (!executor.resume) throw new NonRetryableError(`"${node.name}" cannot be resumed.`);
      call = executor.resume(ctx, wake);
    } else call = executor.run(ctx);
    const timeoutMs = node.node.timeoutMs;
    const result = timeoutMs && controller ? await withTimeout(x, call, timeoutMs, controller, node) : await call;
    return { ok: true, result };
  } catch (error) {
    return { ok: false, error };
  }
}

function withTimeout<T>(
  x: RunExecution,
  call: Promise<T>,
  ms: number,
  controller: AbortController,
  node: CompiledNode,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = new AbortController();
    x.deps.clock.sleep(ms, timer.signal).then(
      () => {
        const err = new TimeoutError(`"${node.name}" took longer than its time limit of ${ms} ms.`, {
          timeoutMs: ms,
        });
        controller.abort(err);
        reject(err);
      },
      () => {},
    );
    call.then(
      (v) => {
        timer.abort();
        resolve(v);
      },
      (e) => {
        timer.abort();
        reject(e);
      },
    );
  });
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
    // Streamed tokens go straight to live watchers: ephemeral, never stored, never replayed.
    // Each piece is redacted on its own (a secret split across two pieces would get through).
    onDelta: notifier?.publishLive
      ? (delta) => {
          if (delta.type !== "text" || !delta.text) return;
          const text = redaction ? redaction.redact(workspaceId, delta.text) : delta.text;
          notifier.publishLive!(runId, { type: "step.delta", nodeId: node.id, visit, attempt, text });
        }
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
