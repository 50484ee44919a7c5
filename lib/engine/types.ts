/**
 * The engine's public API types. `createEngine()` in lib/engine/engine.ts implements `Engine`.
 */

import type { SerializedError } from "@/lib/contracts/errors";
import type { NodeRegistry } from "@/lib/contracts/node-registry";
import type {
  A2aGateway,
  ApprovalStatus,
  BudgetLedger,
  Clock,
  EngineSettings,
  HttpFetcher,
  IdGenerator,
  McpGateway,
  ModelGateway,
  PriceTable,
  RunNotifier,
  RunStatus,
  RunStore,
  RunTrigger,
  StepStatus,
  SubworkflowResolver,
  Usage,
} from "@/lib/contracts/ports";
import type { WorkflowDocument } from "@/lib/contracts/workflow-document";
import type { TestStepInput, TestStepResult } from "./test-step";

export interface EngineOptions {
  store: RunStore;
  /** The node types this engine runs (definitions and executors); the built-in ones are `builtinNodes` in lib/nodes/builtin.ts. */
  nodes: NodeRegistry;
  clock?: Clock;
  ids?: IdGenerator;
  models?: ModelGateway;
  http?: HttpFetcher;
  resolver?: SubworkflowResolver;
  prices?: PriceTable;
  notifier?: RunNotifier;
  /** Monthly budgets: every model call is reserved against them first (none: no monthly budgets). */
  budgets?: BudgetLedger;
  /** This executor's name in leases (e.g. `cli:<pid>` or `web:<host>:<pid>`). */
  owner?: string;
  /** Lease time-to-live; renewed at a third of it while a run executes. Default 30 000. */
  leaseTtlMs?: number;
  settings?: EngineSettings;
  /** MCP servers (tool node, agents' tools) and remote A2A agents (a2a node); nodes fail clearly without them. */
  mcp?: McpGateway;
  a2a?: A2aGateway;
  /**
   * True when the named lease holder is certainly dead (e.g. a process of this host that no
   * longer exists): a resume or a decision then takes the run over at once (fence + 1) instead
   * of waiting for the lease to expire. Without it only free or expired leases are taken.
   */
  executorGone?: (owner: string) => boolean;
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

export interface RetryOptions {
  /** Refuse (not_found) a run of another workspace. */
  workspaceId?: string;
  startedById?: string | null;
}

export interface RetryCreated {
  runId: string;
  /** completed node visits copied onto the new run */
  reused: number;
  /** node visits that run again */
  rerun: { nodeId: string; visit: number }[];
}

export interface Engine {
  /** Validates the document and the input (InvalidWorkflowError / InputValidationError, no run created), creates a queued run. */
  startRun(source: RunSource, input: unknown, opts?: StartRunOptions): Promise<{ runId: string }>;
  /**
   * startRun for a caller that executes the run itself and waits for it: the run is created under
   * this process's lease (no worker or sweep takes it meanwhile) and executed at once; `result`
   * settles when it pauses or ends. The id is known (and stored) before the run executes.
   */
  startHere(
    source: RunSource,
    input: unknown,
    opts?: StartRunOptions,
  ): Promise<{ runId: string; result: Promise<RunResult> }>;
  /** startRun + runUntilPauseOrEnd without the extra reads (the fast path: CLI, API, benchmark). */
  execute(source: RunSource, input: unknown, opts?: StartRunOptions): Promise<RunResult>;
  /** Runs until the run succeeds, fails, is cancelled or waits. If another executor holds the lease, returns the current snapshot. */
  runUntilPauseOrEnd(runId: string, opts?: { signal?: AbortSignal }): Promise<RunResult>;
  /** Same as runUntilPauseOrEnd; named for clarity at call sites that continue a waiting/queued run. */
  resume(runId: string, opts?: { signal?: AbortSignal }): Promise<RunResult>;
  /** Decide an approval (single-use), then carry the run on. */
  decide(approvalId: string, input: DecideInput): Promise<RunResult>;
  cancel(runId: string, by?: string | null): Promise<RunResult>;
  /**
   * A new run of a failed run that reuses its completed steps (zero usage) and runs again from the
   * steps that did not finish; created queued (carry it on with resume). RetryRefusedError when the
   * run does not exist (or is in another workspace than `workspaceId`), did not fail, or has nothing to retry.
   */
  retryFromFailed(runId: string, opts?: RetryOptions): Promise<RetryCreated>;
  /** Runs one node of a (draft) document with sample data, outside any run: nothing is stored (test-step.ts). */
  testStep(input: TestStepInput): Promise<TestStepResult>;
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
