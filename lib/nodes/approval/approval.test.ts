import { describe, expect, it } from "vitest";
import { runSingle } from "@/lib/testing/run-single";
import { approvalConfigSchema } from "./definition";

describe("approval", () => {
  it("pauses the run with an approval record and resumes on the decision", async () => {
    const { t, result, step } = await runSingle(
      "approval",
      { title: "Ship {{ input.v }}?", timeoutMs: 60_000 },
      { v: "1.2" },
    );
    expect(result.status).toBe("waiting");
    expect(step!.status).toBe("waiting");
    const [a] = await t.store.listApprovals({ runId: result.runId });
    expect(a).toMatchObject({ title: "Ship 1.2?", payload: { v: "1.2" }, onTimeout: "reject", allowEdit: false });
    const done = await t.engine.decide(a!.id, { decision: "approve", by: "u1", comment: "go" });
    expect(done.status).toBe("succeeded");
    expect(done.steps.find((s) => s.nodeId === "subject")!.output).toEqual({
      decision: "approved",
      comment: "go",
      decidedBy: "u1",
      via: "person",
      edited: false,
      data: { v: "1.2" },
    });
  });

  it("config rules: escalate needs a chain, a timeout behaviour needs a deadline, someone must decide", () => {
    expect(approvalConfigSchema.safeParse({ title: "x", onTimeout: "escalate" }).error!.issues[0]!.path).toEqual([
      "escalateTo",
    ]);
    expect(approvalConfigSchema.safeParse({ title: "x", timeoutMs: null, onTimeout: "approve" }).success).toBe(false);
    expect(approvalConfigSchema.safeParse({ title: "x", assignees: { roles: [], users: [] } }).success).toBe(false);
    expect(approvalConfigSchema.parse({ title: "x" }).timeoutMs).toBe(7 * 24 * 3_600_000);
    expect(approvalConfigSchema.parse({ title: "x", timeoutMs: null }).timeoutMs).toBeNull();
  });
});
