import type { ExpressionLimits } from "@/lib/expressions";
import type { ChildRunOutcome } from "@/lib/nodes/types";
import type { RunExecution } from "../execution";
import type {
  Clock,
  CredentialResolver,
  EngineSettings,
  HttpFetcher,
  IdGenerator,
  ModelGateway,
  PriceTable,
  RunNotifier,
  RunStore,
} from "../ports";
import type { RunResult } from "../types";

export interface ExecutionDeps {
  store: RunStore;
  clock: Clock;
  ids: IdGenerator;
  models: ModelGateway;
  http: HttpFetcher;
  prices: PriceTable;
  notifier?: RunNotifier;
  settings: EngineSettings;
  credentials?: CredentialResolver;
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
