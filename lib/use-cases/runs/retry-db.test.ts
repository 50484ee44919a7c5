// Retry from the failed step on the real Prisma run store (SQLite and PostgreSQL) through the
// same runtime the web app uses.
import { describe, expect, it } from "vitest";
import { getDashboard } from "@/lib/db/dashboard";
import { seedWorkspaceRow } from "@/lib/db/fixtures";
import { getRunDetail } from "@/lib/db/runs-queries";
import { TEST_DATABASES } from "@/lib/db/testing";
import { pinDocumentVersion } from "@/lib/db/workflows-store";
import { createIdGenerator } from "@/lib/engine/clock";
import { createRetryRun } from "@/lib/engine/retry";
import { createRuntime } from "@/lib/runtime/engine";
import { FLAKY_WORKFLOW } from "@/scripts/seed-history-e2e-doc";

describe.each(TEST_DATABASES)("retry on the $name run store", ({ open }) => {
  it("reuses completed steps, re-runs the failed one, and counts usage once", async () => {
    const db = await open();
    const rt = createRuntime(db, { role: "test" });
    try {
      const ws = await seedWorkspaceRow(db, "R");
      const pinned = await pinDocumentVersion(db, { workspaceId: ws.id, document: FLAKY_WORKFLOW });
      const source = {
        document: FLAKY_WORKFLOW,
        workspaceId: ws.id,
        workflowId: pinned.workflowId,
        workflowVersionId: pinned.workflowVersionId,
      };
      const first = await rt.engine.execute(source, { topic: "x" });
      expect(first.status).toBe("failed");

      const created = await createRetryRun(
        { store: rt.store, ids: createIdGenerator(), now: () => new Date(), owner: rt.owner },
        first.runId,
        { workspaceId: ws.id, userId: null },
      );
      const second = await rt.engine.resume(created.runId);
      expect(second.status).toBe("succeeded");
      expect(second.output).toEqual({ draft: "a draft", lookup: "order found" });
      expect(second.usage).toMatchObject({ inputTokens: 9, outputTokens: 3 });

      const detail = (await getRunDetail(db, ws.id, created.runId))!;
      expect(
        detail.steps
          .filter((s) => s.reused)
          .map((s) => s.nodeId)
          .sort(),
      ).toEqual(["draft", "research", "start"]);
      expect(detail.steps.find((s) => s.nodeId === "lookup")).toMatchObject({
        attempt: 2,
        status: "succeeded",
        reused: false,
      });
      expect(detail.run.retryOfRunId).toBe(first.runId);

      // The dashboard counts each token once across the failed run and its retry.
      const d = await getDashboard(db, ws.id, {
        from: new Date(Date.now() - 3600000),
        to: new Date(Date.now() + 3600000),
      });
      expect(d.summary.runs).toBe(2);
      expect(d.summary.inputTokens).toBe(first.usage.inputTokens + 9);
      const research = d.byAgentNode.find((n) => n.nodeId === "research")!;
      expect(research.inputTokens).toBe(120);
    } finally {
      await rt.close();
      await db.dispose();
    }
  });
});
