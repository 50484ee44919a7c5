// Seeds the e2e server's database (the demo workspace) for e2e/runs.spec.ts and
// e2e/dashboard.spec.ts, then prints JSON the specs compute their expectations from:
//   - a deterministic run history in the 9 days before --end (default 2026-01-10, in the past),
//     on already-deleted workflows so other specs' workflow lists stay as they were;
//   - a REAL failed run, executed by the engine: "E2E flaky lookup" (research → draft ‖ lookup,
//     lookup fails once with a simulated server error and has no retries), so the run page can
//     retry it from the failed step.
// Usage: npx tsx scripts/seed-history-e2e.ts --db <sqlite file> [--workspace acme] [--end YYYY-MM-DD] [--no-flaky]
import { openDb } from "../lib/db/client";
import { insertHistoryFixture } from "../lib/db/history-fixture";
import { softDeleteWorkflow } from "../lib/db/workflows";
import { pinDocumentVersion } from "../lib/db/workflows-store";
import { findWorkspaceBySlug } from "../lib/db/workspaces";
import { createRuntime } from "../lib/runtime/engine";
import { FLAKY_WORKFLOW } from "./seed-history-e2e-doc";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** --end YYYY-MM-DD: the history covers the 9 days before it (default 2026-01-10). */
function window(): { from: string; to: string } {
  const end = arg("end") ?? "2026-01-10";
  const from = new Date(Date.parse(`${end}T00:00:00Z`) - 9 * 86_400_000).toISOString().slice(0, 10);
  return { from, to: end };
}

async function main() {
  const file = arg("db");
  if (!file) throw new Error("--db <sqlite file> is required");
  const db = await openDb({ provider: "sqlite", file, url: `file:${file}` });
  try {
    const slug = arg("workspace") ?? "acme";
    const ws = await findWorkspaceBySlug(db, slug);
    if (!ws) throw new Error(`There is no workspace "${slug}".`);
    const win = window();
    const end = new Date(`${win.to}T00:00:00.000Z`);
    const fx = await insertHistoryFixture(db, {
      workspaceId: ws.id,
      count: 120,
      days: 9,
      end,
      seed: 2026,
      slug: `e2e-history-${Date.now().toString(36)}`,
      deletedWorkflows: true,
    });
    let flaky: Record<string, unknown> | null = null;
    if (!process.argv.includes("--no-flaky")) {
      const pinned = await pinDocumentVersion(db, { workspaceId: ws.id, document: FLAKY_WORKFLOW });
      const rt = createRuntime(db, { role: "test" });
      const failed = await rt.engine.execute(
        {
          document: FLAKY_WORKFLOW,
          workspaceId: ws.id,
          workflowId: pinned.workflowId,
          workflowVersionId: pinned.workflowVersionId,
        },
        { topic: "refund for order 1234" },
        { trigger: "manual" },
      );
      await rt.close();
      // Keep the e2e workflow out of other specs' workflow lists; its runs stay.
      await softDeleteWorkflow(db, { id: pinned.workflowId, userId: null });
      flaky = {
        workflowId: pinned.workflowId,
        failedRunId: failed.runId,
        failedStatus: failed.status,
        failedUsage: failed.usage,
        failedSteps: failed.steps.map((st) => ({ nodeId: st.nodeId, status: st.status, usage: st.usage })),
      };
    }
    console.log(
      JSON.stringify({
        workspaceId: ws.id,
        window: win,
        workflows: fx.workflows,
        users: fx.users,
        runs: fx.runs,
        steps: fx.steps.map((s) => ({
          runId: s.runId,
          nodeId: s.nodeId,
          status: s.status,
          model: s.model,
          costUsd: s.costUsd,
        })),
        flaky,
      }),
    );
  } finally {
    await db.close();
  }
}

await main();
