// Dashboard aggregations, computed by the database (GROUP BY over indexed ranges), never by
// loading runs into memory. Times are UTC; buckets are "YYYY-MM-DD" (day) or "YYYY-MM-DDTHH" (hour).
// Runs are counted by createdAt in [from, to); step figures (model, agent node, failing nodes)
// cover the steps OF those runs, so every chart's link to /runs?from&to&… lists exactly what it counts.
// Whole UTC days of a day-bucketed range come from the rollups (RunDailyUsage, StepDailyUsage;
// lib/db/rollup.ts) plus the live rows of runs not rolled up yet; partial first/last days and
// hour-bucketed ranges are read live. All in one statement per figure, so they are exact.
// Pruned runs (lib/db/retention.ts rolls them up first) stay in the rollups; on partial edge days
// and hour ranges DailyUsage adds their counts, tokens, cost and mean duration. Percentiles cover
// the runs still stored (rollups keep sums, not distributions).
import { z } from "zod";
import type { Db } from "./client";
import { num, numOrNull, query, SqlBuilder } from "./history-sql";
import { type StepFigureRow, stepFigureRows } from "./rollup";
import { userNames } from "./users";

export const DashboardRangeSchema = z
  .object({ from: z.coerce.date(), to: z.coerce.date(), bucket: z.enum(["day", "hour"]).optional() })
  .refine((r) => r.from < r.to, { message: "from must be before to", path: ["from"] });
export type DashboardRange = { from: Date; to: Date; bucket?: "day" | "hour" };

export interface StatusBucket {
  bucket: string;
  status: string;
  runs: number;
}
export interface UsageBucket {
  bucket: string;
  runs: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}
export interface UsageGroup {
  key: string;
  label: string;
  runs: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}
/** Step-based groups (model, agent node) count steps, not runs. */
export interface StepGroup {
  key: string;
  label: string;
  steps: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}
export interface NodeUsage extends StepGroup {
  workflowId: string;
  nodeId: string;
}
export interface FailingNode {
  workflowId: string;
  workflowName: string;
  nodeId: string;
  nodeType: string;
  failures: number;
}
export interface Summary {
  runs: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  active: number;
  /** succeeded / (succeeded + failed + cancelled); null when none finished */
  successRate: number | null;
  p50DurationMs: number | null;
  p95DurationMs: number | null;
  meanDurationMs: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** runs counted from DailyUsage (pruned by retention) */
  prunedRuns: number;
}
export interface ApprovalStats {
  waiting: number;
  oldestWaitingMs: number | null;
  meanWaitingMs: number | null;
  decided: number;
  meanWaitMs: number | null;
  maxWaitMs: number | null;
}
export interface Dashboard {
  range: { from: string; to: string; bucket: "day" | "hour" };
  summary: Summary;
  statusOverTime: StatusBucket[];
  usageOverTime: UsageBucket[];
  byWorkflow: UsageGroup[];
  byUser: UsageGroup[];
  byModel: StepGroup[];
  byAgentNode: NodeUsage[];
  failingNodes: FailingNode[];
  approvals: ApprovalStats;
}

export function defaultBucket(range: DashboardRange): "day" | "hour" {
  return range.bucket ?? (range.to.getTime() - range.from.getTime() <= 2 * 86400000 ? "hour" : "day");
}

function dayString(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function runRange(b: SqlBuilder, workspaceId: string, range: DashboardRange, alias = "r"): string {
  return `${alias}."workspaceId" = ${b.p(workspaceId)} AND ${alias}."createdAt" >= ${b.ts(range.from)} AND ${alias}."createdAt" < ${b.ts(range.to)}`;
}

/**
 * Continuous percentiles (linear interpolation, same definition as PostgreSQL's percentile_cont)
 * of finished runs' durations. PostgreSQL computes them itself; on SQLite we count, then read the
 * neighbouring values of every percentile in one sorted pass (ROW_NUMBER() OVER (ORDER BY durationMs)).
 */
export async function durationPercentiles(
  db: Db,
  workspaceId: string,
  range: DashboardRange,
  ps: number[],
  /** the number of stored runs with a duration in the range, when the caller already knows it */
  knownCount?: number,
): Promise<(number | null)[]> {
  if (db.provider === "postgresql") {
    const b = new SqlBuilder(db);
    const cols = ps.map((p, i) => `percentile_cont(${b.p(p)}::float8) WITHIN GROUP (ORDER BY r."durationMs") AS p${i}`);
    const [row] = await query(
      db,
      b,
      `SELECT ${cols.join(", ")} FROM ${b.t("Run")} r WHERE ${runRange(b, workspaceId, range)} AND r."durationMs" IS NOT NULL`,
    );
    return ps.map((_, i) => numOrNull(row?.[`p${i}`]));
  }
  const b = new SqlBuilder(db);
  const where = `${runRange(b, workspaceId, range)} AND r."durationMs" IS NOT NULL`;
  const n = knownCount ?? num((await query(db, b, `SELECT COUNT(*) AS n FROM ${b.t("Run")} r WHERE ${where}`))[0]?.n);
  if (!n) return ps.map(() => null);
  // One sort for every percentile: the rank of each value, keeping only the neighbours we need.
  const los = ps.map((p) => Math.floor(p * (n - 1)));
  const wanted = [...new Set(los.flatMap((lo) => [lo, Math.min(lo + 1, n - 1)]))];
  const b2 = new SqlBuilder(db);
  const w2 = `${runRange(b2, workspaceId, range)} AND r."durationMs" IS NOT NULL`;
  const rows = await query(
    db,
    b2,
    `SELECT x.rn AS rn, x.d AS d FROM (
       SELECT r."durationMs" AS d, ROW_NUMBER() OVER (ORDER BY r."durationMs") - 1 AS rn FROM ${b2.t("Run")} r WHERE ${w2}
     ) x WHERE x.rn IN (${wanted.join(", ")})`,
  );
  const at = new Map(rows.map((r) => [num(r.rn), num(r.d)]));
  return ps.map((p, i) => {
    const pos = p * (n - 1);
    const lo = los[i]!;
    const a = at.get(lo);
    if (a === undefined) return null;
    const z = at.get(Math.min(lo + 1, n - 1)) ?? a;
    return a + (z - a) * (pos - lo);
  });
}

/** One grouped scan of the range's runs: (bucket, status, workflow) → counts and sums. */
export interface RunGroupRow {
  bucket: string;
  status: string;
  workflowId: string;
  runs: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  durationSum: number;
  durationCount: number;
  /** true for rows from DailyUsage (runs pruned by retention) */
  pruned: boolean;
}

const DAY_MS = 86_400_000;

/**
 * The run-level sources of a range as one UNION ALL (one statement, one snapshot), every part
 * with the columns bucket, status, workflowId, startedById ("" = none), runs, inputTokens,
 * outputTokens, costUsd, durationSum, durationCount, pruned (1 = DailyUsage):
 * - day buckets with whole UTC days inside the range: RunDailyUsage for those days (stored and
 *   pruned runs that were rolled up), the live runs of those days not rolled up yet (running,
 *   waiting, or ended since the last pass), and, for the partial first and last days, the live
 *   runs plus the DailyUsage of runs pruned from those days;
 * - otherwise (hour buckets, ranges without a whole day): the live runs plus DailyUsage.
 */
function runSources(b: SqlBuilder, workspaceId: string, range: DashboardRange): string {
  const unit = defaultBucket(range);
  const ws = b.p(workspaceId);
  const live = (from: Date, to: Date, notRolledUp: boolean) =>
    `SELECT ${b.bucket(`r."createdAt"`, unit)} AS bucket, r."status" AS status, r."workflowId" AS "workflowId",
       COALESCE(r."startedById", '') AS "startedById", 1 AS runs, r."inputTokens" AS "inputTokens",
       r."outputTokens" AS "outputTokens", r."costUsd" AS "costUsd", COALESCE(r."durationMs", 0) AS "durationSum",
       CASE WHEN r."durationMs" IS NULL THEN 0 ELSE 1 END AS "durationCount", 0 AS pruned
     FROM ${b.t("Run")} r${notRolledUp && b.provider === "sqlite" ? ` INDEXED BY "Run_rolledUpAt_workspaceId_createdAt_idx"` : ""}
     WHERE r."workspaceId" = ${ws} AND r."createdAt" >= ${b.ts(from)} AND r."createdAt" < ${b.ts(to)}
       ${notRolledUp ? `AND r."rolledUpAt" IS NULL` : ""}`;
  const pruned = (daysWhere: string) =>
    `SELECT ${unit === "hour" ? `d."day" || 'T00'` : `d."day"`} AS bucket, d."status" AS status,
       d."workflowId" AS "workflowId", '' AS "startedById", d."runs" AS runs, d."inputTokens" AS "inputTokens",
       d."outputTokens" AS "outputTokens", d."costUsd" AS "costUsd", d."durationMs" AS "durationSum",
       d."runs" AS "durationCount", 1 AS pruned
     FROM ${b.t("DailyUsage")} d WHERE d."workspaceId" = ${ws} AND ${daysWhere}`;
  const firstWhole = new Date(Math.ceil(range.from.getTime() / DAY_MS) * DAY_MS);
  const lastWhole = new Date(Math.floor(range.to.getTime() / DAY_MS) * DAY_MS);
  if (unit === "hour" || firstWhole >= lastWhole) {
    return [live(range.from, range.to, false), pruned(dailyDays(b, range))].join("\n     UNION ALL\n     ");
  }
  const parts = [
    `SELECT u."day" AS bucket, u."status" AS status, u."workflowId" AS "workflowId", u."startedById" AS "startedById",
       u."runs" AS runs, u."inputTokens" AS "inputTokens", u."outputTokens" AS "outputTokens", u."costUsd" AS "costUsd",
       u."durationMs" AS "durationSum", u."durationCount" AS "durationCount", 0 AS pruned
     FROM ${b.t("RunDailyUsage")} u
     WHERE u."workspaceId" = ${ws} AND u."day" >= ${b.p(dayString(firstWhole))} AND u."day" < ${b.p(dayString(lastWhole))}`,
    live(firstWhole, lastWhole, true),
  ];
  if (range.from < firstWhole) {
    parts.push(live(range.from, firstWhole, false), pruned(`d."day" = ${b.p(dayString(range.from))}`));
  }
  if (lastWhole < range.to) {
    parts.push(live(lastWhole, range.to, false), pruned(`d."day" = ${b.p(dayString(lastWhole))}`));
  }
  return parts.join("\n     UNION ALL\n     ");
}

/** DailyUsage days of a range (whole days whose day string is in [from, to)). */
function dailyDays(b: SqlBuilder, range: DashboardRange): string {
  return `d."day" >= ${b.p(dayString(range.from))} AND d."day" < ${b.p(dayString(new Date(range.to.getTime() + DAY_MS - 1)))}`;
}

export async function getRunGroups(db: Db, workspaceId: string, range: DashboardRange): Promise<RunGroupRow[]> {
  const b = new SqlBuilder(db);
  const rows = await query(
    db,
    b,
    `SELECT x.bucket AS bucket, x.status AS status, x."workflowId" AS "workflowId", x.pruned AS pruned,
       SUM(x.runs) AS runs, SUM(x."inputTokens") AS "inputTokens", SUM(x."outputTokens") AS "outputTokens",
       SUM(x."costUsd") AS "costUsd", SUM(x."durationSum") AS "durationSum", SUM(x."durationCount") AS "durationCount"
     FROM (${runSources(b, workspaceId, range)}) x
     GROUP BY x.bucket, x.status, x."workflowId", x.pruned`,
  );
  return rows.map((r) => ({
    bucket: String(r.bucket),
    status: String(r.status),
    workflowId: String(r.workflowId),
    runs: num(r.runs),
    inputTokens: num(r.inputTokens),
    outputTokens: num(r.outputTokens),
    costUsd: num(r.costUsd),
    durationSum: num(r.durationSum),
    durationCount: num(r.durationCount),
    pruned: num(r.pruned) === 1,
  }));
}

/** Runs of the range pruned by retention (DailyUsage keeps them per day). */
async function prunedRunsIn(db: Db, workspaceId: string, range: DashboardRange): Promise<number> {
  const b = new SqlBuilder(db);
  const [row] = await query(
    db,
    b,
    `SELECT SUM(d."runs") AS n FROM ${b.t("DailyUsage")} d WHERE d."workspaceId" = ${b.p(workspaceId)} AND ${dailyDays(b, range)}`,
  );
  return num(row?.n);
}

/**
 * Step figures of the range's runs (agent steps, steps with a model, failed steps) grouped by
 * workflow, node, node type, model and status: StepDailyUsage for whole days plus the live
 * steps of runs not rolled up yet and of the partial edge days (lib/db/rollup.ts), so the
 * figures are exact and a chart's link to /runs?from&to&model=… or &failedNodeId=… lists
 * what it counts.
 */
export async function getStepGroups(db: Db, workspaceId: string, range: DashboardRange): Promise<StepFigureRow[]> {
  return stepFigureRows(db, workspaceId, range);
}

export async function getByUser(db: Db, workspaceId: string, range: DashboardRange): Promise<UsageGroup[]> {
  const b = new SqlBuilder(db);
  const rows = await query(
    db,
    b,
    `SELECT x."startedById" AS key, SUM(x.runs) AS runs, SUM(x."inputTokens") AS "inputTokens",
       SUM(x."outputTokens") AS "outputTokens", SUM(x."costUsd") AS "costUsd"
     FROM (${runSources(b, workspaceId, range)}) x WHERE x.pruned = 0 GROUP BY x."startedById"`,
  );
  const ids = rows.map((r) => r.key).filter((k): k is string => typeof k === "string");
  const nameOf = await userNames(db.prisma, ids);
  return rows
    .map((r) => {
      const g = toGroup(r);
      return r.key ? { ...g, label: nameOf.get(g.key) ?? g.key } : { ...g, key: "", label: "API / schedule" };
    })
    .sort(byCost);
}

function toGroup(r: Record<string, unknown>): UsageGroup {
  return {
    key: String(r.key ?? ""),
    label: String(r.label ?? r.key ?? ""),
    runs: num(r.runs),
    inputTokens: num(r.inputTokens),
    outputTokens: num(r.outputTokens),
    costUsd: num(r.costUsd),
  };
}

const byCost = (a: { costUsd: number; key: string }, b: { costUsd: number; key: string }) =>
  b.costUsd - a.costUsd || a.key.localeCompare(b.key);

type Sums = { inputTokens: number; outputTokens: number; costUsd: number };
function add(into: Sums, r: Sums): void {
  into.inputTokens += r.inputTokens;
  into.outputTokens += r.outputTokens;
  into.costUsd += r.costUsd;
}

/** Pure: the charts' series from the grouped rows (small: buckets × statuses × workflows). */
export function deriveRunCharts(rows: RunGroupRow[], workflowNames: Map<string, string>) {
  const statusOverTime = new Map<string, StatusBucket>();
  const usageOverTime = new Map<string, UsageBucket>();
  const byWorkflow = new Map<string, UsageGroup>();
  const totals = { runs: 0, succeeded: 0, failed: 0, cancelled: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
  let durationSum = 0;
  let durationCount = 0;
  let prunedRuns = 0;
  for (const r of rows) {
    const sk = `${r.bucket}|${r.status}`;
    const sb = statusOverTime.get(sk) ?? { bucket: r.bucket, status: r.status, runs: 0 };
    sb.runs += r.runs;
    statusOverTime.set(sk, sb);
    const ub = usageOverTime.get(r.bucket) ?? {
      bucket: r.bucket,
      runs: 0,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
    };
    ub.runs += r.runs;
    add(ub, r);
    usageOverTime.set(r.bucket, ub);
    const wf = byWorkflow.get(r.workflowId) ?? {
      key: r.workflowId,
      label: workflowNames.get(r.workflowId) ?? r.workflowId,
      runs: 0,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
    };
    wf.runs += r.runs;
    add(wf, r);
    byWorkflow.set(r.workflowId, wf);
    totals.runs += r.runs;
    if (r.status === "succeeded") totals.succeeded += r.runs;
    if (r.status === "failed") totals.failed += r.runs;
    if (r.status === "cancelled") totals.cancelled += r.runs;
    add(totals, r);
    durationSum += r.durationSum;
    durationCount += r.durationCount;
    if (r.pruned) prunedRuns += r.runs;
  }
  const finished = totals.succeeded + totals.failed + totals.cancelled;
  return {
    totals: {
      ...totals,
      active: totals.runs - finished,
      successRate: finished ? totals.succeeded / finished : null,
      meanDurationMs: durationCount ? durationSum / durationCount : null,
      prunedRuns,
    },
    statusOverTime: [...statusOverTime.values()].sort(
      (a, b) => a.bucket.localeCompare(b.bucket) || a.status.localeCompare(b.status),
    ),
    usageOverTime: [...usageOverTime.values()].sort((a, b) => a.bucket.localeCompare(b.bucket)),
    byWorkflow: [...byWorkflow.values()].sort(byCost),
  };
}

/** Pure: per-model, per-agent-node and most-failing-node series from the grouped step rows. */
export function deriveStepCharts(rows: StepFigureRow[], workflowNames: Map<string, string>) {
  const byModel = new Map<string, StepGroup>();
  const byNode = new Map<string, NodeUsage>();
  const failing = new Map<string, FailingNode>();
  for (const r of rows) {
    if (r.model) {
      const m = byModel.get(r.model) ?? {
        key: r.model,
        label: r.model,
        steps: 0,
        inputTokens: 0,
        outputTokens: 0,
        costUsd: 0,
      };
      m.steps += r.steps;
      add(m, r);
      byModel.set(r.model, m);
    }
    const nk = `${r.workflowId}:${r.nodeId}`;
    const wfName = workflowNames.get(r.workflowId) ?? r.workflowId;
    if (r.nodeType === "agent") {
      const n = byNode.get(nk) ?? {
        key: nk,
        label: `${wfName} · ${r.nodeId}`,
        workflowId: r.workflowId,
        nodeId: r.nodeId,
        steps: 0,
        inputTokens: 0,
        outputTokens: 0,
        costUsd: 0,
      };
      n.steps += r.steps;
      add(n, r);
      byNode.set(nk, n);
    }
    if (r.status === "failed") {
      const f = failing.get(nk) ?? {
        workflowId: r.workflowId,
        workflowName: wfName,
        nodeId: r.nodeId,
        nodeType: r.nodeType,
        failures: 0,
      };
      f.failures += r.steps;
      failing.set(nk, f);
    }
  }
  return {
    byModel: [...byModel.values()].sort(byCost),
    byAgentNode: [...byNode.values()].sort(byCost).slice(0, 20),
    failingNodes: [...failing.values()]
      .sort(
        (a, b) =>
          b.failures - a.failures || a.nodeId.localeCompare(b.nodeId) || a.workflowId.localeCompare(b.workflowId),
      )
      .slice(0, 10),
  };
}

/** Approvals waiting now (any age) and how long decided ones (created in the range) waited. */
export async function getApprovalStats(
  db: Db,
  workspaceId: string,
  range: DashboardRange,
  now = new Date(),
): Promise<ApprovalStats> {
  const b = new SqlBuilder(db);
  const nowTs = b.ts(now);
  const [waiting] = await query(
    db,
    b,
    `SELECT COUNT(*) AS n, MAX(${b.msBetween(`a."createdAt"`, nowTs)}) AS oldest, AVG(${b.msBetween(`a."createdAt"`, nowTs)}) AS mean
     FROM ${b.t("Approval")} a WHERE a."workspaceId" = ${b.p(workspaceId)} AND a."status" = 'pending'`,
  );
  const b2 = new SqlBuilder(db);
  const wait = b2.msBetween(`a."createdAt"`, `a."decidedAt"`);
  const [decided] = await query(
    db,
    b2,
    `SELECT COUNT(*) AS n, AVG(${wait}) AS mean, MAX(${wait}) AS max FROM ${b.t("Approval")} a
     WHERE a."workspaceId" = ${b2.p(workspaceId)} AND a."decidedAt" IS NOT NULL
       AND a."createdAt" >= ${b2.ts(range.from)} AND a."createdAt" < ${b2.ts(range.to)}`,
  );
  return {
    waiting: num(waiting?.n),
    oldestWaitingMs: numOrNull(waiting?.oldest),
    meanWaitingMs: numOrNull(waiting?.mean),
    decided: num(decided?.n),
    meanWaitMs: numOrNull(decided?.mean),
    maxWaitMs: numOrNull(decided?.max),
  };
}

export type RunDashboard = Omit<Dashboard, "byModel" | "byAgentNode" | "failingNodes">;
export type StepDashboard = Pick<Dashboard, "byModel" | "byAgentNode" | "failingNodes">;

async function workflowNamesOf(db: Db, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  const rows = unique.length
    ? await db.prisma.workflow.findMany({ where: { id: { in: unique } }, select: { id: true, name: true } })
    : [];
  return new Map(rows.map((w) => [w.id, w.name]));
}

/** Run-level figures: one grouped scan of Run (+ DailyUsage), users, percentiles, approvals. */
export async function getRunDashboard(
  db: Db,
  workspaceId: string,
  range: DashboardRange,
  now = new Date(),
): Promise<RunDashboard> {
  // Sequential on purpose: SQLite has one connection, and each query is one indexed range scan.
  const runRows = await getRunGroups(db, workspaceId, range);
  const byUser = await getByUser(db, workspaceId, range);
  const approvals = await getApprovalStats(db, workspaceId, range, now);
  const runCharts = deriveRunCharts(
    runRows,
    await workflowNamesOf(
      db,
      runRows.map((r) => r.workflowId),
    ),
  );
  // Percentiles need the stored runs themselves (rollups keep sums, not distributions).
  const [p50, p95] = await durationPercentiles(db, workspaceId, range, [0.5, 0.95]);
  const totals = runCharts.totals;
  // Pruned runs of whole days are inside RunDailyUsage; DailyUsage still says how many there were.
  const prunedRuns = await prunedRunsIn(db, workspaceId, range);
  return {
    range: { from: range.from.toISOString(), to: range.to.toISOString(), bucket: defaultBucket(range) },
    summary: { ...totals, prunedRuns, p50DurationMs: p50 ?? null, p95DurationMs: p95 ?? null },
    statusOverTime: runCharts.statusOverTime,
    usageOverTime: runCharts.usageOverTime,
    byWorkflow: runCharts.byWorkflow,
    byUser,
    approvals,
  };
}

/** Step-level figures (per model, per agent node, failing nodes); the page streams them in. */
export async function getStepDashboard(db: Db, workspaceId: string, range: DashboardRange): Promise<StepDashboard> {
  const stepRows = await getStepGroups(db, workspaceId, range);
  return deriveStepCharts(
    stepRows,
    await workflowNamesOf(
      db,
      stepRows.map((r) => r.workflowId),
    ),
  );
}

export async function getDashboard(
  db: Db,
  workspaceId: string,
  range: DashboardRange,
  now = new Date(),
): Promise<Dashboard> {
  const runs = await getRunDashboard(db, workspaceId, range, now);
  return { ...runs, ...(await getStepDashboard(db, workspaceId, range)) };
}
