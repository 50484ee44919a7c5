// Schedule rows (one per published workflow whose trigger is a schedule) and their fires. Each
// fire time is claimed once: the claim moves nextFireAt only if it still holds the value the
// claimer read (compare-and-set, on SQLite and PostgreSQL alike) and inserts the fire row, whose
// unique (scheduleId, fireAt) key refuses a second claim of the same time — in one transaction.

import { type DbOrTx, prismaOf, transaction } from "./tx";
import { isUniqueViolation } from "./workflows-store";

export interface ScheduleRow {
  id: string;
  workspaceId: string;
  workflowId: string;
  cron: string;
  timezone: string;
  missedPolicy: string;
  paused: boolean;
  nextFireAt: Date | null;
  lastFireAt: Date | null;
}

export async function findSchedule(db: DbOrTx, workflowId: string): Promise<ScheduleRow | null> {
  return prismaOf(db).schedule.findUnique({ where: { workflowId } });
}

export async function upsertSchedule(db: DbOrTx, input: Omit<ScheduleRow, "id" | "lastFireAt">): Promise<ScheduleRow> {
  const { workflowId, ...rest } = input;
  return prismaOf(db).schedule.upsert({ where: { workflowId }, create: input, update: rest });
}

export async function deleteSchedule(db: DbOrTx, workflowId: string): Promise<void> {
  await prismaOf(db).schedule.deleteMany({ where: { workflowId } });
}

export async function setSchedulePaused(
  db: DbOrTx,
  workflowId: string,
  paused: boolean,
  nextFireAt: Date | null,
): Promise<number> {
  const r = await prismaOf(db).schedule.updateMany({ where: { workflowId }, data: { paused, nextFireAt } });
  return r.count;
}

/** Unpaused schedules whose next fire time has come, oldest first. */
export async function dueSchedules(db: DbOrTx, now: Date, limit = 50): Promise<ScheduleRow[]> {
  return prismaOf(db).schedule.findMany({
    where: { paused: false, nextFireAt: { lte: now } },
    orderBy: { nextFireAt: "asc" },
    take: limit,
  });
}

export interface FireClaim {
  /** fire times to record: `claimed` ones start a run, `skipped` ones only leave a trace */
  fires: { fireAt: Date; outcome: "claimed" | "skipped" }[];
  /** the schedule's next fire time after this claim */
  nextFireAt: Date | null;
  /** when the claim is made (the fire rows' createdAt) */
  at: Date;
}

/**
 * Claims the schedule's due fire times: true when this caller won them (then its fire rows exist
 * with outcome claimed/skipped), false when another server moved nextFireAt first or recorded
 * one of these fire times already.
 */
export async function claimFires(
  db: DbOrTx,
  schedule: Pick<ScheduleRow, "id" | "nextFireAt">,
  claim: FireClaim,
): Promise<boolean> {
  try {
    return await transaction(db, async (tx) => {
      const last = claim.fires.at(-1)?.fireAt ?? null;
      const moved = await tx.schedule.updateMany({
        where: { id: schedule.id, paused: false, nextFireAt: schedule.nextFireAt },
        data: { nextFireAt: claim.nextFireAt, ...(last ? { lastFireAt: last } : {}) },
      });
      if (moved.count !== 1) return false;
      for (const f of claim.fires)
        await tx.scheduleFire.create({
          data: { scheduleId: schedule.id, fireAt: f.fireAt, outcome: f.outcome, createdAt: claim.at },
        });
      return true;
    });
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

export async function recordFireOutcome(
  db: DbOrTx,
  scheduleId: string,
  fireAt: Date,
  outcome: "started" | "failed",
  detail: { runId?: string; error?: string },
): Promise<void> {
  await prismaOf(db).scheduleFire.update({
    where: { scheduleId_fireAt: { scheduleId, fireAt } },
    data: { outcome, runId: detail.runId ?? null, error: detail.error?.slice(0, 2000) ?? null },
  });
}

/** Fires claimed before `olderThan` whose run was never started (the claimer stopped in between). */
export async function strandedFires(db: DbOrTx, olderThan: Date, limit = 50) {
  return prismaOf(db).scheduleFire.findMany({
    where: { outcome: "claimed", createdAt: { lt: olderThan } },
    orderBy: { createdAt: "asc" },
    take: limit,
  });
}

export async function listFires(db: DbOrTx, scheduleId: string, limit = 20) {
  return prismaOf(db).scheduleFire.findMany({ where: { scheduleId }, orderBy: { fireAt: "desc" }, take: limit });
}

/** The schedule's workspace and workflow, for a stranded fire. */
export async function scheduleById(db: DbOrTx, id: string): Promise<ScheduleRow | null> {
  return prismaOf(db).schedule.findUnique({ where: { id } });
}
