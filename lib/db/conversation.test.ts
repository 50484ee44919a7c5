// The agents' conversation on the run page and in the inbox comes from a real engine run: the
// engine stores each message on the step that added it (not in run.state), and both pages must
// rebuild it from there, in order.
import { afterEach, describe, expect, it } from "vitest";
import { edge, node, trigger, workflow } from "../engine/testing/builders";
import { createRuntime } from "../runtime/engine";
import { getApprovalDetail } from "./approvals";
import { seedWorkflowVersion } from "./fixtures";
import { getRunDetail } from "./runs-queries";
import { TEST_DATABASES } from "./testing";

const DRAFT_THEN_APPROVE = workflow(
  [
    trigger(),
    node("draft", "agent", { model: "simulated", prompt: "Draft a reply", simulate: { output: "Draft" } }),
    node("approve", "approval", { title: "Send it?", assignees: { roles: ["approver"], users: [] }, timeoutMs: null }),
  ],
  [edge("start", "draft"), edge("draft", "approve")],
  { name: "Draft, then approve" },
);

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

describe.each(TEST_DATABASES)("the conversation shown for a run on $name", ({ open }) => {
  it("is the agents' messages in order, on the run page and on the approval", async () => {
    const db = await open();
    cleanups.push(() => db.dispose());
    const ids = await seedWorkflowVersion(db, DRAFT_THEN_APPROVE);
    const rt = createRuntime(db, { role: "test" });
    cleanups.push(() => rt.close());
    const result = await rt.engine.execute({ document: DRAFT_THEN_APPROVE, ...ids }, {});
    expect(result.status).toBe("waiting");

    const run = await getRunDetail(db, ids.workspaceId, result.runId);
    expect(run?.conversation.map((m) => [m.role, m.content])).toEqual([
      ["user", "Draft a reply"],
      ["assistant", "Draft"],
    ]);
    expect(run?.conversation.every((m) => m.nodeId === "draft")).toBe(true);

    const approvalId = result.approvals[0]!.id;
    const approval = await getApprovalDetail(db, ids.workspaceId, approvalId);
    expect(approval?.conversation.map((m) => [m.role, m.content])).toEqual([
      ["user", "Draft a reply"],
      ["assistant", "Draft"],
    ]);
  });
});
