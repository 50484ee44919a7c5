/** Admin switches, workspace budgets and credentials the engine reads while it runs. */
import type { SecretRedaction } from "./redaction";

export interface WorkspaceBudget {
  limitUsd: number | null;
  spentUsd: number;
}

export interface CredentialResolver {
  /** A secret by name for the run's workspace (e.g. an API token for the http node). */
  get(workspaceId: string, name: string): Promise<string | null>;
  /**
   * The secret with how it is sent: `kind` bearer | basic | header | query | secret, and for
   * header and query the header or parameter name (`field`). Absent: callers use `get` as bearer.
   */
  resolve?(workspaceId: string, name: string): Promise<ResolvedCredential | null>;
}

export interface ResolvedCredential {
  value: string;
  kind: string;
  field?: string | null;
}

export interface EngineSettings {
  /** Admin setting: http nodes may reach loopback/private/link-local addresses. Default false. */
  allowPrivateNetwork?: boolean;
  /** Workspace budget (USD); when a run would pass it, the run pauses or fails like run budgets. */
  getWorkspaceBudget?: (workspaceId: string) => Promise<WorkspaceBudget | null>;
  credentials?: CredentialResolver;
  /** HTTP node limits. */
  httpMaxResponseBytes?: number;
  httpTimeoutMs?: number;
  /** Expression limits. */
  expressionTimeoutMs?: number;
  expressionMaxResultBytes?: number;
  /** Subworkflow nesting limit (default 5). */
  maxSubworkflowDepth?: number;
  /**
   * Redacts the workspace's secrets from everything the engine commits (step rows, events,
   * approvals, the run's output, error and state) and from the results it returns.
   */
  redaction?: SecretRedaction;
}
