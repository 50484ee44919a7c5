// What the approval use cases need: the database, the engine's decide (adapted by the host so the
// inbox answers once the decision is committed), and an optional listener (notifications).
import type { ApprovalRow } from "@/lib/db/approvals";
import type { Db } from "@/lib/db/client";

/** The part of the engine the inbox needs (lib/engine's createEngine satisfies it). */
export interface ApprovalEngine {
  decide(
    approvalId: string,
    input: { decision: "approve" | "reject"; comment?: string; data?: unknown; by?: string },
  ): Promise<unknown>;
}

/** Something to tell when approvals change (notifications); optional. */
export interface ApprovalListener {
  onDecided?(approval: ApprovalRow, outcome: DecisionOutcome): Promise<void> | void;
  onReassigned?(approval: ApprovalRow): Promise<void> | void;
}

export type ApprovalDeps = {
  db: Db;
  engine: ApprovalEngine;
  listener?: ApprovalListener;
};

export type DecisionOutcome = {
  approvalId: string;
  runId: string;
  status: "approved" | "rejected";
  decidedBy: string;
  edited: boolean;
  /** milliseconds engine.decide took (the run continues inside it or right after) */
  engineMs: number;
};
