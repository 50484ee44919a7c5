/**
 * Monthly budgets in USD, per workspace and per workflow, set by admins. Before every model call
 * the engine reserves what the call may cost at most (input estimate + max output tokens, at the
 * model's price); the ledger refuses the reservation when spent + reserved + this call would pass
 * a budget, atomically, so parallel branches (or processes) cannot overspend together. When the
 * call ends the reservation is replaced by the actual cost.
 */

export type BudgetScope = "workspace" | "workflow";
export type BudgetAction = "pause" | "fail";

export interface BudgetReserveInput {
  workspaceId: string;
  workflowId: string;
  /** The call's key (`runId:nodeId:visit:<n>:<call>`): a crash re-run of the call replaces its reservation. */
  key: string;
  runId: string;
  amountUsd: number;
  now: Date;
  /** When a reservation nobody settled (its process died) stops counting. */
  expiresAt: Date;
  /** Budgets a person let this run go past (an approved budget escalation). */
  ignore: { workspace: boolean; workflow: boolean };
}

export type BudgetReservation =
  /** `reserved: false`: no monthly budget applies; nothing was written and nothing needs settling. */
  | { ok: true; reserved: boolean; month: string }
  | {
      ok: false;
      scope: BudgetScope;
      limitUsd: number;
      /** Spent this month (settled calls), and reserved by calls in flight. */
      spentUsd: number;
      reservedUsd: number;
      /** What the admin chose: pause the run on a budget escalation, or fail it. */
      onExceeded: BudgetAction;
      month: string;
    };

export interface BudgetSettleInput {
  workspaceId: string;
  workflowId: string;
  key: string;
  /** The month the reservation was made in (its `month`). */
  month: string;
  /** What the call cost (0 when it failed before the provider reported usage). */
  actualUsd: number;
}

export interface BudgetLedger {
  /**
   * True when the ledger already knows, without I/O, that no budget covers this workspace and
   * workflow: the call then skips the reservation (and its await) altogether.
   */
  knownUncovered?(workspaceId: string, workflowId: string): boolean;
  reserve(input: BudgetReserveInput): Promise<BudgetReservation>;
  /** Replace the reservation by the call's actual cost. */
  settle(input: BudgetSettleInput): Promise<void>;
}

/** A budget with what its scope used in a month (settings page, dashboard). */
export interface BudgetUse {
  /** null: the whole workspace. */
  workflowId: string | null;
  workflowName: string | null;
  monthlyUsd: number;
  onExceeded: BudgetAction;
  month: string;
  /** Settled calls this month (the month's runs when nothing was reserved yet this month). */
  spentUsd: number;
  /** Calls in flight. */
  reservedUsd: number;
}

/** The calendar month (UTC) budgets count in: `2026-12`. */
export function budgetMonth(at: Date): string {
  return at.toISOString().slice(0, 7);
}
