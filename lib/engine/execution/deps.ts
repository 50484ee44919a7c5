import type { ChildRunOutcome } from "@/lib/contracts/node";
import type {
  A2aGateway,
  BudgetLedger,
  Clock,
  CredentialResolver,
  EngineSettings,
  HttpFetcher,
  IdGenerator,
  McpGateway,
  ModelGateway,
  PriceTable,
  RunNotifier,
  RunStore,
} from "@/lib/contracts/ports";
import type { ExpressionLimits } from "@/lib/expressions";
import type { RunExecution } from "../execution";
import type { RunResult } from "../types";

export interface ExecutionDeps {
  store: RunStore;
  clock: Clock;
  ids: IdGenerator;
  models: ModelGateway;
  http: HttpFetcher;
  prices: PriceTable;
  notifier?: RunNotifier;
  budgets?: BudgetLedger;
  settings: EngineSettings;
  credentials?: CredentialResolver;
  mcp?: McpGateway;
  a2a?: A2aGateway;
  owner: string;
  leaseTtlMs: number;
  limits: ExpressionLimits;
  /** Start or continue the child run of a subworkflow step. */
  runChild(
    parent: RunExecution,
    childRunId: string,
    input: { workflow: string; version: number | "latest"; input: unknown },
  ): Promise<ChildRunOutcome>;
  getChild(runId: string): Promise<ChildRunOutcome | null>;
  /** Re-acquire and continue a run (bypasses the in-process dedupe). */
  resumeInternal(runId: string): Promise<RunResult>;
  /** A child finished: carry its waiting parent on. */
  resumeParent(parentRunId: string): Promise<void>;
  cancelRun(runId: string, by: string | null): Promise<unknown>;
}
