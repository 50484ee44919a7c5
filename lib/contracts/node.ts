/**
 * The executor side of a node type (server-only in practice: executors may use node: modules).
 * Definitions (browser-safe) live in ./node-definition.ts.
 */

import type { SerializedError } from "./errors";
import type {
  A2aGateway,
  ApprovalKind,
  ApprovalRecord,
  Assignees,
  ChatMessage,
  Clock,
  CredentialResolver,
  EngineSettings,
  EscalationLevel,
  HandoffOption,
  HttpFetcher,
  McpGateway,
  ModelDelta,
  ModelGateway,
  PriceTable,
  RunStatus,
  StepStatus,
} from "./ports";
import type { WorkflowNode } from "./workflow-document";

/** What every expression and template sees. */
export interface RunContextData {
  input: unknown;
  vars: Record<string, unknown>;
  nodes: Record<string, { output: unknown; status: StepStatus }>;
  run: { id: string; startedAt: string; workflowId: string };
  conversation: ChatMessage[];
}

export interface ChildRunOutcome {
  runId: string;
  status: RunStatus;
  output: unknown;
  error: SerializedError | null;
}

export interface ExecServices {
  clock: Clock;
  models: ModelGateway;
  http: HttpFetcher;
  prices: PriceTable;
  settings: EngineSettings;
  credentials?: CredentialResolver;
  /** MCP servers of the workspace (tool node, agents' tools); absent where none are wired. */
  mcp?: McpGateway;
  /** Remote A2A agents (a2a node); absent where none are wired. */
  a2a?: A2aGateway;
  /** Start (or find, by its deterministic id) a child run and carry it as far as it goes. */
  runChild(input: { workflow: string; version: number | "latest"; input: unknown }): Promise<ChildRunOutcome>;
  /** Current state of a child run. */
  getChild(runId: string): Promise<ChildRunOutcome | null>;
}

export interface ExecContext<Config = unknown> {
  runId: string;
  workspaceId: string;
  workflowId: string;
  node: WorkflowNode;
  /** Display name: node.name ?? node.id. */
  nodeName: string;
  config: Config;
  visit: number;
  attempt: number;
  /** `runId:nodeId:visit` — stable across retries and crash re-runs. */
  idempotencyKey: string;
  /**
   * `runId:nodeId:visit:<n>`, `n` = attempts after errors (crash re-runs not counted): the same
   * for a crash re-run as for the interrupted attempt, new for a retry after an error. The key of
   * this attempt's outgoing model requests (ModelRequest.requestKey).
   */
  requestKey: string;
  /**
   * Streams a model's tokens to whoever watches the run live (not stored; the step's result is
   * committed when it ends). Absent when this process has nobody to tell (no live notifier).
   */
  onDelta?: (delta: ModelDelta) => void;
  /** The run context (read-only by convention). */
  data: RunContextData;
  signal: AbortSignal;
  /** Set when the node was reached by an agent handoff (routing: choose). */
  handoff: { from: string; fromName: string; reason: string } | null;
  /** Targets of the primary outcome's edges (what `routing: choose` picks from). */
  handoffOptions: HandoffOption[];
  /** Outcomes that have at least one outgoing edge. */
  connectedOutcomes: ReadonlySet<string>;
  /**
   * The step that led here: of the nodes with an edge into this one, the one that succeeded last,
   * with the data it passes on (its output, or what its type's `passOn` picks from it: an
   * approval passes on the approved, possibly edited, data). The trigger's is the run input.
   * Null when no such step ran. What an approval shows and an end node outputs by default.
   */
  previous(): { nodeId: string; output: unknown } | null;
  /**
   * On `resume`: the `input` this step stored when it last waited (StepWait.input), so an
   * executor can carry on where it stopped (an agent's tool loop keeps its conversation there).
   * Undefined on `run`.
   */
  waited?: unknown;
  services: ExecServices;
  /**
   * The barrier on demand: resolves once everything before this step is durable. A node without
   * `sideEffects` calls it right before an effect outside the run (an agent before calling an MCP
   * tool that is not read-only), so a crash re-run does not repeat earlier steps around it.
   */
  sideEffect?(): Promise<void>;
  /** Render templates inside a JSON value over the run context (plus `extra` top-level names). */
  render(value: unknown, extra?: Record<string, unknown>): Promise<unknown>;
  /** Evaluate a JSONata expression over the run context (plus `extra` top-level names). */
  evaluate(expression: string, extra?: Record<string, unknown>): Promise<unknown>;
}

export interface StepUsage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface StepDone {
  kind: "done";
  output: unknown;
  /** Outcome taken; default: the node's primary outcome. */
  outcome?: string;
  /** routing: choose — only the edge(s) to this target (node id or name) are taken. */
  route?: { target: string; reason: string };
  usage?: StepUsage;
  model?: string;
  simulated?: boolean;
  /** What the step worked on (rendered prompt, URL…), stored on the step for the run history. */
  input?: unknown;
  /** Messages appended to the run's shared conversation. */
  conversation?: ChatMessage[];
  /** Names written into `vars`. */
  vars?: Record<string, unknown>;
  /** end: the run's output. */
  runOutput?: { value: unknown };
}

export interface ApprovalRequest {
  kind: ApprovalKind;
  title: string;
  details: string;
  payload: unknown;
  allowEdit: boolean;
  editSchema: Record<string, unknown> | null;
  assignees: Assignees;
  escalateTo: EscalationLevel[] | null;
  /** null: explicitly no deadline. */
  timeoutMs: number | null;
  onTimeout: "reject" | "approve" | "escalate";
}

export interface StepWait {
  kind: "wait";
  input?: unknown;
  approval?: ApprovalRequest;
  childRunId?: string;
  usage?: StepUsage;
}

export type ExecResult = StepDone | StepWait;

export type Wake = { kind: "approval"; approval: ApprovalRecord } | { kind: "child"; child: ChildRunOutcome };

export interface Executor<Config = unknown> {
  run(ctx: ExecContext<Config>): Promise<ExecResult>;
  /** Continue after a wait (approval decided, child run finished). */
  resume?(ctx: ExecContext<Config>, wake: Wake): Promise<ExecResult>;
  /**
   * The run ended (cancelled, failed elsewhere, past its deadline) while this step waited for a
   * person: undo what the wait left open outside Switchboard (the a2a node cancels the remote
   * task). Called once after the run's final commit, best effort, bounded in time; errors ignored.
   */
  abandon?(info: AbandonedWait<Config>): Promise<void>;
}

export interface AbandonedWait<Config = unknown> {
  runId: string;
  workspaceId: string;
  nodeName: string;
  config: Config;
  /** The approval the step waited on (as stored; already cancelled). */
  approval: ApprovalRecord | null;
  services: Pick<ExecServices, "a2a" | "mcp" | "http" | "credentials">;
  signal: AbortSignal;
}
