// "Test step" end to end without Next: the server actions through authedAction, the real engine,
// on both databases. Nothing but an audit entry is stored; data comes from the sample, an earlier
// run or pinned outputs, in that order of precedence.
import { describe, expect, it } from "vitest";

process.env.SWITCHBOARD_NOTIFICATIONS = "0";

import { createWorkflowAction, saveDraftAction } from "@/app/(app)/workflows/actions";
import { startRunAction } from "@/app/(app)/workflows/run-actions";
import { testStepAction, testStepRunsAction } from "@/app/(app)/workflows/test-step-actions";
import { TEST_DATABASES } from "@/lib/db/testing";
import { serverHarness } from "@/lib/server/testing";

function chain(bExpression: string, pinnedA?: unknown) {
  return {
    format: "switchboard.workflow/v1",
    name: "Chain",
    input: { type: "object", properties: { n: { type: "number" } } },
    nodes: [
      { id: "start", type: "trigger", config: { kind: "manual" } },
      {
        id: "a",
        type: "transform",
        config: { expression: "input.n + 1" },
        ...(pinnedA === undefined ? {} : { pinned: { output: pinnedA } }),
      },
      { id: "b", type: "transform", config: { expression: bExpression } },
      { id: "done", type: "end", config: { output: "{{ nodes.b.output }}" } },
    ],
    edges: [
      { source: "start", target: "a" },
      { source: "a", target: "b" },
      { source: "b", target: "done" },
    ],
  };
}

describe.each(TEST_DATABASES)("test step on $name", ({ open }) => {
  const server = serverHarness(open);
  const { as } = server;

  async function workflow(document: object) {
    as("editor");
    const created = await createWorkflowAction({ name: "Chain" });
    if (!created.ok) throw new Error(created.error.message);
    const wf = await server.db.prisma.workflow.findUniqueOrThrow({ where: { id: created.data.id } });
    const saved = await saveDraftAction({ id: wf.id, baseRevision: wf.draftRevision, document });
    if (!saved.ok) throw new Error(saved.error.message);
    return wf.id;
  }

  it("runs one step of the editor's document with sample data, stores no run, audits the test", async () => {
    const id = await workflow(chain("nodes.a.output * 10"));
    as("viewer");
    const refused = await testStepAction({ id, document: chain("1"), request: { nodeId: "b" } });
    expect(refused.ok).toBe(false);

    as("editor");
    // the editor's unsaved document is what runs, with the sample output of `a`
    const tested = await testStepAction({
      id,
      document: chain("nodes.a.output * 3"),
      request: { nodeId: "b", nodes: { a: { output: 5 } } },
    });
    expect(tested.ok && tested.data).toMatchObject({ status: "succeeded", output: 15 });
    expect(await server.db.prisma.run.count({ where: { workflowId: id } })).toBe(0);
    const audit = await server.db.prisma.auditEntry.findFirst({ where: { action: "step.tested", targetId: id } });
    expect(audit?.summary).toMatch(/Tested step b.*succeeded/);
  });

  it("reads a pinned output unless the sample gives one; a step's bad settings name the field", async () => {
    const id = await workflow(chain("nodes.a.output * 10", 7));
    const pinned = await testStepAction({ id, document: chain("nodes.a.output * 10", 7), request: { nodeId: "b" } });
    expect(pinned.ok && pinned.data).toMatchObject({ status: "succeeded", output: 70 });
    const typed = await testStepAction({
      id,
      document: chain("nodes.a.output * 10", 7),
      request: { nodeId: "b", nodes: { a: { output: 1 } } },
    });
    expect(typed.ok && typed.data).toMatchObject({ output: 10 });

    const bad = chain("nodes.a.output");
    (bad.nodes[2]!.config as { expression: unknown }).expression = 42;
    const refused = await testStepAction({ id, document: bad, request: { nodeId: "b" } });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.message).toMatch(/config\.expression/);
  });

  it("reuses what the step received in an earlier run of the workflow, and only of this workflow", async () => {
    const id = await workflow(chain("nodes.a.output * 10"));
    const started = await startRunAction({ id, input: { n: 1 } });
    if (!started.ok) throw new Error(started.error.message);
    await server.host.engine.runUntilPauseOrEnd(started.data.runId);

    const runs = await testStepRunsAction({ id, nodeId: "b" });
    expect(runs.ok && runs.data.map((r) => r.runId)).toContain(started.data.runId);

    const tested = await testStepAction({
      id,
      document: chain("nodes.a.output * 100 + input.n"),
      request: { nodeId: "b", fromRunId: started.data.runId },
    });
    expect(tested.ok && tested.data).toMatchObject({ status: "succeeded", output: 201, usedRunId: started.data.runId });

    const other = await workflow(chain("1"));
    const foreign = await testStepAction({
      id: other,
      document: chain("1"),
      request: { nodeId: "b", fromRunId: started.data.runId },
    });
    expect(foreign.ok).toBe(false);
    if (!foreign.ok) expect(foreign.error.code).toBe("not_found:run");
  });
});
