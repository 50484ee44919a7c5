import { describe, expect, it } from "vitest";
import { type CompareStep, compareSteps } from "./compare";

const step = (p: Partial<CompareStep> & { nodeId: string }): CompareStep => ({
  nodeType: "agent",
  visit: 1,
  attempt: 1,
  status: "succeeded",
  durationMs: 10,
  inputTokens: 1,
  outputTokens: 2,
  costUsd: 0.5,
  output: { ok: true },
  error: null,
  ...p,
});

describe("compareSteps", () => {
  it("lines up nodes by (node, visit) and says what changed", () => {
    const a = [
      step({ nodeId: "triage" }),
      step({ nodeId: "lookup", status: "failed", attempt: 1, output: null, error: { message: "503" } }),
      step({ nodeId: "lookup", status: "failed", attempt: 2, output: null, error: { message: "503 again" } }),
    ];
    const b = [
      step({ nodeId: "triage" }),
      step({ nodeId: "lookup", output: { rows: 3 } }),
      step({ nodeId: "reply", output: { text: "hi" } }),
    ];
    const rows = compareSteps(a, b);
    expect(rows.map((r) => [r.nodeId, r.change])).toEqual([
      ["triage", "same"],
      ["lookup", "status changed"],
      ["reply", "only in B"],
    ]);
    const lookup = rows[1]!;
    expect(lookup.a).toMatchObject({
      status: "failed",
      attempts: 2,
      costUsd: 1,
      tokens: 6,
      error: { message: "503 again" },
    });
    expect(lookup.b).toMatchObject({ status: "succeeded", attempts: 1 });
  });
  it("flags different outputs and refuses to judge truncated ones", () => {
    const rows = compareSteps(
      [step({ nodeId: "x", output: { v: 1 } }), step({ nodeId: "y", output: null, outputTruncated: true })],
      [step({ nodeId: "x", output: { v: 2 } }), step({ nodeId: "y", output: { big: true } })],
    );
    expect(rows.map((r) => [r.change, r.sameOutput])).toEqual([
      ["different", false],
      ["same", null],
    ]);
  });
});
