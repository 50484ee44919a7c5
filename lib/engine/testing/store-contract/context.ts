/**
 * What every part of the RunStore contract shares: a fresh fixture per test (made by the
 * store's test file, cleaned up after it), a fixed clock origin, and builders for runs, steps
 * and approvals that point at the fixture's rows.
 */
import { afterEach, beforeEach } from "vitest";
import type { ApprovalInput, CreateRunInput, RunStore, StepRecord } from "@/lib/contracts/ports";
import type { WorkflowDocument } from "@/lib/contracts/workflow-document";

export interface ContractFixture {
  store: RunStore;
  /** Existing rows the runs can point at. */
  refs?: { workspaceId: string; workflowId: string; workflowVersionId: string; document?: WorkflowDocument };
  cleanup?: () => Promise<void> | void;
}

export type MakeFixture = () => Promise<ContractFixture> | ContractFixture;

export const DOC: WorkflowDocument = {
  format: "switchboard.workflow/v1",
  name: "Contract",
  nodes: [{ id: "start", type: "trigger", config: { kind: "manual" } }],
  edges: [],
};

export interface ContractContext {
  /** The current test's store and fixture (set before each test). */
  readonly store: RunStore;
  readonly fx: ContractFixture;
  /** A time `ms` after the contract's fixed origin. */
  at(ms: number): Date;
  runInput(over?: Partial<CreateRunInput>): CreateRunInput;
  step(runId: string, over?: Partial<StepRecord>): StepRecord;
  approval(runId: string, over?: Partial<ApprovalInput>): ApprovalInput;
}

/** Registers the per-test fixture hooks in the calling describe block. */
export function useContractFixture(make: MakeFixture): ContractContext {
  let fx: ContractFixture;
  let n = 0;
  const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
  const at = (ms: number) => new Date(t0 + ms);

  beforeEach(async () => {
    fx = await make();
  });
  afterEach(async () => {
    await fx.cleanup?.();
  });

  function runInput(over: Partial<CreateRunInput> = {}): CreateRunInput {
    n += 1;
    const refs = fx.refs ?? { workspaceId: "ws1", workflowId: "wf1", workflowVersionId: "wf1@1" };
    return {
      id: `contract-run-${Date.now().toString(36)}-${n}-${Math.random().toString(36).slice(2, 8)}`,
      workspaceId: refs.workspaceId,
      workflowId: refs.workflowId,
      workflowVersionId: refs.workflowVersionId,
      document: fx.refs?.document ?? DOC,
      input: { message: "héllo ✓", nested: { list: [1, 2, { deep: true }] } },
      trigger: "manual",
      status: "running",
      state: { v: 1, tokens: [{ node: "start" }], vars: { a: 1 } },
      createdAt: at(0),
      startedAt: at(0),
      ...over,
    };
  }

  function step(runId: string, over: Partial<StepRecord> = {}): StepRecord {
    return {
      id: `step-${Math.random().toString(36).slice(2)}`,
      runId,
      workspaceId: fx.refs?.workspaceId ?? "ws1",
      nodeId: "a",
      nodeType: "agent",
      visit: 1,
      attempt: 1,
      status: "running",
      idempotencyKey: `${runId}:a:1`,
      input: null,
      output: null,
      error: null,
      model: null,
      simulated: false,
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
      startedAt: at(10),
      endedAt: null,
      durationMs: null,
      ...over,
    };
  }

  function approval(runId: string, over: Partial<ApprovalInput> = {}): ApprovalInput {
    return {
      id: `apr-${Math.random().toString(36).slice(2)}`,
      workspaceId: fx.refs?.workspaceId ?? "ws1",
      runId,
      nodeId: "ask",
      visit: 1,
      kind: "approval",
      title: "Refund $120?",
      details: "Customer asks for a refund",
      payload: { amount: 120 },
      allowEdit: true,
      editSchema: { type: "object" },
      assignees: { roles: ["approver"], users: [] },
      escalateTo: [{ roles: ["admin"], users: [], timeoutMs: 1000 }],
      escalationLevel: 0,
      deadlineAt: at(60_000),
      onTimeout: "reject",
      createdAt: at(20),
      ...over,
    };
  }

  return {
    get store() {
      return fx.store;
    },
    get fx() {
      return fx;
    },
    at,
    runInput,
    step,
    approval,
  };
}
