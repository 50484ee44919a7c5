/**
 * Run and workspace budgets: after a step, a budget passed either fails the run or pauses it on a
 * budget approval; the decision raises the limit (or ignores the workspace budget) or stops the run.
 * Monthly budgets refuse a model call before it is made (model-budget.ts); a refusal with `pause`
 * lands here too (pauseOnRefusedCall).
 */
import { BudgetExceededError, serializeError } from "@/lib/contracts/errors";
import type { ApprovalRecord, StepRecord } from "@/lib/contracts/ports";
import type { CompiledNode } from "../compiled";
import { toResultApproval } from "../result";
import type { TokenState } from "../state";
import type { ExecutionCore } from "./core";
import { dur, round } from "./helpers";

const BUDGET_NODE = "__budget";
const DEFAULT_BUDGET_WAIT_MS = 7 * 24 * 3_600_000;

export function checkBudget(x: ExecutionCore) {
  if (x.stop) return;
  const b = x.state.budget;
  const tokens = x.usage.inputTokens + x.usage.outputTokens;
  let exceeded: BudgetExceededError | null = null;
  if (b.maxCostUsd !== null && x.usage.costUsd > b.maxCostUsd + 1e-12)
    exceeded = new BudgetExceededError("costUsd", b.maxCostUsd, round(x.usage.costUsd));
  else if (b.maxTokens !== null && tokens > b.maxTokens)
    exceeded = new BudgetExceededError("tokens", b.maxTokens, tokens);
  else if (!b.ignoreWorkspace && x.workspaceBudget?.limitUsd != null) {
    const spent = x.workspaceBudget.spentUsd + (x.usage.costUsd - x.costAtStart);
    if (spent > x.workspaceBudget.limitUsd + 1e-12)
      exceeded = new BudgetExceededError("workspaceUsd", x.workspaceBudget.limitUsd, round(spent));
  }
  if (!exceeded) return;
  if (x.graph.onBudgetExceeded === "fail") {
    x.setStop({ status: "failed", error: exceeded });
    return;
  }
  openBudgetApproval(x, exceeded);
}

const TITLES: Record<BudgetExceededError["limitKind"], string> = {
  costUsd: "Run budget reached",
  tokens: "Run budget reached",
  workspaceUsd: "Workspace budget reached",
  workflowUsd: "Workflow budget reached",
};

/** The budget escalation (a `budget` approval for admins): no new step starts until it is decided. */
function openBudgetApproval(x: ExecutionCore, exceeded: BudgetExceededError) {
  const b = x.state.budget;
  if (b.approvalId) return;
  const now = x.deps.clock.now();
  const id = x.deps.ids.id("approval");
  b.seq += 1;
  b.approvalId = id;
  const title = TITLES[exceeded.limitKind] ?? "Run budget reached";
  const payload = {
    limitKind: exceeded.limitKind,
    limit: exceeded.limit,
    spent: exceeded.spent,
    usage: { ...x.usage },
  };
  const monthly = exceeded.limitKind === "workspaceUsd" || exceeded.limitKind === "workflowUsd";
  x.commits.creates.push({
    id,
    workspaceId: x.run.workspaceId,
    runId: x.runId,
    nodeId: BUDGET_NODE,
    visit: b.seq,
    kind: "budget",
    title,
    details: monthly
      ? `${exceeded.message} Approve to let this run go past it, or reject to stop the run. (Raising the budget itself is done in Settings.)`
      : `${exceeded.message} Approve to let the run go on (with a higher limit), or reject to stop it.`,
    payload,
    allowEdit: true,
    editSchema: null,
    assignees: { roles: ["admin"], users: [] },
    escalateTo: null,
    escalationLevel: 0,
    deadlineAt: new Date(now.getTime() + DEFAULT_BUDGET_WAIT_MS),
    onTimeout: "reject",
    createdAt: now,
  });
  x.commits.dirty = true;
  x.approvals.set(id, { id, nodeId: BUDGET_NODE, kind: "budget", status: "pending" });
  x.emit("budget.exceeded", payload);
  x.emit("approval.requested", {
    approvalId: id,
    nodeId: BUDGET_NODE,
    visit: b.seq,
    kind: "budget",
    title,
  });
}

/**
 * A model call a monthly budget refused with `pause` (nothing was spent): the attempt is closed,
 * the same visit is ready to run again as a new attempt (not counted against its retries), and
 * the run waits on a budget escalation — opened once, however many branches were refused.
 */
export function pauseOnRefusedCall(
  x: ExecutionCore,
  t: TokenState,
  node: CompiledNode,
  base: StepRecord,
  error: BudgetExceededError,
  now: Date,
) {
  const serialized = serializeError(error);
  x.putStep({ ...base, status: "failed", error: serialized, endedAt: now, durationMs: dur(base, now) }, true);
  t.attempt += 1;
  t.crashes += 1;
  t.status = "ready";
  openBudgetApproval(x, error);
  x.emit("step.waiting", {
    nodeId: node.id,
    visit: t.visit,
    attempt: t.attempt,
    approvalId: x.state.budget.approvalId,
    budget: error.limitKind,
  });
}

export function applyBudgetDecision(x: ExecutionCore, a: ApprovalRecord) {
  const b = x.state.budget;
  b.approvalId = null;
  x.approvals.set(a.id, toResultApproval(a));
  const p = (a.payload ?? {}) as { limitKind?: string; limit?: number; spent?: number };
  if (a.status !== "approved") {
    x.setStop({
      status: "failed",
      error: new BudgetExceededError(
        (p.limitKind as "costUsd") ?? "costUsd",
        p.limit ?? 0,
        p.spent ?? 0,
        `The budget was not raised (${a.status === "expired" ? "no decision before the deadline" : "rejected"}), so the run stopped.`,
      ),
    });
    return;
  }
  const data = (a.decision?.data ?? {}) as { maxCostUsd?: unknown; maxTokens?: unknown };
  if (p.limitKind === "costUsd")
    b.maxCostUsd = typeof data.maxCostUsd === "number" ? data.maxCostUsd : (p.spent ?? 0) + (p.limit ?? 0);
  else if (p.limitKind === "tokens")
    b.maxTokens = typeof data.maxTokens === "number" ? data.maxTokens : (p.spent ?? 0) + (p.limit ?? 0);
  else if (p.limitKind === "workflowUsd") b.ignoreWorkflow = true;
  else b.ignoreWorkspace = true;
  if (typeof data.maxCostUsd === "number" && p.limitKind !== "costUsd") b.maxCostUsd = data.maxCostUsd;
  if (typeof data.maxTokens === "number" && p.limitKind !== "tokens") b.maxTokens = data.maxTokens;
}
