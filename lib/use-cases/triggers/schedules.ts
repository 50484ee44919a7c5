// Schedule triggers: cron with a time zone (croner computes the fire times). Publishing a
// workflow whose trigger is a schedule creates or updates its Schedule row; publishing one that
// no longer is, or deleting the workflow, removes it. A ticker on every web server and worker
// (host.start({ schedules })) claims due rows (lib/db/schedules.ts: compare-and-set + a unique
// key per fire time) and starts each fire's run with an idempotency key per fire time, so
// several servers fire each time exactly once.
//
// After downtime: fire times more than `graceMs` in the past are "missed"; the schedule's
// `missed` setting skips them (default; one `skipped` fire row is left for the latest) or runs
// ONE run for the latest of them. Pausing clears the next fire time; resuming computes it from now.
import { Cron } from "croner";
import { AppError } from "@/lib/contracts/app-errors";
import type { Db } from "@/lib/db/client";
import {
  claimFires,
  deleteSchedule,
  dueSchedules,
  findSchedule,
  recordFireOutcome,
  type ScheduleRow,
  scheduleById,
  setSchedulePaused,
  strandedFires,
  upsertSchedule,
} from "@/lib/db/schedules";
import type { DbOrTx } from "@/lib/db/tx";
import { startWorkflowRun, triggerCaller } from "../runs/start";
import type { TriggerStartDeps } from "./start";
import { webhookTriggerOf } from "./webhooks";

const MAX_MISSED_SCAN = 10_000;

function cronOf(cron: string, timezone: string): Cron {
  return new Cron(cron, { timezone, paused: true, mode: "5-part" });
}

/** The next `count` fire times strictly after `from` (the trigger panel previews five). */
export function nextFireTimes(cron: string, timezone: string | undefined, from: Date, count = 5): Date[] {
  return cronOf(cron, timezone || "UTC").nextRuns(count, from);
}

function nextAfter(cron: string, timezone: string, from: Date): Date | null {
  return cronOf(cron, timezone).nextRun(from);
}

/** Called when a version is published (inside its transaction): keeps the workflow's schedule in step. */
export async function syncScheduleOnPublish(
  db: DbOrTx,
  input: { workspaceId: string; workflowId: string; document: unknown; now?: Date },
): Promise<void> {
  const config = webhookTriggerOf(input.document, "schedule");
  if (!config?.cron) {
    await deleteSchedule(db, input.workflowId);
    return;
  }
  const now = input.now ?? new Date();
  const timezone = config.timezone || "UTC";
  const existing = await findSchedule(db, input.workflowId);
  const paused = existing?.paused ?? false;
  const unchanged = existing && existing.cron === config.cron && existing.timezone === timezone;
  await upsertSchedule(db, {
    workspaceId: input.workspaceId,
    workflowId: input.workflowId,
    cron: config.cron,
    timezone,
    missedPolicy: config.missed ?? "skip",
    paused,
    // keep a pending fire time when the timing did not change; else compute it from now
    nextFireAt: paused
      ? null
      : unchanged && existing.nextFireAt
        ? existing.nextFireAt
        : nextAfter(config.cron, timezone, now),
  });
}

/** Called when a workflow is deleted. */
export async function removeSchedule(db: DbOrTx, workflowId: string): Promise<void> {
  await deleteSchedule(db, workflowId);
}

export interface ScheduleView {
  cron: string;
  timezone: string;
  missedPolicy: string;
  paused: boolean;
  nextFireAt: string | null;
  lastFireAt: string | null;
}

export async function scheduleOf(db: Db, workspaceId: string, workflowId: string): Promise<ScheduleView | null> {
  const s = await findSchedule(db, workflowId);
  if (!s || s.workspaceId !== workspaceId) return null;
  return {
    cron: s.cron,
    timezone: s.timezone,
    missedPolicy: s.missedPolicy,
    paused: s.paused,
    nextFireAt: s.nextFireAt?.toISOString() ?? null,
    lastFireAt: s.lastFireAt?.toISOString() ?? null,
  };
}

/** Pause (no fires until resumed) or resume (next fire time computed from now: paused times are not made up). */
export async function pauseSchedule(
  db: Db,
  workspaceId: string,
  workflowId: string,
  paused: boolean,
  now = new Date(),
): Promise<ScheduleView> {
  const s = await findSchedule(db, workflowId);
  if (!s || s.workspaceId !== workspaceId)
    throw new AppError("not_found:workflow", { message: "This workflow has no published schedule." });
  await setSchedulePaused(db, workflowId, paused, paused ? null : nextAfter(s.cron, s.timezone, now));
  return (await scheduleOf(db, workspaceId, workflowId)) as ScheduleView;
}

export interface TickOptions {
  now: Date;
  /** a fire time at most this old counts as on time (default 60 s); older ones were missed */
  graceMs?: number;
  log?: (line: string) => void;
}

export interface TickResult {
  started: string[];
  skipped: number;
  failed: number;
}

/** Which fire times a claim records, for a due schedule at `now`. */
export function planFires(
  s: Pick<ScheduleRow, "cron" | "timezone" | "missedPolicy" | "nextFireAt">,
  now: Date,
  graceMs: number,
): { fires: { fireAt: Date; outcome: "claimed" | "skipped" }[]; nextFireAt: Date | null } {
  const due: Date[] = [];
  let t: Date | null = s.nextFireAt;
  while (t && t.getTime() <= now.getTime() && due.length < MAX_MISSED_SCAN) {
    due.push(t);
    t = nextAfter(s.cron, s.timezone, t);
  }
  const nextFireAt = t && t.getTime() > now.getTime() ? t : nextAfter(s.cron, s.timezone, now);
  const onTime = due.filter((d) => now.getTime() - d.getTime() <= graceMs);
  const missed = due.filter((d) => now.getTime() - d.getTime() > graceMs);
  const fires: { fireAt: Date; outcome: "claimed" | "skipped" }[] = [];
  const lastMissed = missed.at(-1);
  if (lastMissed) fires.push({ fireAt: lastMissed, outcome: s.missedPolicy === "run_once" ? "claimed" : "skipped" });
  for (const d of onTime) fires.push({ fireAt: d, outcome: "claimed" });
  return { fires, nextFireAt };
}

async function fire(deps: TriggerStartDeps, s: ScheduleRow, fireAt: Date, log: (l: string) => void) {
  try {
    const started = await startWorkflowRun(deps, triggerCaller(s.workspaceId, "schedule"), {
      trigger: "schedule",
      source: { kind: "published", workflowId: s.workflowId },
      input: { scheduledAt: fireAt.toISOString() },
      deliveryKey: `${s.id}:${fireAt.toISOString()}`,
      triggerData: { scheduleId: s.id, fireAt: fireAt.toISOString() },
    });
    await recordFireOutcome(deps.db, s.id, fireAt, "started", { runId: started.runId });
    return started.runId;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`schedule of workflow ${s.workflowId} at ${fireAt.toISOString()} did not start: ${message}`);
    await recordFireOutcome(deps.db, s.id, fireAt, "failed", { error: message });
    return null;
  }
}

/** One pass: claims every due schedule this server wins and starts its fires; restarts stranded claims. */
export async function tickSchedules(deps: TriggerStartDeps, options: TickOptions): Promise<TickResult> {
  const log = options.log ?? (() => {});
  const graceMs = options.graceMs ?? 60_000;
  const result: TickResult = { started: [], skipped: 0, failed: 0 };
  for (const s of await dueSchedules(deps.db, options.now)) {
    let plan: ReturnType<typeof planFires>;
    try {
      plan = planFires(s, options.now, graceMs);
    } catch (error) {
      log(`schedule of workflow ${s.workflowId} cannot be computed: ${String(error)}`);
      continue;
    }
    const won = await claimFires(deps.db, s, { ...plan, at: options.now });
    if (!won) continue;
    for (const f of plan.fires) {
      if (f.outcome === "skipped") {
        result.skipped++;
        continue;
      }
      const runId = await fire(deps, s, f.fireAt, log);
      if (runId) result.started.push(runId);
      else result.failed++;
    }
  }
  // a server that claimed a fire and stopped before starting its run: start it (same key → same run)
  for (const f of await strandedFires(deps.db, new Date(options.now.getTime() - 30_000))) {
    const s = await scheduleById(deps.db, f.scheduleId);
    if (!s) continue;
    const runId = await fire(deps, s, f.fireAt, log);
    if (runId) result.started.push(runId);
  }
  return result;
}

export interface ScheduleTicker {
  tick(): Promise<TickResult>;
  stop(): Promise<void>;
}

/** Ticks every `intervalMs` (default 5 s); one pass at a time. */
export function startScheduleTicker(
  deps: TriggerStartDeps,
  options: { intervalMs?: number; now?: () => Date; log?: (line: string) => void },
): ScheduleTicker {
  const now = options.now ?? (() => new Date());
  let running: Promise<TickResult> | null = null;
  const tick = () => {
    running ??= tickSchedules(deps, { now: now(), log: options.log })
      .catch((error: unknown) => {
        options.log?.(`schedule tick failed: ${error instanceof Error ? error.message : String(error)}`);
        return { started: [], skipped: 0, failed: 0 };
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(() => void tick(), options.intervalMs ?? 5000);
  timer.unref?.();
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
