// Dashboard aggregations, computed by the database (GROUP BY over indexed ranges), never by
// loading runs into memory. Times are UTC; buckets are "YYYY-MM-DD" (day) or "YYYY-MM-DDTHH" (hour).
// Runs are counted by createdAt in [from, to); step figures (model, agent node, failing nodes)
// cover the steps OF those runs, so every chart's link to /runs?from&to&… lists exactly what it counts.
// Ranges older than the retention cut-off come from DailyUsage (written by lib/db/retention.ts
// before runs are pruned): counts, tokens, cost and mean duration merge additively; percentiles,
// per-node, per-model and per-user figures cover the runs still stored.
import { z } from "zod";
import type { Db } from "./client";
import { num, numOrNull, query, SqlBuilder } from "./history-sql";
import { type StepFigureRow, stepFigureRows } from "./rollup";

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

/** DailyUsage rows inside the range (whole days whose day string is in [from, to)). */
function dailyWhere(b: SqlBuilder, workspaceId: string, range: DashboardRange): string {
  return `d."workspaceId" = ${b.p(workspaceId)} AND d."day" >= ${b.p(dayString(range.from))} AND d."day" < ${b.p(
    dayString(new Date(range.to.getTime() + 86400000 - 1)),
  )}`;
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

export async function getRunGroups(db: Db, workspaceId: string, range: DashboardRange): Promise<RunGroupRow[]> {
  const unit = defaultBucket(range);
  const b = new SqlBuilder(db);
  const rows = await query(
    db,
    b,
    `SELECT ${b.bucket(`r."createdAt"`, unit)} AS bucket, r."status" AS status, r."workflowId" AS "workflowId",
       COUNT(*) AS runs, SUM(r."inputTokens") AS "inputTokens", SUM(r."outputTokens") AS "outputTokens",
       SUM(r."costUsd") AS "costUsd", SUM(r."durationMs") AS "durationSum", COUNT(r."durationMs") AS "durationCount"
     FROM ${b.t("Run")} r WHERE ${runRange(b, workspaceId, range)} GROUP BY 1, 2, 3`,
  );
  const b2 = new SqlBuilder(db);
  const daily = await query(
    db,
    b2,
    `SELECT d."day" AS bucket, d."status" AS status, d."workflowId" AS "workflowId", SUM(d."runs") AS runs,
       SUM(d."inputTokens") AS "inputTokens", SUM(d."outputTokens") AS "outputTokens", SUM(d."costUsd") AS "costUsd",
       SUM(d."durationMs") AS "durationSum", SUM(d."runs") AS "durationCount"
     FROM ${b2.t("DailyUsage")} d WHERE ${dailyWhere(b2, workspaceId, range)} GROUP BY 1, 2, 3`,
  );
  const toRow = (r: Record<string, unknown>, pruned: boolean): RunGroupRow => ({
    bucket: pruned && unit === "hour" ? `${r.bucket}T00` : String(r.bucket),
    status: String(r.status),
    workflowId: String(r.workflowId),
    runs: num(r.runs),
    inputTokens: num(r.inputTokens),
    outputTokens: num(r.outputTokens),
    costUsd: num(r.costUsd),
    durationSum: num(r.durationSum),
    durationCount: num(r.durationCount),
    pruned,
  });
  return [...rows.map((r) => toRow(r, false)), ...daily.map((r) => toRow(r, true))];
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
    `SELECT r."startedById" AS key, COUNT(*) AS runs, SUM(r."inputTokens") AS "inputTokens",
       SUM(r."outputTokens") AS "outputTokens", SUM(r."costUsd") AS "costUsd"
     FROM ${b.t("Run")} r WHERE ${runRange(b, workspaceId, range)} GROUP BY r."startedById"`,
  );
  const ids = rows.map((r) => r.key).filter((k): k is string => typeof k === "string");
  const users = ids.length
    ? await db.prisma.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, email: true } })
    : [];
  const nameOf = new Map(users.map((u) => [u.id, u.name || u.email]));
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
      storedDurationCount: rows.filter((r) => !r.pruned).reduce((a, r) => a + r.durationCount, 0),
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
  const [p50, p95] = await durationPercentiles(
    db,
    workspaceId,
    range,
    [0.5, 0.95],
    runCharts.totals.storedDurationCount,
  );
  const { storedDurationCount: _, ...totals } = runCharts.totals;
  return {
    range: { from: range.from.toISOString(), to: range.to.toISOString(), bucket: defaultBucket(range) },
    summary: { ...totals, p50DurationMs: p50 ?? null, p95DurationMs: p95 ?? null },
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
