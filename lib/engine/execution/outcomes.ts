/** What happens when a step returns: done (route on), wait (approval or child run), or error (retry, error outcome, fail). */

import { isBudgetExceededError, isFencedError, isRetryable, serializeError } from "@/lib/contracts/errors";
import type { StepDone, StepWait } from "@/lib/contracts/node";
import type { CompiledNode } from "../compiled";
import type { TokenState } from "../state";
import { checkBudget, pauseOnRefusedCall } from "./budget";
import type { ExecutionCore, Outcome } from "./core";
import { dur, isPlainObject, retryDelay, stepKey } from "./helpers";
import { route } from "./routing";

export function handleOutcome(x: ExecutionCore, t: TokenState, node: CompiledNode, outcome: Outcome) {
  if (x.fatal || x.abandoned) return;
  const now = x.deps.clock.now();
  if (outcome.ok) {
    if (outcome.result.kind === "done") onDone(x, t, node, outcome.result, now);
    else if (x.stop) onError(x, t, node, x.stop.error, now);
    else onWait(x, t, node, outcome.result, now);
  } else onError(x, t, node, outcome.error, now);
}

function onDone(x: ExecutionCore, t: TokenState, node: CompiledNode, r: StepDone, now: Date) {
  const key = stepKey(node.id, t.visit, t.attempt);
  const prev = x.steps.get(key)!;
  const usage = r.usage ?? { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  const output = r.output === undefined ? null : r.output;
  let input = r.input !== undefined ? r.input : prev.input;
  if (r.conversation && r.conversation.length > 0) {
    // The step row is where these messages are stored (`at`: their position in the conversation).
    input = {
      ...(isPlainObject(input) ? input : { value: input }),
      conversation: { at: x.conversation.length, messages: r.conversation },
    };
  }
  x.putStep({
    ...prev,
    status: "succeeded",
    output,
    error: null,
    usage,
    model: r.model ?? prev.model,
    simulated: r.simulated ?? prev.simulated,
    input,
    endedAt: now,
    durationMs: now.getTime() - prev.startedAt.getTime(),
  });
  const outcome = r.outcome ?? node.def.primaryOutcome(node.config) ?? "default";
  const used = usage.inputTokens || usage.outputTokens || usage.costUsd;
  if (used) {
    x.usage = {
      inputTokens: x.usage.inputTokens + usage.inputTokens,
      outputTokens: x.usage.outputTokens + usage.outputTokens,
      costUsd: x.usage.costUsd + usage.costUsd,
    };
  }
  // One event per finished step: the step's usage and the run's running total ride along
  // (`usage`, `total`), and route() adds the taken edges (`edges`) — not separate `usage` and
  // `edge.taken` rows (each event row is a write; docs/benchmarks.md).
  x.emit("step.succeeded", {
    nodeId: node.id,
    visit: t.visit,
    attempt: t.attempt,
    outcome,
    durationMs: now.getTime() - prev.startedAt.getTime(),
    ...(r.simulated ? { simulated: true } : {}),
    ...(used ? { usage: { ...usage }, total: { ...x.usage } } : {}),
  });
  if (r.vars && Object.keys(r.vars).length > 0) x.state.vars = { ...x.state.vars, ...r.vars };
  if (r.conversation && r.conversation.length > 0) x.conversation = x.conversation.concat(r.conversation);
  if (r.runOutput) x.state.output = r.runOutput.value;
  if (x.state.handoffs[node.id]) {
    const { [node.id]: _used, ...rest } = x.state.handoffs;
    x.state.handoffs = rest;
  }
  x.removeToken(t);
  if (x.stop) return;
  route(x, node, t.visit, outcome, r.route);
  checkBudget(x);
}

function onWait(x: ExecutionCore, t: TokenState, node: CompiledNode, r: StepWait, now: Date) {
  const key = stepKey(node.id, t.visit, t.attempt);
  const prev = x.steps.get(key)!;
  t.status = "waiting";
  const data: Record<string, unknown> = { nodeId: node.id, visit: t.visit, attempt: t.attempt };
  if (r.approval) {
    const id = x.deps.ids.id("approval");
    const a = r.approval;
    // The approval's place in this visit: committed with the token, so a re-run never reuses one.
    const seq = t.asked ?? (t.approvalId ? 1 : 0);
    t.asked = seq + 1;
    x.commits.creates.push({
      id,
      workspaceId: x.run.workspaceId,
      runId: x.runId,
      nodeId: node.id,
      visit: t.visit,
      seq,
      kind: a.kind,
      title: a.title,
      details: a.details,
      payload: a.payload,
      allowEdit: a.allowEdit,
      editSchema: a.editSchema,
      assignees: a.assignees,
      escalateTo: a.escalateTo,
      escalationLevel: 0,
      deadlineAt: a.timeoutMs === null ? null : new Date(now.getTime() + a.timeoutMs),
      onTimeout: a.onTimeout,
      createdAt: now,
    });
    x.commits.dirty = true;
    t.approvalId = id;
    data.approvalId = id;
    x.approvals.set(id, { id, nodeId: node.id, kind: a.kind, status: "pending" });
    x.emit("approval.requested", {
      approvalId: id,
      nodeId: node.id,
      visit: t.visit,
      kind: a.kind,
      title: a.title,
      deadlineAt: a.timeoutMs === null ? null : new Date(now.getTime() + a.timeoutMs).toISOString(),
    });
  }
  if (r.childRunId) {
    t.childRunId = r.childRunId;
    data.childRunId = r.childRunId;
  }
  x.putStep({ ...prev, status: "waiting", output: null, input: r.input !== undefined ? r.input : prev.input });
  x.emit("step.waiting", data);
}

/** Retry, route to the error outcome, or fail the run. */
export function onError(x: ExecutionCore, t: TokenState, node: CompiledNode, error: unknown, now: Date) {
  const key = stepKey(node.id, t.visit, t.attempt);
  const prev = x.steps.get(key);
  const serialized = serializeError(error);
  const base = prev ?? x.syntheticStep(node, t, now);
  if (x.stop) {
    x.putStep({
      ...base,
      status: "cancelled",
      output: null,
      error: serialized,
      endedAt: now,
      durationMs: dur(base, now),
    });
    x.emit("step.cancelled", { nodeId: node.id, visit: t.visit, attempt: t.attempt });
    x.removeToken(t);
    return;
  }
  if (isFencedError(error)) {
    x.fatal ??= error;
    return;
  }
  // A monthly budget refused the model call before it was made: pause (or fail, below) by the budget's setting.
  if (isBudgetExceededError(error) && error.onExceeded === "pause") {
    pauseOnRefusedCall(x, t, node, base, error, now);
    return;
  }
  const attemptsUsed = t.attempt - t.crashes;
  if (isRetryable(error) && attemptsUsed < node.maxAttempts) {
    const delay = retryDelay(node, attemptsUsed, error);
    // Another attempt follows: expressions keep reading the node as running (node-view.ts).
    x.putStep({ ...base, status: "failed", error: serialized, endedAt: now, durationMs: dur(base, now) }, true);
    x.emit("step.retrying", {
      nodeId: node.id,
      visit: t.visit,
      attempt: t.attempt,
      nextAttempt: t.attempt + 1,
      delayMs: delay,
      error: { code: serialized.code, message: serialized.message },
    });
    t.attempt += 1;
    t.status = "retrying";
    t.retryAt = now.getTime() + delay;
    x.scheduleRetry(t, delay);
    return;
  }
  const errorOutcome = node.def.errorOutcome;
  const routed = errorOutcome !== undefined && node.connectedOutcomes.has(errorOutcome);
  // The error output (`nodes.<id>.output.error`) is stored on the step row, not only kept in
  // memory: an execution that resumes later (crash, pause, takeover) rebuilds it from the row.
  const output = routed ? { error: serialized } : null;
  x.putStep({ ...base, status: "failed", output, error: serialized, endedAt: now, durationMs: dur(base, now) });
  x.emit("step.failed", { nodeId: node.id, visit: t.visit, attempt: t.attempt, error: serialized });
  x.removeToken(t);
  if (routed) {
    route(x, node, t.visit, errorOutcome, undefined);
    return;
  }
  x.setStop({ status: "failed", error });
}
