/**
 * The engine's public API types. `createEngine()` in lib/engine/engine.ts implements `Engine`.
 */

import type { WorkflowDocument } from "@/lib/workflow/schema";
import type { SerializedError } from "./errors";
import type {
  ApprovalStatus,
  Clock,
  EngineSettings,
  HttpFetcher,
  IdGenerator,
  ModelGateway,
  PriceTable,
  RunNotifier,
  RunStatus,
  RunStore,
  RunTrigger,
  StepStatus,
  SubworkflowResolver,
  Usage,
} from "./ports";

export interface EngineOptions {
  store: RunStore;
  clock?: Clock;
  ids?: IdGenerator;
  models?: ModelGateway;
  http?: HttpFetcher;
  resolver?: SubworkflowResolver;
  prices?: PriceTable;
  notifier?: RunNotifier;
  /** This executor's name in leases (e.g. `cli:<pid>` or `web:<host>:<pid>`). */
  owner?: string;
  /** Lease time-to-live; renewed at a third of it while a run executes. Default 30 000. */
  leaseTtlMs?: number;
  settings?: EngineSettings;
}

/** What to run: an (already published) version, or a bare document for tests / CLI. */
export interface RunSource {
  document: WorkflowDocument | unknown;
  workspaceId?: string;
  workflowId?: string;
  workflowVersionId?: string;
}

export interface StartRunOptions {
  trigger?: RunTrigger | string;
  startedById?: string | null;
  parentRunId?: string | null;
  retryOfRunId?: string | null;
  /** Explicit run id (subworkflow children use a deterministic one). */
  runId?: string;
  signal?: AbortSignal;
}

/** The run result of the spec (CLI `--json`, API). */
export interface RunResult {
  runId: string;
  status: RunStatus;
  output: unknown;
  error: SerializedError | null;
  usage: Usage;
  steps: RunResultStep[];
  approvals: RunResultApproval[];
}

export interface RunResultStep {
  nodeId: string;
  visit: number;
  attempt: number;
  status: StepStatus;
  startedAt: string;
  endedAt: string | null;
  output: unknown;
  error: SerializedError | null;
  usage: Usage;
}

export interface RunResultApproval {
  id: string;
  nodeId: string;
  kind: string;
  status: ApprovalStatus;
}

export interface DecideInput {
  decision: "approve" | "reject";
  comment?: string | null;
  /** Edited data (only when the approval allows editing); checked against its editSchema. */
  data?: unknown;
  /** Deciding user id (or label, e.g. "cli"). */
  by: string | null;
}

export interface Engine {
  /** Validates the document and the input (InvalidWorkflowError / InputValidationError, no run created), creates a queued run. */
  startRun(source: RunSource, input: unknown, opts?: StartRunOptions): Promise<{ runId: string }>;
  /** startRun + runUntilPauseOrEnd without the extra reads (the fast path: CLI, API, benchmark). */
  execute(source: RunSource, input: unknown, opts?: StartRunOptions): Promise<RunResult>;
  /** Runs until the run succeeds, fails, is cancelled or waits. If another executor holds the lease, returns the current snapshot. */
  runUntilPauseOrEnd(runId: string, opts?: { signal?: AbortSignal }): Promise<RunResult>;
  /** Same as runUntilPauseOrEnd; named for clarity at call sites that continue a waiting/queued run. */
  resume(runId: string, opts?: { signal?: AbortSignal }): Promise<RunResult>;
  /** Decide an approval (single-use), then carry the run on. */
  decide(approvalId: string, input: DecideInput): Promise<RunResult>;
  cancel(runId: string, by?: string | null): Promise<RunResult>;
  /** Resume runs that have no live lease (crashed executors, decided approvals nobody carried on). */
  recover(now?: Date): Promise<RunResult[]>;
  /** Fail runs past their deadline, with a reason. */
  reap(now?: Date): Promise<RunResult[]>;
  /** Apply onTimeout (reject/approve/escalate) to approvals past their deadline. */
  expireApprovals(now?: Date): Promise<RunResult[]>;
  /** Current snapshot of a run as the spec's run result. */
  getResult(runId: string): Promise<RunResult | null>;
  /** Abort all in-process executions (e.g. on shutdown); their runs stay recoverable. */
  shutdown(): Promise<void>;
}
