/**
 * Monthly budgets around a step's model calls: before each call the most it may cost is reserved
 * with the BudgetLedger (input estimate + max output tokens, at the model's price); a refusal
 * throws BudgetExceededError carrying the budget's `pause`/`fail` setting (outcomes.ts acts on
 * it); when the call ends its reservation is replaced by its actual cost (a failed call's: see
 * failedCallCostUsd). Without a ledger the
 * step gets the engine's gateway unchanged.
 */
import { BudgetExceededError } from "@/lib/contracts/errors";
import { costOf, type ModelGateway, type ModelPrice, type ModelRequest, modelUsageOf } from "@/lib/contracts/ports";
import type { ExecutionCore } from "./core";
import { round } from "./helpers";

/** What a call may write when the agent sets no maxOutputTokens (for the reservation only). */
export const DEFAULT_RESERVED_OUTPUT_TOKENS = 4096;
/** How long an unsettled reservation counts beyond the call's own time limit (its process may have died). */
const RESERVATION_GRACE_MS = 60_000;
const DEFAULT_CALL_TIMEOUT_MS = 300_000;

const tokensOf = (text: string) => Math.ceil(text.length / 4);

/**
 * The most a call may cost: its prompt (instructions, messages, output schema, handoff options;
 * about 4 characters a token) plus `maxOutputTokens` (default 4,096) at the model's price — per
 * model call of the tool loop when tools are offered (each call re-sends the conversation).
 */
export function estimateCallCostUsd(price: ModelPrice | null, req: ModelRequest): number {
  if (!price) return 0;
  const turns = req.tools && req.tools.length > 0 ? Math.max(1, req.maxTurns ?? 1) : 1;
  const output = req.maxOutputTokens ?? DEFAULT_RESERVED_OUTPUT_TOKENS;
  return costOf(price, estimateInputTokens(req) * turns, output * turns);
}

/** The prompt's tokens, estimated (about 4 characters a token). */
export function estimateInputTokens(req: ModelRequest): number {
  let input = tokensOf(req.instructions ?? "");
  for (const m of req.messages) input += tokensOf(m.content) + 4;
  if (req.outputSchema) input += tokensOf(JSON.stringify(req.outputSchema));
  if (req.handoffs) input += tokensOf(JSON.stringify(req.handoffs)) + 60;
  return input;
}

/**
 * What a failed call is charged: the usage its gateway attached to the error (what the provider
 * reported, or nothing when the request never left or was refused with a 4xx), else — unknown,
 * e.g. a 5xx, a timeout or a stream cut midway, which a provider may bill — its prompt once (the
 * reservation's input estimate, without output). The simulated model bills nothing.
 */
export function failedCallCostUsd(price: ModelPrice | null, req: ModelRequest, error: unknown): number {
  const used = modelUsageOf(error);
  if (used) return used.costUsd ?? costOf(price, used.inputTokens, used.outputTokens);
  if (req.model === "simulated") return 0;
  return costOf(price, estimateInputTokens(req), 0);
}

/** The step's model gateway: the engine's, behind the monthly budgets when there is a ledger. */
/**
 * What the budgets read of the caller: a run's execution, or a step tested outside any run
 * (lib/engine/test-step.ts), whose calls reserve against the same monthly budgets.
 */
export interface BudgetCaller {
  deps: Pick<ExecutionCore["deps"], "budgets" | "clock" | "models" | "prices">;
  runId: string;
  run: Pick<ExecutionCore["run"], "workspaceId" | "workflowId">;
  state: { budget: Pick<ExecutionCore["state"]["budget"], "ignoreWorkspace" | "ignoreWorkflow"> };
}

export function budgetedModels(x: BudgetCaller, requestKey: string): ModelGateway {
  const ledger = x.deps.budgets;
  const models = x.deps.models;
  if (!ledger) return models;
  const budgets = ledger;
  let calls = 0;
  return {
    generate(req) {
      // The common case (no budget in this workspace) costs no reservation and no extra await.
      if (budgets.knownUncovered?.(x.run.workspaceId, x.run.workflowId)) return models.generate(req);
      return reserved(req);
    },
  };

  async function reserved(req: ModelRequest) {
    // the workspace's own prices (an admin's overrides), not defaults, even in a process that
    // has not loaded them yet
    if (x.deps.prices.ready) await x.deps.prices.ready(x.run.workspaceId);
    const price = x.deps.prices.price(req.model, x.run.workspaceId);
    const amountUsd = estimateCallCostUsd(price, req);
    const now = x.deps.clock.now();
    const key = `${requestKey}:${++calls}`;
    const b = x.state.budget;
    const scope = { workspaceId: x.run.workspaceId, workflowId: x.run.workflowId };
    const reservation = await budgets.reserve({
      ...scope,
      key,
      runId: x.runId,
      amountUsd,
      now,
      expiresAt: new Date(now.getTime() + (req.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS) + RESERVATION_GRACE_MS),
      ignore: { workspace: b.ignoreWorkspace, workflow: b.ignoreWorkflow },
    });
    if (!reservation.ok) {
      const kind = reservation.scope === "workspace" ? "workspaceUsd" : "workflowUsd";
      const committed = round(reservation.spentUsd + reservation.reservedUsd);
      const whose = reservation.scope === "workspace" ? "The workspace's" : "The workflow's";
      throw new BudgetExceededError(
        kind,
        reservation.limitUsd,
        committed,
        `${whose} monthly budget of $${reservation.limitUsd.toFixed(2)} (${reservation.month}) would be passed: ` +
          `$${reservation.spentUsd.toFixed(4)} spent and $${reservation.reservedUsd.toFixed(4)} reserved by calls in flight, ` +
          `and this call to ${req.model} may cost up to $${amountUsd.toFixed(4)}.`,
        { onExceeded: reservation.onExceeded },
      );
    }
    if (!reservation.reserved) return models.generate(req);
    let actualUsd = 0;
    try {
      const result = await models.generate(req);
      actualUsd = result.usage.costUsd ?? costOf(price, result.usage.inputTokens, result.usage.outputTokens);
      return result;
    } catch (e) {
      actualUsd = failedCallCostUsd(price, req, e);
      throw e;
    } finally {
      // A settle that fails leaves the reservation counting until it expires.
      await budgets.settle({ ...scope, key, month: reservation.month, actualUsd }).catch(() => {});
    }
  }
}
