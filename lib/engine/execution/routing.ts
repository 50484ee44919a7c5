/**
 * Routing after a step: take or skip each outgoing edge, settle joins, pass skips on, re-enter
 * loops over back edges, and activate the next nodes (within the visit and step limits).
 */

import { LoopLimitError, NonRetryableError, StepLimitError } from "@/lib/contracts/errors";
import type { CompiledEdge, CompiledNode } from "../compiled";
import type { ExecutionCore } from "./core";

export function route(
  x: ExecutionCore,
  node: CompiledNode,
  visit: number,
  outcome: string,
  chosen: { target: string; reason: string } | undefined,
) {
  let chosenTarget: string | null = null;
  if (chosen) {
    const candidates = node.out.filter((e) => e.outcome === outcome);
    const wanted = chosen.target.toLowerCase();
    const match =
      candidates.find((e) => e.target === chosen.target) ??
      candidates.find((e) => x.graph.nodes.get(e.target)!.name.toLowerCase() === wanted);
    if (!match) {
      x.setStop({
        status: "failed",
        error: new NonRetryableError(
          `"${node.name}" handed off to "${chosen.target}", which is not one of its next nodes (${candidates
            .map((e) => x.graph.nodes.get(e.target)!.name)
            .join(", ")}).`,
        ),
      });
      return;
    }
    chosenTarget = match.target;
    x.state.handoffs = { ...x.state.handoffs, [match.target]: { from: node.id, reason: chosen.reason } };
    x.emit("handoff", { from: node.id, to: match.target, reason: chosen.reason, visit });
  }
  const taken: CompiledEdge[] = [];
  const skipped: CompiledEdge[] = [];
  for (const e of node.out) {
    if (e.outcome === outcome && (chosenTarget === null || e.target === chosenTarget)) taken.push(e);
    else if (!e.back) skipped.push(e);
  }
  if (taken.length > 0) {
    const edges = taken.map((e) => ({ id: e.id, target: e.target }));
    // Routing right after the step succeeded (not yet committed): the edges go into that
    // step.succeeded event (its `outcome` is this outcome). Otherwise an edge.taken event.
    const last = x.commits.events[x.commits.events.length - 1];
    if (
      last?.type === "step.succeeded" &&
      last.data.nodeId === node.id &&
      last.data.visit === visit &&
      last.data.outcome === outcome &&
      last.data.edges === undefined
    )
      last.data.edges = edges;
    else x.emit("edge.taken", { source: node.id, visit, outcome, edges });
  }
  const queue: [CompiledEdge, 0 | 1][] = [];
  for (const e of taken) {
    if (e.back) reenter(x, e, queue);
    else queue.push([e, 1]);
  }
  for (const e of skipped) queue.push([e, 0]);
  drainSettles(x, queue);
}

/** Settle edges; joins run when all their inputs are settled and at least one was taken. */
function drainSettles(x: ExecutionCore, queue: [CompiledEdge, 0 | 1][]) {
  while (queue.length > 0) {
    if (x.stop) return;
    const [e, v] = queue.shift()!;
    const target = x.graph.nodes.get(e.target)!;
    if (target.inForward.length <= 1) {
      // Not a join: decide at once, nothing to remember.
      if (v === 1 && !target.disabled) activate(x, target);
      else skip(x, target, queue);
      continue;
    }
    x.state.settled[e.index] = v;
    let all = true;
    let any = false;
    for (const inE of target.inForward) {
      const s = x.state.settled[inE.index];
      if (s === undefined) {
        all = false;
        break;
      }
      if (s === 1) any = true;
    }
    if (!all) continue;
    if (any && !target.disabled) activate(x, target);
    else skip(x, target, queue);
  }
}

/** A back edge was taken: reset the loop body's settlements and run the target again. */
function reenter(x: ExecutionCore, e: CompiledEdge, queue: [CompiledEdge, 0 | 1][]) {
  const target = x.graph.nodes.get(e.target)!;
  for (const idx of target.loopRegion ?? []) delete x.state.settled[idx];
  if (target.disabled) skip(x, target, queue);
  else activate(x, target);
}

function activate(x: ExecutionCore, target: CompiledNode) {
  const visits = x.visits.get(target.id) ?? 0;
  if (visits >= target.maxVisits) {
    x.setStop({ status: "failed", error: new LoopLimitError(target.id, target.maxVisits) });
    return;
  }
  if (x.stepCount >= x.graph.maxSteps) {
    x.setStop({
      status: "failed",
      error: new StepLimitError(
        `The run reached its limit of ${x.graph.maxSteps} steps (limits.maxSteps) and was stopped.`,
      ),
    });
    return;
  }
  x.visits.set(target.id, visits + 1);
  x.stepCount++;
  x.state.tokens.push({ node: target.id, visit: visits + 1, attempt: 1, crashes: 0, status: "ready" });
}

function skip(x: ExecutionCore, target: CompiledNode, queue: [CompiledEdge, 0 | 1][]) {
  const now = x.deps.clock.now();
  const visit = (x.visits.get(target.id) ?? 0) + 1;
  x.putStep(x.newStep(target, visit, 1, now, "skipped"));
  x.emit("step.skipped", { nodeId: target.id, visit, ...(target.disabled ? { disabled: true } : {}) });
  for (const e of target.out) if (!e.back) queue.push([e, 0]);
}
