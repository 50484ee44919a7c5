/**
 * Every node type's outcomes, each run through a pause: `subject` (and whatever a case adds)
 * runs, then `probe1` records what an expression can read (`nodes`, `vars`, `conversation`,
 * `input`, `run`), then an approval (`pause`) ends the execution, and after the decision a new
 * execution — which rebuilds its context from the stored rows — runs `probe2`, which records
 * the same. What the two probes saw must be equal: every value an expression reads after a
 * resume comes from what was committed, exactly as it was before.
 */

import type { HttpFetcher, HttpResponse } from "@/lib/contracts/ports";
import type { WorkflowDocument, WorkflowEdge, WorkflowNode } from "@/lib/contracts/workflow-document";
import type { Engine, RunResult } from "../types";
import { edge, node, trigger, workflow } from "./builders";

export interface OutcomeCase {
  name: string;
  /** Nodes besides the trigger and the probes; at least one edge must lead to `probe1`. */
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
  input?: unknown;
  /** Decision for approvals other than the probes' pause (default approve). */
  decide?: "approve" | "reject";
  /** The stub fetcher's answers, in order (http cases); none: the real egress-guarded fetcher. */
  http?: { status: number; body?: string }[];
  /** Needs a subworkflow resolver that knows `child` (memory-store engines only). */
  child?: WorkflowDocument;
  /** What `subject` must look like to probe1 (proves the case reached the outcome it names). */
  expect: { status: string; output?: unknown };
}

const PROBE = '{"nodes": nodes, "vars": vars, "conversation": conversation, "input": input, "run": run}';
const PROBES = new Set(["probe1", "pause", "probe2", "finish"]);

const agent = (id: string, simulate: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  node(id, "agent", { model: "simulated", prompt: `prompt of ${id}`, simulate, ...extra });
const other = (id = "other") => node(id, "transform", { expression: "'not taken'" });

export const CHILD_DOCUMENT: WorkflowDocument = workflow(
  [trigger(), node("childEnd", "end", { output: { child: "{{ input.n }}" } })],
  [edge("start", "childEnd")],
  { name: "Child" },
);

export const OUTCOME_CASES: OutcomeCase[] = [
  { name: "trigger → default", nodes: [], edges: [edge("start", "probe1")], expect: { status: "succeeded" } },
  {
    name: "agent → default (output, usage, vars, conversation)",
    nodes: [
      agent(
        "subject",
        { output: { answer: 42, list: [1, "two", null] }, usage: { inputTokens: 5, outputTokens: 7 } },
        { writes: { answer: "{{ output.answer }}" } },
      ),
    ],
    edges: [edge("start", "subject"), edge("subject", "probe1")],
    expect: { status: "succeeded", output: { answer: 42, list: [1, "two", null] } },
  },
  {
    name: "agent → routing: choose (the other target skipped)",
    nodes: [
      agent("subject", { output: "handing off", route: "probe1", reason: "it knows" }, { routing: "choose" }),
      other(),
    ],
    edges: [edge("start", "subject"), edge("subject", "probe1"), edge("subject", "other")],
    expect: { status: "succeeded", output: "handing off" },
  },
  {
    name: "agent → retried after a rate limit, then default",
    nodes: [
      node(
        "subject",
        "agent",
        { model: "simulated", prompt: "x", simulate: { output: "second try", failTimes: 1, failWith: "rate_limit" } },
        { retry: { maxAttempts: 2, backoffMs: 1 } },
      ),
    ],
    edges: [edge("start", "subject"), edge("subject", "probe1")],
    expect: { status: "succeeded", output: "second try" },
  },
  {
    name: "approval → approved",
    nodes: [node("subject", "approval", { title: "ok?", timeoutMs: null }), other()],
    edges: [edge("start", "subject"), edge("subject", "probe1", "approved"), edge("subject", "other", "rejected")],
    expect: { status: "succeeded" },
  },
  {
    name: "approval → rejected",
    decide: "reject",
    nodes: [node("subject", "approval", { title: "ok?", timeoutMs: null }), other()],
    edges: [edge("start", "subject"), edge("subject", "other", "approved"), edge("subject", "probe1", "rejected")],
    expect: { status: "succeeded" },
  },
  {
    name: "condition → a case",
    input: { n: 2 },
    nodes: [
      node("subject", "condition", { cases: [{ handle: "big", when: "input.n > 1" }], default: "small" }),
      other(),
    ],
    edges: [edge("start", "subject"), edge("subject", "probe1", "big"), edge("subject", "other", "small")],
    expect: { status: "succeeded" },
  },
  {
    name: "condition → default",
    input: { n: 0 },
    nodes: [
      node("subject", "condition", { cases: [{ handle: "big", when: "input.n > 1" }], default: "small" }),
      other(),
    ],
    edges: [edge("start", "subject"), edge("subject", "other", "big"), edge("subject", "probe1", "small")],
    expect: { status: "succeeded" },
  },
  {
    name: "transform → default",
    input: { a: [1, 2, 3] },
    nodes: [node("subject", "transform", { expression: '{"sum": $sum(input.a), "none": null}' })],
    edges: [edge("start", "subject"), edge("subject", "probe1")],
    expect: { status: "succeeded", output: { sum: 6, none: null } },
  },
  {
    name: "set → default (vars)",
    nodes: [node("subject", "set", { vars: { status: "checked", count: "{{ 1 + 1 }}" } })],
    edges: [edge("start", "subject"), edge("subject", "probe1")],
    expect: { status: "succeeded" },
  },
  {
    name: "http → default",
    http: [{ status: 200, body: '{"ok":true,"id":7}' }],
    nodes: [node("subject", "http", { url: "https://api.example.com/x" }), other()],
    edges: [edge("start", "subject"), edge("subject", "probe1"), edge("subject", "other", "error")],
    expect: { status: "succeeded" },
  },
  {
    name: "http → error (egress denied)",
    nodes: [node("subject", "http", { url: "http://127.0.0.1:9/x" }), other()],
    edges: [edge("start", "subject"), edge("subject", "other"), edge("subject", "probe1", "error")],
    expect: { status: "failed", output: { error: { code: "egress_denied" } } },
  },
  {
    name: "http → retried, then error",
    http: [{ status: 503 }, { status: 502 }],
    nodes: [node("subject", "http", { url: "https://api.example.com/x" }, { retry: { maxAttempts: 2, backoffMs: 1 } })],
    edges: [edge("start", "subject"), edge("subject", "probe1", "error")],
    expect: { status: "failed", output: { error: { retryable: true } } },
  },
  {
    name: "http → retried, then default",
    http: [{ status: 503 }, { status: 200, body: '"fine"' }],
    nodes: [node("subject", "http", { url: "https://api.example.com/x" }, { retry: { maxAttempts: 2, backoffMs: 1 } })],
    edges: [edge("start", "subject"), edge("subject", "probe1")],
    expect: { status: "succeeded" },
  },
  {
    name: "tool → error",
    nodes: [node("subject", "tool", { server: "files", tool: "read" }), other()],
    edges: [edge("start", "subject"), edge("subject", "other"), edge("subject", "probe1", "error")],
    expect: { status: "failed", output: { error: { code: "not_available" } } },
  },
  {
    name: "guardrail → pass",
    input: { text: "hello" },
    nodes: [
      node("subject", "guardrail", { target: "{{ input.text }}", checks: [{ type: "maxLength", max: 10 }] }),
      other(),
    ],
    edges: [edge("start", "subject"), edge("subject", "probe1", "pass"), edge("subject", "other", "fail")],
    expect: { status: "succeeded", output: "hello" },
  },
  {
    name: "guardrail → fail",
    input: { text: "far too long for the check" },
    nodes: [
      node("subject", "guardrail", { target: "{{ input.text }}", checks: [{ type: "maxLength", max: 10 }] }),
      other(),
    ],
    edges: [edge("start", "subject"), edge("subject", "other", "pass"), edge("subject", "probe1", "fail")],
    expect: { status: "succeeded", output: { passed: false } },
  },
  {
    name: "guardrail → escalated, approved → pass",
    input: { text: "far too long for the check" },
    nodes: [
      node("subject", "guardrail", {
        target: "{{ input.text }}",
        checks: [{ type: "maxLength", max: 10 }],
        onFail: "escalate",
        timeoutMs: null,
      }),
      other(),
    ],
    edges: [edge("start", "subject"), edge("subject", "probe1", "pass"), edge("subject", "other", "fail")],
    expect: { status: "succeeded" },
  },
  {
    name: "subworkflow → default",
    child: CHILD_DOCUMENT,
    input: { n: 5 },
    nodes: [node("subject", "subworkflow", { workflow: "child", input: "{{ input }}" })],
    edges: [edge("start", "subject"), edge("subject", "probe1")],
    expect: { status: "succeeded", output: { child: 5 } },
  },
  {
    name: "end in a parallel branch",
    nodes: [node("subject", "end", { output: { early: true } }), agent("later", { output: "later", latencyMs: 50 })],
    edges: [edge("start", "subject"), edge("start", "later"), edge("later", "probe1")],
    expect: { status: "succeeded" },
  },
  {
    name: "a loop: a node that ran is skipped in the next round, a node runs twice",
    nodes: [
      node("subject", "transform", {
        expression: "$type(nodes.subject.output) = 'number' ? nodes.subject.output + 1 : 1",
      }),
      node("check", "condition", { cases: [{ handle: "again", when: "nodes.subject.output < 2" }], default: "next" }),
      node("side", "transform", { expression: "'side of round ' & $string(nodes.subject.output)" }),
    ],
    edges: [
      edge("start", "subject"),
      edge("subject", "check"),
      edge("check", "side", "again"),
      edge("side", "subject"),
      edge("check", "probe1", "next"),
    ],
    expect: { status: "succeeded", output: 2 },
  },
];

/** The case's document: its nodes, then probe1 → pause → probe2 → finish. */
export function outcomeDocument(c: OutcomeCase): WorkflowDocument {
  return workflow(
    [
      trigger(),
      ...c.nodes,
      node("probe1", "transform", { expression: PROBE }),
      node("pause", "approval", { title: "pause", timeoutMs: null }),
      node("probe2", "transform", { expression: PROBE }),
      node("finish", "end", { output: { before: "{{ nodes.probe1.output }}", after: "{{ nodes.probe2.output }}" } }),
    ],
    [...c.edges, edge("probe1", "pause"), edge("pause", "probe2", "approved"), edge("probe2", "finish")],
    { name: `Outcome: ${c.name}` },
  );
}

export function stubFetcher(answers: { status: number; body?: string }[]): HttpFetcher & { calls: number } {
  const f = {
    calls: 0,
    async fetch(req: { url: string }): Promise<HttpResponse> {
      const a = answers[Math.min(f.calls, answers.length - 1)]!;
      f.calls++;
      const body = a.body ?? "{}";
      return {
        status: a.status,
        headers: { "content-type": "application/json" },
        body,
        bytes: body.length,
        url: req.url,
      };
    },
  };
  return f;
}

/**
 * Runs a case's document to its end, deciding every approval on the way (the case's decision for
 * its own, approve for the pause), and returns what the two probes saw, without the probes.
 */
export async function runThroughPause(
  engine: Pick<Engine, "decide" | "getResult">,
  start: () => Promise<RunResult>,
  c: OutcomeCase,
  pendingApprovals: (runId: string) => Promise<{ id: string; nodeId: string }[]>,
): Promise<{ result: RunResult; before: Record<string, unknown>; after: Record<string, unknown> }> {
  let result = await start();
  const runId = result.runId;
  for (let i = 0; i < 10 && result.status === "waiting"; i++) {
    const pending = await pendingApprovals(runId);
    if (pending.length === 0) break;
    const a = pending[0]!;
    result = await engine.decide(a.id, {
      decision: a.nodeId === "pause" ? "approve" : (c.decide ?? "approve"),
      by: "tester",
    });
  }
  const out = (result.output ?? {}) as { before?: Record<string, unknown>; after?: Record<string, unknown> };
  const strip = (seen: Record<string, unknown> | undefined) => {
    const copy = JSON.parse(JSON.stringify(seen ?? {})) as { nodes?: Record<string, unknown> };
    for (const id of PROBES) delete copy.nodes?.[id];
    return copy as Record<string, unknown>;
  };
  return { result, before: strip(out.before), after: strip(out.after) };
}
