/**
 * The end of an execution: the run's status (succeeded, failed, cancelled or waiting), the final
 * commit that releases the lease, and what happens after it (a wake that came meanwhile,
 * cancelling children, carrying a waiting parent on).
 */
import { type SerializedError, serializeError } from "@/lib/contracts/errors";
import type { RunEventType, RunStatus, StepRecord } from "@/lib/contracts/ports";
import { toResultStep } from "../result";
import type { RunResult } from "../types";
import type { ExecutionCore } from "./core";
import { dur, isTerminal, stepKey } from "./helpers";

export async function finish(x: ExecutionCore): Promise<RunResult> {
  const now = x.deps.clock.now();
  let status: RunStatus;
  if (x.stop) status = x.stop.status;
  else if (x.state.tokens.length > 0 || x.state.budget.approvalId) status = "waiting";
  else status = "succeeded";

  const abandoned: { nodeId: string; approvalId: string }[] = [];
  if (status === "failed" || status === "cancelled") {
    const reason = status === "cancelled" ? "The run was cancelled." : "The run failed.";
    for (const t of x.state.tokens) {
      const node = x.graph.nodes.get(t.node)!;
      const prev = x.steps.get(stepKey(t.node, t.visit, t.attempt));
      if (prev && (prev.status === "waiting" || prev.status === "running")) {
        x.putStep({ ...prev, status: "cancelled", endedAt: now, durationMs: dur(prev, now) });
        x.emit("step.cancelled", { nodeId: node.id, visit: t.visit, attempt: t.attempt });
      }
      if (t.approvalId) {
        cancelApproval(x, t.approvalId, reason, now);
        if (node.executor.abandon) abandoned.push({ nodeId: node.id, approvalId: t.approvalId });
      }
      if (t.childRunId) x.childrenToCancel.push(t.childRunId);
    }
    if (x.state.budget.approvalId) {
      cancelApproval(x, x.state.budget.approvalId, reason, now);
      x.state.budget.approvalId = null;
    }
    x.state.tokens = [];
  }

  const terminal = status !== "waiting";
  const error = x.stop ? serializeError(x.stop.error) : null;
  // An End step sets the output; a run that ends without one outputs what its last step produced.
  const output = status === "succeeded" ? (x.state.output !== undefined ? x.state.output : lastOutput(x)) : null;
  x.commits.run.status = status;
  x.commits.run.output = output;
  x.commits.run.error = error;
  x.commits.run.waitingOnPerson = status === "waiting";
  if (terminal) {
    x.commits.run.endedAt = now;
    x.commits.run.durationMs = now.getTime() - x.startedAtMs;
  }
  const eventData: Record<string, unknown> = { usage: { ...x.usage }, stepCount: x.stepCount };
  if (error) eventData.error = error;
  if (status === "waiting")
    eventData.waitingOn = x.state.tokens
      .filter((t) => t.status === "waiting")
      .map((t) => ({ nodeId: t.node, approvalId: t.approvalId, childRunId: t.childRunId }));
  x.emit(`run.${status}` as RunEventType, eventData);
  x.commits.dirty = true;
  await x.commits.flushAll(true);

  if (status === "waiting" && (await somethingWoke(x))) return x.deps.resumeInternal(x.runId);
  if (abandoned.length > 0) await abandonWaits(x, abandoned);
  for (const child of x.childrenToCancel) {
    try {
      await x.deps.cancelRun(child, "parent run ended");
    } catch {
      // best effort
    }
  }
  if (terminal && x.run.parentRunId && !x.inlineChild) {
    try {
      await x.deps.resumeParent(x.run.parentRunId);
    } catch {
      // the parent is recovered later
    }
  }
  return result(x, status, output, error);
}

/** Lets the steps that waited undo what their wait left open outside (best effort, 10 s at most). */
async function abandonWaits(x: ExecutionCore, waits: { nodeId: string; approvalId: string }[]): Promise<void> {
  const signal = AbortSignal.timeout(10_000);
  const deps = x.deps;
  await Promise.allSettled(
    waits.map(async ({ nodeId, approvalId }) => {
      const node = x.graph.nodes.get(nodeId)!;
      const approval = await deps.store.getApproval(approvalId).catch(() => null);
      await node.executor.abandon!({
        runId: x.runId,
        workspaceId: x.run.workspaceId,
        nodeName: node.name,
        config: node.config,
        approval,
        services: { a2a: deps.a2a, mcp: deps.mcp, http: deps.http, credentials: deps.credentials },
        signal,
      });
    }),
  );
}

/**
 * The run's output when no End step ran: the data passed on (`passOn`, else the output) by the
 * step that succeeded last with an output. Scans the steps once, only for runs without an End.
 */
function lastOutput(x: ExecutionCore): unknown {
  let best: StepRecord | null = null;
  for (const s of x.steps.values()) {
    if (s.status !== "succeeded" || s.output === null || s.output === undefined) continue;
    // ties (a frozen clock) go to the row written later
    if (!best || (s.endedAt?.getTime() ?? 0) >= (best.endedAt?.getTime() ?? 0)) best = s;
  }
  if (!best) return null;
  const def = x.graph.nodes.get(best.nodeId)?.def;
  return def?.passOn ? def.passOn(best.output) : best.output;
}

function cancelApproval(x: ExecutionCore, id: string, reason: string, now: Date) {
  x.commits.updates.push({
    id,
    ifPending: "skip",
    set: { status: "cancelled", decidedAt: now, decision: { reason, via: "system" } },
  });
  const a = x.approvals.get(id);
  if (a && a.status === "pending") x.approvals.set(id, { ...a, status: "cancelled" });
  x.commits.dirty = true;
}

/** After parking: was an awaited approval decided or a child finished meanwhile? */
async function somethingWoke(x: ExecutionCore): Promise<boolean> {
  const awaited = new Set<string>();
  const children: string[] = [];
  for (const t of x.state.tokens) {
    if (t.approvalId) awaited.add(t.approvalId);
    if (t.childRunId) children.push(t.childRunId);
  }
  if (x.state.budget.approvalId) awaited.add(x.state.budget.approvalId);
  if (awaited.size > 0) {
    const list = await x.deps.store.listApprovals({ runId: x.runId });
    if (list.some((a) => awaited.has(a.id) && a.status !== "pending")) return true;
  }
  for (const c of children) {
    const child = await x.deps.getChild(c);
    if (child && isTerminal(child.status)) return true;
  }
  return false;
}

export function result(
  x: ExecutionCore,
  status: RunStatus,
  output: unknown = null,
  error: SerializedError | null = null,
): RunResult {
  const steps = [...x.steps.values()].map(toResultStep);
  const out: RunResult = {
    runId: x.runId,
    status,
    output,
    error,
    usage: { ...x.usage },
    steps,
    approvals: [...x.approvals.values()],
  };
  // What callers print or return (the CLI, the API) is redacted like what was committed.
  const redaction = x.deps.settings.redaction;
  return redaction ? redaction.redact(x.run.workspaceId, out) : out;
}
