// The metrics' Prometheus text: names, counters from run events, the histogram, label escaping,
// the queue-depth gauge, and counted budget reservations.
import { describe, expect, it } from "vitest";
import type { BudgetLedger } from "@/lib/contracts/ports";
import { countBudgetReservations, prometheusName, recordRunEvents, switchboardMetrics } from "./metrics";

const ev = (type: string, data: Record<string, unknown> = {}, seq = 1) =>
  ({
    runId: "r1",
    seq,
    type,
    data,
    createdAt: new Date(),
  }) as never;

const value = (text: string, line: RegExp) => Number(line.exec(text)?.[1] ?? Number.NaN);

describe("switchboard metrics", () => {
  it("names instruments the Prometheus way", () => {
    expect(prometheusName("switchboard.runs.finished", "", true)).toBe("switchboard_runs_finished_total");
    expect(prometheusName("switchboard.step.duration", "ms", false)).toBe("switchboard_step_duration_milliseconds");
    expect(prometheusName("switchboard.queue.depth", "", false)).toBe("switchboard_queue_depth");
  });

  it("counts runs, steps and takeovers from committed events, with a step-duration histogram", async () => {
    const m = switchboardMetrics();
    const before = await m.prometheusText();
    const record = recordRunEvents(m);
    record("r1", [
      ev("run.started"),
      ev("run.resumed", { from: "running", interrupted: 1 }),
      ev("run.resumed", { from: "waiting" }),
      ev("step.succeeded", { durationMs: 12 }),
      ev("step.succeeded", { durationMs: 7000 }),
      ev("step.failed", {}),
      ev("run.succeeded"),
      ev("run.failed"),
    ]);
    const text = await m.prometheusText();
    const delta = (re: RegExp) => value(text, re) - (Number.isNaN(value(before, re)) ? 0 : value(before, re));
    expect(delta(/^switchboard_runs_started_total (\d+)$/m)).toBe(1);
    expect(delta(/^switchboard_runs_finished_total\{status="succeeded"\} (\d+)$/m)).toBe(1);
    expect(delta(/^switchboard_runs_finished_total\{status="failed"\} (\d+)$/m)).toBe(1);
    expect(delta(/^switchboard_steps_finished_total\{status="failed"\} (\d+)$/m)).toBe(1);
    expect(delta(/^switchboard_lease_takeovers_total (\d+)$/m)).toBe(1);
    expect(delta(/^switchboard_step_duration_milliseconds_count (\d+)$/m)).toBe(2);
    expect(delta(/^switchboard_step_duration_milliseconds_bucket\{le="25"\} (\d+)$/m)).toBe(1);
    expect(delta(/^switchboard_step_duration_milliseconds_bucket\{le="10000"\} (\d+)$/m)).toBe(2);
    expect(text).toMatch(/^# TYPE switchboard_step_duration_milliseconds histogram$/m);
  });

  it("reads the queue depth on a scrape, and counts budget reservations by outcome", async () => {
    const m = switchboardMetrics();
    m.setQueueDepthSource(async () => ({ waiting: 3, running: 2, scheduled: 1 }));
    let text = await m.prometheusText();
    expect(text).toMatch(/^switchboard_queue_depth\{state="waiting"\} 3$/m);
    expect(text).toMatch(/^switchboard_queue_depth\{state="running"\} 2$/m);
    m.setQueueDepthSource(null);

    const answers = [
      { ok: true as const, reserved: true, month: "2026-12" },
      { ok: true as const, reserved: false, month: "2026-12" },
      {
        ok: false as const,
        scope: "workspace" as const,
        limitUsd: 1,
        spentUsd: 1,
        reservedUsd: 0,
        onExceeded: "pause" as const,
        month: "2026-12",
      },
    ];
    const ledger: BudgetLedger = { reserve: async () => answers.shift()!, settle: async () => {} };
    const counted = countBudgetReservations(ledger, m);
    const before = await m.prometheusText();
    for (let i = 0; i < 3; i++) await counted.reserve({} as never);
    text = await m.prometheusText();
    const d = (re: RegExp) => value(text, re) - (Number.isNaN(value(before, re)) ? 0 : value(before, re));
    expect(d(/^switchboard_budget_reservations_total\{outcome="reserved"\} (\d+)$/m)).toBe(1);
    expect(d(/^switchboard_budget_reservations_total\{outcome="refused"\} (\d+)$/m)).toBe(1);
  });
});
