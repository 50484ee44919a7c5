/**
 * Run and workspace budgets: after a step, a budget passed either fails the run or pauses it on a
 * budget approval; the decision raises the limit (or ignores the workspace budget) or stops the run.
 */
import { BudgetExceededError } from "../errors";
import type { ApprovalRecord } from "../ports";
import { toResultApproval } from "../result";
import type { ExecutionCore } from "./core";
import { round } from "./helpers";

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
  if (b.approvalId) return;
  const now = x.deps.clock.now();
  const id = x.deps.ids.id("approval");
  b.seq += 1;
  b.approvalId = id;
  const title = exceeded.limitKind === "workspaceUsd" ? "Workspace budget reached" : "Run budget reached";
  const payload = {
    limitKind: exceeded.limitKind,
    limit: exceeded.limit,
    spent: exceeded.spent,
    usage: { ...x.usage },
  };
  x.commits.creates.push({
    id,
    workspaceId: x.run.workspaceId,
    runId: x.runId,
    nodeId: BUDGET_NODE,
    visit: b.seq,
    kind: "budget",
    title,
    details: `${exceeded.message} Approve to let the run go on (with a higher limit), or reject to stop it.`,
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
  else b.ignoreWorkspace = true;
  if (typeof data.maxCostUsd === "number" && p.limitKind !== "costUsd") b.maxCostUsd = data.maxCostUsd;
  if (typeof data.maxTokens === "number" && p.limitKind !== "tokens") b.maxTokens = data.maxTokens;
}
