import { describe, expect, it } from "vitest";
import { edge, node, trigger, workflow } from "@/lib/engine/testing/builders";
import { runSingle } from "@/lib/testing/run-single";

const child = workflow(
  [
    trigger(),
    node("double", "transform", { expression: "input.n * 2" }),
    node("e", "end", { output: { doubled: "{{ nodes.double.output }}" } }),
  ],
  [edge("start", "double"), edge("double", "e")],
  { input: { type: "object", properties: { n: { type: "number" } }, required: ["n"] } },
);
const waitingChild = workflow(
  [
    trigger(),
    node("ask", "approval", { title: "child ok?", timeoutMs: 60_000 }),
    node("e", "end", { output: "child done" }),
  ],
  [edge("start", "ask"), edge("ask", "e")],
);
const after = {
  extraNodes: [{ id: "e", type: "end", config: { output: "{{ nodes.subject.output }}" } }],
  extraEdges: [{ source: "subject", target: "e" }],
};

describe("subworkflow", () => {
  it("runs a child run and uses its output", async () => {
    const { t, result } = await runSingle(
      "subworkflow",
      { workflow: "doubler", input: { n: "{{ input.x }}" } },
      { x: 21 },
      {
        workflows: { doubler: child },
        ...after,
      },
    );
    expect(result.status).toBe("succeeded");
    expect(result.output).toEqual({ doubled: 42 });
    const runs = t.store.dump().runs;
    const childRun = runs.find((r) => r.parentRunId === result.runId)!;
    expect(childRun).toMatchObject({ trigger: "subworkflow", status: "succeeded", workflowId: "doubler" });
    expect(childRun.id).toBe(`${result.runId}-subject-1`);
  });

  it("waits while the child waits, and carries on when the child finishes", async () => {
    const { t, result } = await runSingle(
      "subworkflow",
      { workflow: "gated" },
      {},
      { workflows: { gated: waitingChild }, ...after },
    );
    expect(result.status).toBe("waiting");
    const childRunId = `${result.runId}-subject-1`;
    const [a] = await t.store.listApprovals({ runId: childRunId });
    const childDone = await t.engine.decide(a!.id, { decision: "approve", by: "u" });
    expect(childDone.status).toBe("succeeded");
    const parent = await t.engine.getResult(result.runId);
    expect(parent!.status).toBe("succeeded");
    expect(parent!.output).toBe("child done");
  });

  it("fails clearly for a missing workflow or bad child input", async () => {
    const missing = await runSingle("subworkflow", { workflow: "nope" }, {}, { workflows: {} });
    expect(missing.result.error!.message).toMatch(/"nope".*does not exist/);
    const bad = await runSingle(
      "subworkflow",
      { workflow: "doubler", input: { n: "not a number" } },
      {},
      { workflows: { doubler: child } },
    );
    expect(bad.result.status).toBe("failed");
    expect(bad.result.error!.message).toMatch(/input is not valid: .*input\.n/);
  });

  it("a failed child fails the step", async () => {
    const failing = workflow([trigger(), node("t", "tool", { server: "s", tool: "t" })], [edge("start", "t")]);
    const { result } = await runSingle("subworkflow", { workflow: "f" }, {}, { workflows: { f: failing } });
    expect(result.status).toBe("failed");
    expect(result.error!.message).toMatch(/subworkflow run .* failed: The MCP tool node/);
  });

  it("stops endless nesting", async () => {
    const self = workflow([trigger(), node("again", "subworkflow", { workflow: "self" })], [edge("start", "again")]);
    const { result } = await runSingle("subworkflow", { workflow: "self" }, {}, { workflows: { self } });
    expect(result.status).toBe("failed");
    expect(JSON.stringify(result.error)).toMatch(/nested more than 5 deep/);
  });
});
