// Rollups: the dashboard reads RunDailyUsage (run counts, usage, durations per day, workflow,
// status and starter) and StepDailyUsage (per model, per agent node, failing nodes) for the whole
// days of a range instead of grouping tens of thousands of Run and hundreds of thousands of Step rows.
//
// A run is added to both once, after the run has ended (its steps no longer
// change), by `rollUpFinishedRuns`: in ONE transaction it claims a batch of ended runs that are
// not rolled up yet (sets Run.rolledUpAt; on PostgreSQL with FOR UPDATE SKIP LOCKED, so two
// processes never claim the same run) and adds the grouped runs and steps with one
// INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE per table. A crash rolls the whole batch back, so a
// run is counted exactly once. The runner calls it every few seconds; retention calls it before
// pruning (pruned runs keep their rollups).
//
// Readers stay exact without waiting for the pass: `stepFigureRows` reads, in ONE statement (one
// snapshot), the rollup for the whole days of the range plus the live steps of the runs that are
// not in it (not rolled up yet, still running, or on the partial first/last day of the range).
import type { Db } from "./client";
import { num, query, SqlBuilder } from "./history-sql";

const FINISHED = `('succeeded', 'failed', 'cancelled')`;

/** The steps the charts use: agent steps, steps with a model, failed steps. */
const STEP_FILTER = `(s."nodeType" = 'agent' OR s."model" IS NOT NULL OR s."status" = 'failed')`;

export interface RollupResult {
  runs: number;
  batches: number;
}

/**
 * Rolls up ended runs not rolled up yet, in batches of `batchSize` runs (each one transaction),
 * until none is left or `maxBatches` is reached.
 */
export async function rollUpFinishedRuns(
  db: Db,
  options: { batchSize?: number; maxBatches?: number; now?: Date } = {},
): Promise<RollupResult> {
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 500));
  const maxBatches = options.maxBatches ?? Number.POSITIVE_INFINITY;
  let runs = 0;
  let batches = 0;
  while (batches < maxBatches) {
    const claimed = await db.prisma.$transaction(
      async (tx) => {
        const txDb = { ...db, prisma: tx as unknown as Db["prisma"] };
        const b = new SqlBuilder(db);
        const lock = db.provider === "postgresql" ? " FOR UPDATE SKIP LOCKED" : "";
        const candidates = await query<{ id: string }>(
          txDb,
          b,
          `SELECT q."id" AS id FROM ${b.t("Run")} q
           WHERE q."rolledUpAt" IS NULL AND q."status" IN ${FINISHED} LIMIT ${batchSize}${lock}`,
        );
        if (candidates.length === 0) return null;
        // The guard makes the claim exact even if another process rolled some of them up meanwhile.
        const c = new SqlBuilder(db);
        const ids = await query<{ id: string }>(
          txDb,
          c,
          `UPDATE ${c.t("Run")} SET "rolledUpAt" = ${c.ts(options.now ?? new Date())}
           WHERE "id" IN (${candidates.map((r) => c.p(r.id)).join(", ")}) AND "rolledUpAt" IS NULL
           RETURNING "id" AS id`,
        );
        if (ids.length === 0) return 0;
        const a = new SqlBuilder(db);
        const table = a.t("StepDailyUsage");
        await query(
          txDb,
          a,
          `INSERT INTO ${table} AS u ("workspaceId", "day", "workflowId", "nodeId", "nodeType", "model", "status",
             "steps", "inputTokens", "outputTokens", "costUsd")
           SELECT r."workspaceId", ${a.bucket(`r."createdAt"`, "day")}, r."workflowId", s."nodeId", s."nodeType",
             COALESCE(s."model", ''), s."status", COUNT(*), SUM(s."inputTokens"), SUM(s."outputTokens"), SUM(s."costUsd")
           FROM ${a.t("Run")} r JOIN ${a.t("Step")} s ON s."runId" = r."id"
           WHERE r."id" IN (${ids.map((r) => a.p(r.id)).join(", ")}) AND ${STEP_FILTER}
           GROUP BY 1, 2, 3, 4, 5, 6, 7
           ON CONFLICT ("workspaceId", "day", "workflowId", "nodeId", "nodeType", "model", "status") DO UPDATE SET
             "steps" = u."steps" + excluded."steps",
             "inputTokens" = u."inputTokens" + excluded."inputTokens",
             "outputTokens" = u."outputTokens" + excluded."outputTokens",
             "costUsd" = u."costUsd" + excluded."costUsd"`,
        );
        const r2 = new SqlBuilder(db);
        await query(
          txDb,
          r2,
          `INSERT INTO ${r2.t("RunDailyUsage")} AS u ("workspaceId", "day", "workflowId", "status", "startedById",
             "runs", "inputTokens", "outputTokens", "costUsd", "durationMs", "durationCount")
           SELECT r."workspaceId", ${r2.bucket(`r."createdAt"`, "day")}, r."workflowId", r."status",
             COALESCE(r."startedById", ''), COUNT(*), SUM(r."inputTokens"), SUM(r."outputTokens"), SUM(r."costUsd"),
             COALESCE(SUM(r."durationMs"), 0), COUNT(r."durationMs")
           FROM ${r2.t("Run")} r
           WHERE r."id" IN (${ids.map((r) => r2.p(r.id)).join(", ")})
           GROUP BY 1, 2, 3, 4, 5
           ON CONFLICT ("workspaceId", "day", "workflowId", "status", "startedById") DO UPDATE SET
             "runs" = u."runs" + excluded."runs",
             "inputTokens" = u."inputTokens" + excluded."inputTokens",
             "outputTokens" = u."outputTokens" + excluded."outputTokens",
             "costUsd" = u."costUsd" + excluded."costUsd",
             "durationMs" = u."durationMs" + excluded."durationMs",
             "durationCount" = u."durationCount" + excluded."durationCount"`,
        );
        return ids.length;
      },
      { timeout: 60_000 },
    );
    if (claimed === null) break;
    runs += claimed;
    batches += 1;
  }
  return { runs, batches };
}

/** Step figures grouped by (workflow, node, node type, model, status); model "" = none. */
export interface StepFigureRow {
  workflowId: string;
  nodeId: string;
  nodeType: string;
  model: string;
  status: string;
  steps: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

const DAY = 86_400_000;
const floorDay = (d: Date) => new Date(Math.floor(d.getTime() / DAY) * DAY);
const ceilDay = (d: Date) => new Date(Math.ceil(d.getTime() / DAY) * DAY);
const dayString = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Step figures of the runs created in [from, to) of a workspace, exact at the moment of the
 * query: StepDailyUsage for the whole UTC days inside the range, plus the live steps of the runs
 * of those days that are not rolled up yet, plus the live steps of the partial first and last
 * days. One statement, so the rollup and the live part come from the same snapshot (a run rolled
 * up meanwhile is counted once).
 */
export async function stepFigureRows(
  db: Db,
  workspaceId: string,
  range: { from: Date; to: Date },
): Promise<StepFigureRow[]> {
  const b = new SqlBuilder(db);
  const ws = b.p(workspaceId);
  const cols = `r."workflowId" AS "workflowId", s."nodeId" AS "nodeId", s."nodeType" AS "nodeType",
    COALESCE(s."model", '') AS model, s."status" AS status, COUNT(*) AS steps, SUM(s."inputTokens") AS "inputTokens",
    SUM(s."outputTokens") AS "outputTokens", SUM(s."costUsd") AS "costUsd"`;
  // The step columns lead the GROUP BY so SQLite keeps the createdAt range scan on Run instead of
  // walking the workspace's runs in workflow order (280 ms → 0.2 ms for the tail at 100k runs).
  // The tail names its index on SQLite: statistics gathered before the runs were rolled up would
  // make "rolledUpAt IS NULL" look unselective.
  const tailIndex = db.provider === "sqlite" ? ` INDEXED BY "Run_rolledUpAt_workspaceId_createdAt_idx"` : "";
  const live = (from: Date, to: Date, notRolledUp: boolean) =>
    `SELECT ${cols} FROM ${b.t("Run")} r${notRolledUp ? tailIndex : ""} JOIN ${b.t("Step")} s ON s."runId" = r."id"
     WHERE r."workspaceId" = ${ws} AND r."createdAt" >= ${b.ts(from)} AND r."createdAt" < ${b.ts(to)}
       ${notRolledUp ? `AND r."rolledUpAt" IS NULL` : ""} AND ${STEP_FILTER}
     GROUP BY s."nodeId", s."nodeType", COALESCE(s."model", ''), s."status", r."workflowId"`;
  const firstWhole = ceilDay(range.from);
  const lastWhole = floorDay(range.to);
  const parts: string[] = [];
  if (firstWhole < lastWhole) {
    parts.push(
      `SELECT u."workflowId" AS "workflowId", u."nodeId" AS "nodeId", u."nodeType" AS "nodeType", u."model" AS model,
         u."status" AS status, SUM(u."steps") AS steps, SUM(u."inputTokens") AS "inputTokens",
         SUM(u."outputTokens") AS "outputTokens", SUM(u."costUsd") AS "costUsd"
       FROM ${b.t("StepDailyUsage")} u
       WHERE u."workspaceId" = ${ws} AND u."day" >= ${b.p(dayString(firstWhole))} AND u."day" < ${b.p(dayString(lastWhole))}
       GROUP BY u."workflowId", u."nodeId", u."nodeType", u."model", u."status"`,
    );
    if (range.from < firstWhole) parts.push(live(range.from, firstWhole, false));
    parts.push(live(firstWhole, lastWhole, true));
    if (lastWhole < range.to) parts.push(live(lastWhole, range.to, false));
  } else {
    parts.push(live(range.from, range.to, false));
  }
  const rows = await query(
    db,
    b,
    `SELECT x."workflowId" AS "workflowId", x."nodeId" AS "nodeId", x."nodeType" AS "nodeType", x.model AS model,
       x.status AS status, SUM(x.steps) AS steps, SUM(x."inputTokens") AS "inputTokens",
       SUM(x."outputTokens") AS "outputTokens", SUM(x."costUsd") AS "costUsd"
     FROM (${parts.join("\n     UNION ALL\n     ")}) x
     GROUP BY x."workflowId", x."nodeId", x."nodeType", x.model, x.status`,
  );
  return rows.map((r) => ({
    workflowId: String(r.workflowId),
    nodeId: String(r.nodeId),
    nodeType: String(r.nodeType),
    model: String(r.model ?? ""),
    status: String(r.status),
    steps: num(r.steps),
    inputTokens: num(r.inputTokens),
    outputTokens: num(r.outputTokens),
    costUsd: num(r.costUsd),
  }));
}
