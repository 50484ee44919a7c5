/**
 * What the engine persists: statuses, run/step/event/approval records. Plain data; Dates are
 * `Date` objects in and out, JSON columns hold plain JSON values.
 */
import type { SerializedError } from "../errors";
import type { WorkflowDocument } from "../workflow-document";

// ---------------------------------------------------------------- statuses & small shapes

export type RunStatus = "queued" | "running" | "waiting" | "succeeded" | "failed" | "cancelled";
export type StepStatus = "pending" | "running" | "waiting" | "succeeded" | "failed" | "skipped" | "cancelled";
export type ApprovalStatus = "pending" | "approved" | "rejected" | "expired" | "cancelled";
export type ApprovalKind = "approval" | "budget" | "guardrail";
export type RunTrigger =
  | "manual"
  | "api"
  | "cli"
  | "webhook"
  | "schedule"
  /** a chat message in the app's chat trigger */
  | "chat"
  | "subworkflow"
  | "retry"
  | "rerun"
  /** started by another agent through /api/mcp or /api/a2a */
  | "mcp"
  | "a2a";

export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ["succeeded", "failed", "cancelled"];
export const isTerminalRunStatus = (s: RunStatus): boolean => TERMINAL_RUN_STATUSES.includes(s);

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export const ZERO_USAGE: Readonly<Usage> = Object.freeze({ inputTokens: 0, outputTokens: 0, costUsd: 0 });

/** Who an approval is assigned to. */
export interface Assignees {
  roles: string[];
  users: string[];
}

// ---------------------------------------------------------------- records

export interface RunRecord {
  id: string;
  workspaceId: string;
  workflowId: string;
  workflowVersionId: string;
  /** The pinned document of the run's workflow version. */
  document: WorkflowDocument;
  status: RunStatus;
  trigger: RunTrigger | string;
  input: unknown;
  output: unknown;
  error: SerializedError | null;
  /** Engine state (opaque JSON to the store; see lib/engine/state.ts). */
  state: unknown;
  startedById: string | null;
  parentRunId: string | null;
  retryOfRunId: string | null;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
  deadlineAt: Date | null;
  usage: Usage;
  stepCount: number;
  waitingOnPerson: boolean;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  /** Incremented on every lease acquisition. */
  fence: number;
  /** Seq of the last event appended (0 when none). */
  lastSeq: number;
}

export interface StepRecord {
  id: string;
  runId: string;
  workspaceId: string;
  nodeId: string;
  nodeType: string;
  visit: number;
  attempt: number;
  status: StepStatus;
  /** `runId:nodeId:visit` — the same for every attempt and for a re-run after a crash. */
  idempotencyKey: string;
  input: unknown;
  output: unknown;
  error: SerializedError | null;
  model: string | null;
  simulated: boolean;
  usage: Usage;
  startedAt: Date;
  endedAt: Date | null;
  durationMs: number | null;
}

/** A step row to write; keyed by (runId, nodeId, visit, attempt): created if new, replaced if present. */
export type StepUpsert = StepRecord;

export interface RunEventInput {
  type: RunEventType;
  data: Record<string, unknown>;
}

export interface RunEventRecord extends RunEventInput {
  runId: string;
  seq: number;
  createdAt: Date;
}

export type RunEventType =
  | "run.started"
  | "run.resumed"
  | "run.waiting"
  | "run.succeeded"
  | "run.failed"
  | "run.cancelled"
  | "step.started"
  | "step.succeeded"
  | "step.failed"
  | "step.retrying"
  | "step.skipped"
  | "step.waiting"
  | "step.interrupted"
  | "step.cancelled"
  | "edge.taken"
  | "handoff"
  | "approval.requested"
  | "approval.decided"
  | "approval.escalated"
  | "budget.exceeded"
  | "usage";

export interface ApprovalDecision {
  comment?: string | null;
  /** Why it was decided this way when not by a person (timeout, run cancelled…). */
  reason?: string | null;
  /** Edited data (allowEdit), already validated against editSchema. */
  data?: unknown;
  /** person | timeout | system */
  via?: "person" | "timeout" | "system";
  /** Budget approvals: the new limits granted. */
  grant?: Record<string, number>;
}

export interface ApprovalRecord {
  id: string;
  workspaceId: string;
  runId: string;
  nodeId: string;
  visit: number;
  /**
   * Its place among the approvals of its step visit (0, 1, …; unique with run, node and visit):
   * an agent asks once per approval-gated tool call, so one visit may ask several times.
   */
  seq?: number;
  kind: ApprovalKind;
  title: string;
  details: string;
  /** The exact data being approved. */
  payload: unknown;
  allowEdit: boolean;
  editSchema: Record<string, unknown> | null;
  assignees: Assignees;
  /** Escalation chain: on timeout at level i, the approval moves to escalateTo[i]. */
  escalateTo: EscalationLevel[] | null;
  escalationLevel: number;
  status: ApprovalStatus;
  decidedById: string | null;
  decidedAt: Date | null;
  decision: ApprovalDecision | null;
  /** null = explicitly no deadline. */
  deadlineAt: Date | null;
  onTimeout: "reject" | "approve" | "escalate";
  createdAt: Date;
}

export type ApprovalInput = Omit<ApprovalRecord, "status" | "decidedById" | "decidedAt" | "decision">;

/** One level of an escalation chain (stored in `escalateTo`). */
export interface EscalationLevel extends Assignees {
  /** Deadline of this level in ms (null: none). */
  timeoutMs?: number | null;
}
