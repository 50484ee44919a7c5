import { describe, expect, it } from "vitest";
import type { StepRecord } from "@/lib/contracts/ports";
import type { TokenState } from "../state";
import { nodesFromSteps, nodeView } from "./node-view";

let clock = 0;
function row(nodeId: string, visit: number, attempt: number, status: StepRecord["status"], output: unknown = null) {
  clock += 1;
  return {
    id: `s${clock}`,
    runId: "r",
    workspaceId: "w",
    nodeId,
    nodeType: "transform",
    visit,
    attempt,
    status,
    idempotencyKey: `r:${nodeId}:${visit}`,
    input: null,
    output,
    error: null,
    model: null,
    simulated: false,
    usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
    startedAt: new Date(clock),
    endedAt: null,
    durationMs: null,
  } satisfies StepRecord;
}
const token = (node: string, visit: number, attempt: number, status: TokenState["status"]): TokenState => ({
  node,
  visit,
  attempt,
  crashes: 0,
  status,
});

describe("nodes.<id> from the step rows", () => {
  it("folds rows in (visit, attempt) order whatever order the store lists them in", () => {
    const rows = [row("x", 2, 1, "skipped"), row("x", 1, 1, "succeeded", { round: 1 })];
    expect(nodesFromSteps(rows, [])).toEqual({ x: { output: { round: 1 }, status: "skipped" } });
  });

  it("a running row keeps the previous visit's output (a loop body reads its last round)", () => {
    const rows = [row("x", 1, 1, "succeeded", 1), row("x", 2, 1, "running")];
    expect(nodesFromSteps(rows, [token("x", 2, 1, "running")])).toEqual({ x: { output: 1, status: "running" } });
  });

  it("a failed attempt that is retried reads as running, with the output it had", () => {
    const failed = row("x", 2, 1, "failed");
    const rows = [row("x", 1, 1, "succeeded", "first"), failed];
    // the retry is due later (token retrying), or was interrupted by a crash and runs again (ready)
    expect(nodesFromSteps(rows, [token("x", 2, 2, "retrying")])).toEqual({ x: { output: "first", status: "running" } });
    expect(nodesFromSteps(rows, [token("x", 2, 2, "ready")])).toEqual({ x: { output: "first", status: "running" } });
    expect(nodeView({ output: "first", status: "running" }, failed, true)).toEqual({
      output: "first",
      status: "running",
    });
  });

  it("a final failure reads as failed with what its row stores (the error output when routed)", () => {
    const routed = row("x", 1, 1, "failed", { error: { code: "egress_denied" } });
    expect(nodesFromSteps([routed], [])).toEqual({
      x: { output: { error: { code: "egress_denied" } }, status: "failed" },
    });
    const rows = [row("y", 1, 1, "failed"), row("y", 1, 2, "succeeded", "second")];
    expect(nodesFromSteps(rows, [])).toEqual({ y: { output: "second", status: "succeeded" } });
  });

  it("waiting and cancelled rows read with no output", () => {
    expect(nodesFromSteps([row("a", 1, 1, "waiting")], [token("a", 1, 1, "waiting")])).toEqual({
      a: { output: null, status: "waiting" },
    });
    expect(nodesFromSteps([row("a", 1, 1, "succeeded", 5), row("a", 2, 1, "cancelled")], [])).toEqual({
      a: { output: null, status: "cancelled" },
    });
  });
});
