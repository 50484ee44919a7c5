// Retention: prune finished runs older than a workspace's `retentionDays` setting, keeping their
// per-day totals in DailyUsage so the dashboard's counts, tokens and cost for old ranges survive.
// Work is done in batches (oldest first), each in ONE transaction: aggregate the batch by
// (day, workflow, status) → add to DailyUsage → delete the runs (steps, events and approvals go
// with them by cascade). A crash between batches loses nothing and counts nothing twice.
// Runs still going (queued, running, waiting) are never pruned, whatever their age.
// Step figures survive too: the rollup pass (lib/db/rollup.ts) runs first, and only runs already
// rolled up into StepDailyUsage are pruned (StepDailyUsage rows are never deleted by pruning).
import { z } from "zod";
import type { Db } from "./client";
import type { Prisma } from "./generated/sqlite/client";
import { num, query, SqlBuilder } from "./history-sql";
import { rollUpFinishedRuns } from "./rollup";
import { type DbOrTx, prismaOf } from "./tx";

/** The retention part of Workspace.settings. Absent or null: keep runs forever. */
export const RetentionSettingSchema = z.object({
  retentionDays: z.number().int().min(1).max(3650).nullable().optional(),
});

export function retentionDaysOf(settings: unknown): number | null {
  const parsed = RetentionSettingSchema.safeParse(settings ?? {});
  return parsed.success ? (parsed.data.retentionDays ?? null) : null;
}

const FINISHED = `('succeeded', 'failed', 'cancelled')`;

export interface PruneResult {
  workspaceId: string;
  cutoff: Date;
  runsDeleted: number;
  batches: number;
}

/** Prunes one workspace's finished runs created before `now - days`. */
export async function pruneWorkspaceRuns(
  db: Db,
  workspaceId: string,
  days: number,
  now = new Date(),
  batchSize = 1000,
): Promise<PruneResult> {
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  let runsDeleted = 0;
  let batches = 0;
  await rollUpFinishedRuns(db, { now });
  for (;;) {
    const b = new SqlBuilder(db);
    const ids = await query<{ id: string }>(
      db,
      b,
      `SELECT r."id" AS id FROM ${b.t("Run")} r
       WHERE r."workspaceId" = ${b.p(workspaceId)} AND r."createdAt" < ${b.ts(cutoff)} AND r."status" IN ${FINISHED}
         AND r."rolledUpAt" IS NOT NULL
       ORDER BY r."createdAt" LIMIT ${Math.max(1, Math.floor(batchSize))}`,
    );
    if (ids.length === 0) break;
    const batch = ids.map((r) => r.id);
    const deleted = await db.prisma.$transaction(async (tx) => {
      const txDb = { ...db, prisma: tx as unknown as Db["prisma"] };
      const a = new SqlBuilder(db);
      const groups = await query(
        txDb,
        a,
        `SELECT ${a.bucket(`r."createdAt"`, "day")} AS day, r."workflowId" AS "workflowId", r."status" AS status,
           COUNT(*) AS runs, SUM(r."inputTokens") AS "inputTokens", SUM(r."outputTokens") AS "outputTokens",
           SUM(r."costUsd") AS "costUsd", SUM(COALESCE(r."durationMs", 0)) AS "durationMs"
         FROM ${a.t("Run")} r WHERE r."id" IN (${batch.map((id) => a.p(id)).join(", ")}) AND r."status" IN ${FINISHED}
         GROUP BY 1, 2, 3`,
      );
      for (const g of groups) {
        const key = { workspaceId, day: String(g.day), workflowId: String(g.workflowId), status: String(g.status) };
        const add = {
          runs: num(g.runs),
          inputTokens: num(g.inputTokens),
          outputTokens: num(g.outputTokens),
          costUsd: num(g.costUsd),
          durationMs: num(g.durationMs),
        };
        await tx.dailyUsage.upsert({
          where: { workspaceId_day_workflowId_status: key },
          create: { ...key, ...add },
          update: {
            runs: { increment: add.runs },
            inputTokens: { increment: add.inputTokens },
            outputTokens: { increment: add.outputTokens },
            costUsd: { increment: add.costUsd },
            durationMs: { increment: add.durationMs },
          },
        });
      }
      const res = await tx.run.deleteMany({
        where: {
          id: { in: batch },
          workspaceId,
          status: { in: ["succeeded", "failed", "cancelled"] },
          rolledUpAt: { not: null },
        },
      });
      return res.count;
    });
    runsDeleted += deleted;
    batches += 1;
    if (ids.length < batchSize) break;
  }
  return { workspaceId, cutoff, runsDeleted, batches };
}

/** For the scheduler: every workspace with a retention setting. */
export async function pruneAllWorkspaces(db: Db, now = new Date()): Promise<PruneResult[]> {
  const workspaces = await db.prisma.workspace.findMany({ select: { id: true, settings: true } });
  const out: PruneResult[] = [];
  for (const ws of workspaces) {
    const days = retentionDaysOf(ws.settings);
    if (days) out.push(await pruneWorkspaceRuns(db, ws.id, days, now));
  }
  return out;
}

/** The "Keep run history for N days" field: a whole number of days, or null to keep runs forever. */
export const RetentionDaysInputSchema = z
  .number({ error: "Enter a number of days" })
  .int("Enter a whole number of days")
  .min(1, "Keep runs for at least 1 day")
  .max(3650, "At most 3650 days (10 years)")
  .nullable();

/** Sets (or clears, with null) `retentionDays` in Workspace.settings, keeping the other settings. */
export async function setWorkspaceRetention(
  db: DbOrTx,
  workspaceId: string,
  days: number | null,
): Promise<{ before: number | null; after: number | null }> {
  const p = prismaOf(db);
  const ws = await p.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { settings: true } });
  const current =
    ws.settings && typeof ws.settings === "object" && !Array.isArray(ws.settings)
      ? (ws.settings as Record<string, unknown>)
      : {};
  const { retentionDays: _previous, ...rest } = current;
  const next = days === null ? rest : { ...rest, retentionDays: days };
  await p.workspace.update({ where: { id: workspaceId }, data: { settings: next as Prisma.InputJsonObject } });
  return { before: retentionDaysOf(current), after: days };
}
