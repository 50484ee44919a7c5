// Monthly budgets (USD) per workspace and per workflow: the admin's limits (Budget), what each
// calendar month (UTC) has spent (BudgetMonth) and the model calls in flight (BudgetReservation).
//
// The engine reserves the most a model call may cost before making it (createBudgetLedger, the
// engine's BudgetLedger port). One transaction: the month's rows of the two scopes are created
// when missing (starting from what the month's runs already cost) and written first — that write
// is the lock (PostgreSQL row locks; SQLite's BEGIN IMMEDIATE serialises every writer anyway), so
// two calls, branches or processes cannot both pass a budget; then spent + reservations still in
// force + this call is compared with each budget that applies, and the reservation is stored under
// the call's key (a crash re-run of the call replaces it). Settling deletes the reservation and
// adds the actual cost to both scopes' months. Workspaces without budgets never touch the tables:
// their calls skip all of this (the budget list is cached a few seconds per process).

import { AppError } from "@/lib/contracts/app-errors";
import type {
  BudgetAction,
  BudgetLedger,
  BudgetReservation,
  BudgetReserveInput,
  BudgetSettleInput,
  BudgetUse,
} from "@/lib/contracts/ports";
import { budgetMonth } from "@/lib/contracts/ports";
import { processPart } from "@/lib/contracts/process-slot";
import type { Db } from "./client";
import { acquireSqlBackend, andThen, type Row, type SqlBackend, type TxExec } from "./sql-exec";
import { type DbOrTx, prismaOf } from "./tx";

export interface BudgetRow {
  /** null: the whole workspace. */
  workflowId: string | null;
  monthlyUsd: number;
  onExceeded: BudgetAction;
}

const WORKSPACE = "";
/** How long a process trusts its copy of a workspace's budgets (changes made in this process apply at once). */
const BUDGETS_TTL_MS = 5_000;

// ------------------------------------------------------------------ the admin's limits

export async function listBudgetRows(db: DbOrTx, workspaceId: string): Promise<BudgetRow[]> {
  const rows = await prismaOf(db).budget.findMany({ where: { workspaceId }, orderBy: { workflowId: "asc" } });
  return rows.map((r) => ({
    workflowId: r.workflowId === WORKSPACE ? null : r.workflowId,
    monthlyUsd: r.monthlyUsd,
    onExceeded: r.onExceeded === "fail" ? "fail" : "pause",
  }));
}

/**
 * Sets (monthlyUsd a number) or removes (null) a budget. The current month's spent rows of the
 * workspace are dropped, so the next reservation counts the month again from its runs (calls made
 * while no budget applied were not recorded).
 */
export async function saveBudgetRow(
  db: DbOrTx,
  input: {
    workspaceId: string;
    workflowId: string | null;
    monthlyUsd: number | null;
    onExceeded: BudgetAction;
    by: string | null;
    now?: Date;
  },
): Promise<{ before: BudgetRow | null }> {
  const p = prismaOf(db);
  const key = { workspaceId: input.workspaceId, workflowId: input.workflowId ?? WORKSPACE };
  const prev = await p.budget.findUnique({ where: { workspaceId_workflowId: key } });
  if (input.workflowId) {
    const wf = await p.workflow.findFirst({
      where: { id: input.workflowId, workspaceId: input.workspaceId, deletedAt: null },
      select: { id: true },
    });
    if (!wf) throw new AppError("not_found:workflow");
  }
  if (input.monthlyUsd === null) await p.budget.deleteMany({ where: key });
  else
    await p.budget.upsert({
      where: { workspaceId_workflowId: key },
      create: { ...key, monthlyUsd: input.monthlyUsd, onExceeded: input.onExceeded, updatedById: input.by },
      update: { monthlyUsd: input.monthlyUsd, onExceeded: input.onExceeded, updatedById: input.by },
    });
  if (!prev || input.monthlyUsd === null)
    await p.budgetMonth.deleteMany({
      where: { workspaceId: input.workspaceId, month: budgetMonth(input.now ?? new Date()) },
    });
  budgetsChanged(input.workspaceId);
  return {
    before: prev
      ? {
          workflowId: input.workflowId,
          monthlyUsd: prev.monthlyUsd,
          onExceeded: prev.onExceeded === "fail" ? "fail" : "pause",
        }
      : null,
  };
}

// Budgets per workspace, cached per process. A change made in this process applies at once
// (budgetsChanged); one made elsewhere within BUDGETS_TTL_MS.
type Cache = Map<string, { at: number; rows: Promise<BudgetRow[]>; loaded?: BudgetRow[] }>;
const cache = (): Cache => processPart("budgets", () => new Map() as Cache);

export function budgetsChanged(workspaceId: string) {
  cache().delete(workspaceId);
}

function cachedBudgets(db: Db, workspaceId: string): Promise<BudgetRow[]> {
  const c = cache();
  const hit = c.get(workspaceId);
  const now = Date.now();
  if (hit && now - hit.at < BUDGETS_TTL_MS) return hit.rows;
  const rows = listBudgetRows(db, workspaceId);
  const entry: { at: number; rows: Promise<BudgetRow[]>; loaded?: BudgetRow[] } = { at: now, rows };
  c.set(workspaceId, entry);
  rows.then(
    (loaded) => {
      entry.loaded = loaded;
    },
    () => c.delete(workspaceId),
  );
  if (c.size > 10_000) c.delete(c.keys().next().value as string);
  return rows;
}

/** No budget covers this workflow, as far as a fresh cache entry already knows (no I/O). */
function knownUncovered(workspaceId: string, workflowId: string): boolean {
  const hit = cache().get(workspaceId);
  if (!hit?.loaded || Date.now() - hit.at >= BUDGETS_TTL_MS) return false;
  return !hit.loaded.some((b) => b.workflowId === null || b.workflowId === workflowId);
}

// ------------------------------------------------------------------ the ledger

const monthRange = (month: string): [Date, Date] => {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return [new Date(Date.UTC(y, m - 1, 1)), new Date(Date.UTC(y, m, 1))];
};
const dayOf = (d: Date) => d.toISOString().slice(0, 10);
const num = (v: unknown) => (typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : Number(v ?? 0) || 0);

class Ledger implements BudgetLedger {
  private readonly t: (table: string) => string;

  constructor(
    private readonly db: Db,
    private readonly sql: SqlBackend,
  ) {
    const schema = db.target.provider === "postgresql" ? db.target.schema : undefined;
    const prefix = schema ? `"${schema.replace(/"/g, "")}".` : "";
    this.t = (table) => `${prefix}"${table}"`;
  }

  async reserve(input: BudgetReserveInput): Promise<BudgetReservation> {
    const month = budgetMonth(input.now);
    const budgets = await cachedBudgets(this.db, input.workspaceId);
    const workspace = budgets.find((b) => b.workflowId === null);
    const workflow = budgets.find((b) => b.workflowId === input.workflowId);
    // Nothing to check or to count: no budget covers this call.
    if (!workspace && !workflow) return { ok: true, reserved: false, month };
    const [from, to] = monthRange(month);
    const t = this.t;
    const scopes = [WORKSPACE, input.workflowId];
    return this.sql.transaction((x) => {
      const steps: (() => unknown)[] = [];
      const spent = new Map<string, number>();
      // 1. The month's rows: created when missing (from what the month's runs cost), then written — the lock.
      for (const scope of scopes) {
        steps.push(() =>
          andThen(this.ensureMonth(x, input.workspaceId, scope, month, from, to, input.now), () =>
            andThen(
              x.run({
                sql: `UPDATE ${t("BudgetMonth")} SET "updatedAt" = ? WHERE "workspaceId" = ? AND "workflowId" = ? AND "month" = ?`,
                params: [input.now, input.workspaceId, scope, month],
              }),
              () =>
                andThen(
                  x.all({
                    sql: `SELECT "spentUsd" FROM ${t("BudgetMonth")} WHERE "workspaceId" = ? AND "workflowId" = ? AND "month" = ?`,
                    params: [input.workspaceId, scope, month],
                  }),
                  (rows) => {
                    spent.set(scope, num(rows[0]?.spentUsd));
                  },
                ),
            ),
          ),
        );
      }
      // 2. Reservations still in force (expired ones are dropped: their process died).
      let reserved: Row[] = [];
      steps.push(() =>
        x.run({
          sql: `DELETE FROM ${t("BudgetReservation")} WHERE "workspaceId" = ? AND "month" = ? AND "expiresAt" <= ?`,
          params: [input.workspaceId, month, input.now],
        }),
      );
      steps.push(() =>
        andThen(
          x.all({
            sql: `SELECT "workflowId", SUM("amountUsd") AS "amount" FROM ${t("BudgetReservation")} WHERE "workspaceId" = ? AND "month" = ? AND "key" <> ? GROUP BY "workflowId"`,
            params: [input.workspaceId, month, input.key],
          }),
          (rows) => {
            reserved = rows;
          },
        ),
      );
      let outcome: BudgetReservation = { ok: true, reserved: true, month };
      steps.push(() => {
        const wsReserved = reserved.reduce((sum, r) => sum + num(r.amount), 0);
        const wfReserved = num(reserved.find((r) => r.workflowId === input.workflowId)?.amount);
        const checks = [
          {
            scope: "workspace" as const,
            budget: input.ignore.workspace ? undefined : workspace,
            key: WORKSPACE,
            held: wsReserved,
          },
          {
            scope: "workflow" as const,
            budget: input.ignore.workflow ? undefined : workflow,
            key: input.workflowId,
            held: wfReserved,
          },
        ];
        for (const c of checks) {
          if (!c.budget || input.amountUsd <= 0) continue;
          const used = spent.get(c.key) ?? 0;
          if (used + c.held + input.amountUsd > c.budget.monthlyUsd + 1e-12) {
            outcome = {
              ok: false,
              scope: c.scope,
              limitUsd: c.budget.monthlyUsd,
              spentUsd: used,
              reservedUsd: c.held,
              onExceeded: c.budget.onExceeded,
              month,
            };
            return;
          }
        }
        // 3. Hold it (a crash re-run of the same call replaces its own reservation).
        return x.run({
          sql: `INSERT INTO ${t("BudgetReservation")} ("key", "workspaceId", "workflowId", "month", "runId", "amountUsd", "expiresAt", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT ("key") DO UPDATE SET "amountUsd" = excluded."amountUsd", "expiresAt" = excluded."expiresAt"`,
          params: [
            input.key,
            input.workspaceId,
            input.workflowId,
            month,
            input.runId,
            input.amountUsd,
            input.expiresAt,
            input.now,
          ],
        });
      });
      return andThen(chain(steps), () => outcome);
    });
  }

  /** The month's row of a scope, created (from what the month's runs already cost) when missing. */
  private ensureMonth(
    x: TxExec,
    workspaceId: string,
    scope: string,
    month: string,
    from: Date,
    to: Date,
    now: Date,
  ): unknown {
    const t = this.t;
    const byWorkflow = scope === WORKSPACE ? "" : ` AND "workflowId" = ?`;
    const extra = scope === WORKSPACE ? [] : [scope];
    return andThen(
      x.all({
        sql: `SELECT 1 AS "found" FROM ${t("BudgetMonth")} WHERE "workspaceId" = ? AND "workflowId" = ? AND "month" = ?`,
        params: [workspaceId, scope, month],
      }),
      (found) => {
        if (found.length > 0) return;
        return andThen(
          x.all({
            sql: `SELECT (SELECT COALESCE(SUM("costUsd"), 0) FROM ${t("Run")} WHERE "workspaceId" = ? AND "createdAt" >= ? AND "createdAt" < ?${byWorkflow}) AS "runs", (SELECT COALESCE(SUM("costUsd"), 0) FROM ${t("DailyUsage")} WHERE "workspaceId" = ? AND "day" >= ? AND "day" < ?${byWorkflow}) AS "pruned"`,
            params: [workspaceId, from, to, ...extra, workspaceId, dayOf(from), dayOf(to), ...extra],
          }),
          (rows) =>
            x.run({
              sql: `INSERT INTO ${t("BudgetMonth")} ("workspaceId", "workflowId", "month", "spentUsd", "updatedAt") VALUES (?, ?, ?, ?, ?) ON CONFLICT ("workspaceId", "workflowId", "month") DO NOTHING`,
              params: [workspaceId, scope, month, num(rows[0]?.runs) + num(rows[0]?.pruned), now],
            }),
        );
      },
    );
  }

  settle(input: BudgetSettleInput): Promise<void> {
    const t = this.t;
    return this.sql.transaction((x) =>
      andThen(
        chain([
          () =>
            x.run({
              sql: `DELETE FROM ${t("BudgetReservation")} WHERE "key" = ?`,
              params: [input.key],
            }),
          () =>
            input.actualUsd > 0
              ? x.run({
                  sql: `UPDATE ${t("BudgetMonth")} SET "spentUsd" = "spentUsd" + ?, "updatedAt" = ? WHERE "workspaceId" = ? AND "month" = ? AND "workflowId" IN (?, ?)`,
                  params: [input.actualUsd, new Date(), input.workspaceId, input.month, WORKSPACE, input.workflowId],
                })
              : 0,
        ]),
        () => undefined,
      ),
    );
  }
}

/** Thunks one after another: synchronous while they are (SQLite's direct path), a chain once one is not. */
function chain(thunks: (() => unknown)[]): unknown {
  let i = 0;
  const step = (): unknown => {
    while (i < thunks.length) {
      const r = thunks[i++]!();
      if (r instanceof Promise) return r.then(step);
    }
    return undefined;
  };
  return step();
}

/** The engine's BudgetLedger over this database; `release()` when the runtime closes. */
export function createBudgetLedger(db: Db): BudgetLedger & { release(): Promise<void> } {
  const acquired = acquireSqlBackend(db);
  const ledger = new Ledger(db, acquired.backend);
  return {
    knownUncovered,
    reserve: (input) => ledger.reserve(input),
    settle: (input) => ledger.settle(input),
    release: () => acquired.release(),
  };
}

// ------------------------------------------------------------------ use against each budget

export type { BudgetUse };

/** Each budget of the workspace with what its scope spent this month and holds in flight. */
export async function budgetUse(db: DbOrTx, workspaceId: string, now = new Date()): Promise<BudgetUse[]> {
  const p = prismaOf(db);
  const month = budgetMonth(now);
  const [from, to] = monthRange(month);
  const rows = await listBudgetRows(db, workspaceId);
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.workflowId).filter((id): id is string => id !== null);
  const [months, holds, workflows] = await Promise.all([
    p.budgetMonth.findMany({ where: { workspaceId, month } }),
    p.budgetReservation.groupBy({
      by: ["workflowId"],
      where: { workspaceId, month, expiresAt: { gt: now } },
      _sum: { amountUsd: true },
    }),
    ids.length ? p.workflow.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }) : [],
  ]);
  const names = new Map(workflows.map((w) => [w.id, w.name]));
  const out: BudgetUse[] = [];
  for (const r of rows) {
    const scope = r.workflowId ?? WORKSPACE;
    let spent = months.find((m) => m.workflowId === scope)?.spentUsd;
    if (spent === undefined) {
      const where = {
        workspaceId,
        createdAt: { gte: from, lt: to },
        ...(r.workflowId ? { workflowId: r.workflowId } : {}),
      };
      const pruned = {
        workspaceId,
        day: { gte: dayOf(from), lt: dayOf(to) },
        ...(r.workflowId ? { workflowId: r.workflowId } : {}),
      };
      const [a, b] = await Promise.all([
        p.run.aggregate({ where, _sum: { costUsd: true } }),
        p.dailyUsage.aggregate({ where: pruned, _sum: { costUsd: true } }),
      ]);
      spent = (a._sum.costUsd ?? 0) + (b._sum.costUsd ?? 0);
    }
    const reserved = r.workflowId
      ? (holds.find((h) => h.workflowId === r.workflowId)?._sum.amountUsd ?? 0)
      : holds.reduce((s, h) => s + (h._sum.amountUsd ?? 0), 0);
    out.push({
      ...r,
      workflowName: r.workflowId ? (names.get(r.workflowId) ?? r.workflowId) : null,
      month,
      spentUsd: spent,
      reservedUsd: reserved,
    });
  }
  return out;
}

/** The workspace's workflows a budget can be set for (by name). */
export async function budgetableWorkflows(db: DbOrTx, workspaceId: string): Promise<{ id: string; name: string }[]> {
  return prismaOf(db).workflow.findMany({
    where: { workspaceId, deletedAt: null },
    select: { id: true, name: true },
    orderBy: { name: "asc" },
    take: 500,
  });
}
