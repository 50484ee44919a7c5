// npm run bench:history — seeds 100,000 runs and 1,000,000 steps into a fresh embedded SQLite
// file, then measures server-side time (the lib/db calls the pages make, through Prisma) of:
//   - the first page of the runs list (no filter, and a few common filters)
//   - the 30-day dashboard (every aggregation of getDashboard)
//   - the detail of a 500-step run
// Targets: list and dashboard < 300 ms, run detail < 1 s. Prints JSON.
// After seeding, the rollup pass (lib/db/rollup.ts, as the runner does it every few seconds)
// rolls the finished runs' steps up into StepDailyUsage; its duration is reported too.
// Options: --runs N --steps N --keep (keep the file) --db <file> (reuse an already seeded file)
//          --extra-indexes (also measure with the indexes proposed in docs/runs-and-dashboard.md)
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { openDb } from "../lib/db/client";
import { getDashboard, getRunDashboard, getStepDashboard } from "../lib/db/dashboard";
import { rollUpFinishedRuns } from "../lib/db/rollup";
import { getRunDetail, listRuns } from "../lib/db/runs-queries";
import { seedHistory } from "./seed-history";

/** Indexes proposed to the lead (see docs/runs-and-dashboard.md); measured with --extra-indexes. */
export const PROPOSED_INDEXES = [
  // keyset order of the runs list + covering for the dashboard's run-level scans
  `CREATE INDEX IF NOT EXISTS "Run_history_cover_idx" ON "Run"("workspaceId", "createdAt", "id", "status", "workflowId", "startedById", "durationMs", "inputTokens", "outputTokens", "costUsd")`,
  // covering for the dashboard's step-level scans (steps of the runs in range)
  `CREATE INDEX IF NOT EXISTS "Step_runId_usage_idx" ON "Step"("runId", "nodeType", "nodeId", "status", "model", "inputTokens", "outputTokens", "costUsd")`,
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

async function time<T>(fn: () => Promise<T>, repeat = 5): Promise<{ firstMs: number; medianMs: number; result: T }> {
  const times: number[] = [];
  let result: T | undefined;
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    result = await fn();
    times.push(performance.now() - t);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return {
    firstMs: Math.round(times[0]! * 10) / 10,
    medianMs: Math.round(sorted[Math.floor(sorted.length / 2)]! * 10) / 10,
    result: result as T,
  };
}

async function measure(file: string, workspaceId: string, bigRunId: string) {
  const db = await openDb({ provider: "sqlite", file, url: `file:${file}` });
  try {
    const end = new Date();
    const from30 = new Date(end.getTime() - 30 * 86400000);
    const list = await time(() => listRuns(db, workspaceId, {}, { limit: 50 }));
    const listFailed = await time(() => listRuns(db, workspaceId, { status: ["failed"] }, { limit: 50 }));
    const listWorkflow = await time(async () => {
      const wf = list.result.items[0]!.workflowId;
      return listRuns(db, workspaceId, { workflowId: wf, from: from30 }, { limit: 50 });
    });
    const listPage2 = await time(() => listRuns(db, workspaceId, {}, { limit: 50, cursor: list.result.nextCursor }));
    const listSearch = await time(() => listRuns(db, workspaceId, { q: "order 4242" }, { limit: 50 }), 3);
    const dashboard = await time(() => getDashboard(db, workspaceId, { from: from30, to: end }), 3);
    const dashboardRuns = await time(() => getRunDashboard(db, workspaceId, { from: from30, to: end }), 3);
    const dashboardSteps = await time(() => getStepDashboard(db, workspaceId, { from: from30, to: end }), 3);
    // As the run page loads it: every step, payloads of the selected (failed) step only.
    const detail = await time(
      () =>
        getRunDetail(db, workspaceId, bigRunId, {
          stepPayloads: (rows) => rows.filter((r) => r.status === "failed").map((r) => r.id),
        }),
      3,
    );
    const detailAll = await time(() => getRunDetail(db, workspaceId, bigRunId, { stepPayloads: "all" }), 3);
    return {
      runsListFirstPage: { firstMs: list.firstMs, medianMs: list.medianMs, rows: list.result.items.length },
      runsListFailedFirstPage: { firstMs: listFailed.firstMs, medianMs: listFailed.medianMs },
      runsListWorkflow30dFirstPage: { firstMs: listWorkflow.firstMs, medianMs: listWorkflow.medianMs },
      runsListSecondPage: { firstMs: listPage2.firstMs, medianMs: listPage2.medianMs },
      runsListTextSearch: { firstMs: listSearch.firstMs, medianMs: listSearch.medianMs },
      dashboard30d: {
        firstMs: dashboard.firstMs,
        medianMs: dashboard.medianMs,
        runs: dashboard.result.summary.runs,
        p95DurationMs: dashboard.result.summary.p95DurationMs,
      },
      dashboard30dRunLevel: { firstMs: dashboardRuns.firstMs, medianMs: dashboardRuns.medianMs },
      dashboard30dStepLevel: { firstMs: dashboardSteps.firstMs, medianMs: dashboardSteps.medianMs },
      runDetail500Steps: { firstMs: detail.firstMs, medianMs: detail.medianMs, steps: detail.result?.steps.length },
      runDetail500StepsAllPayloads: { firstMs: detailAll.firstMs, medianMs: detailAll.medianMs },
    };
  } finally {
    await db.close();
  }
}

async function main() {
  const runs = Number(arg("runs") ?? 100000);
  const steps = Number(arg("steps") ?? 1000000);
  const reuse = arg("db");
  const dir = reuse ? null : mkdtempSync(join(tmpdir(), "sb-bench-history-"));
  const file = reuse ?? join(dir!, "bench.db");
  let seed: { workspaceId: string; bigRunId: string; runs: number; steps: number; seconds?: number };
  if (reuse && existsSync(reuse)) {
    const sql = new Database(reuse, { readonly: true });
    const ws = sql.prepare(`SELECT "id" FROM "Workspace" ORDER BY "createdAt" LIMIT 1`).get() as { id: string };
    const big = sql.prepare(`SELECT "id" FROM "Run" WHERE "stepCount" = 500 LIMIT 1`).get() as { id: string };
    const counts = sql
      .prepare(`SELECT (SELECT COUNT(*) FROM "Run") AS runs, (SELECT COUNT(*) FROM "Step") AS steps`)
      .get() as {
      runs: number;
      steps: number;
    };
    sql.close();
    seed = { workspaceId: ws.id, bigRunId: big.id, ...counts };
  } else {
    seed = await seedHistory({
      file,
      runs,
      steps,
      days: 90,
      end: new Date(),
      bigRunSteps: 500,
      seed: 1,
      workspaceSlug: `bench-${Date.now().toString(36)}`,
    });
  }
  const rollupDb = await openDb({ provider: "sqlite", file, url: `file:${file}` });
  const t0 = performance.now();
  const rolled = await rollUpFinishedRuns(rollupDb, { batchSize: 1000 });
  const rollup = { ...rolled, seconds: Math.round((performance.now() - t0) / 100) / 10 };
  await rollupDb.close();
  const schemaIndexes = await measure(file, seed.workspaceId, seed.bigRunId);
  let withProposedIndexes: Awaited<ReturnType<typeof measure>> | null = null;
  if (flag("extra-indexes")) {
    const sql = new Database(file);
    for (const stmt of PROPOSED_INDEXES) sql.exec(stmt);
    sql.exec("ANALYZE");
    sql.close();
    withProposedIndexes = await measure(file, seed.workspaceId, seed.bigRunId);
  }
  const targets = (m: typeof schemaIndexes) => ({
    runsListFirstPageUnder300ms: m.runsListFirstPage.medianMs < 300,
    dashboard30dUnder300ms: m.dashboard30d.medianMs < 300,
    dashboard30dRunLevelUnder300ms: m.dashboard30dRunLevel.medianMs < 300,
    runDetail500StepsUnder1s: m.runDetail500Steps.medianMs < 1000,
  });
  const out = {
    machine: { node: process.version, platform: process.platform },
    seeded: seed,
    rollup,
    schemaIndexes,
    schemaIndexesMeetsTargets: targets(schemaIndexes),
    withProposedIndexes,
    withProposedIndexesMeetsTargets: withProposedIndexes ? targets(withProposedIndexes) : null,
    proposedIndexes: PROPOSED_INDEXES,
    file: flag("keep") || reuse ? file : null,
  };
  console.log(JSON.stringify(out, null, 2));
  if (dir && !flag("keep")) rmSync(dir, { recursive: true, force: true });
}

await main();
