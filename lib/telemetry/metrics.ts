// Operational metrics, as OpenTelemetry metrics (the @opentelemetry/api instruments of one SDK
// MeterProvider per process) and as Prometheus text (a pull reader of that provider, rendered by
// `prometheusText()`: `/api/metrics` on web servers, `/metrics` on a worker's health port), and
// pushed over OTLP/HTTP when OTEL_EXPORTER_OTLP_(METRICS_)ENDPOINT is set (the same reader's
// cumulative `collect()`, lib/telemetry/metrics-export.ts).
//
// | instrument (Prometheus name)                                        | what                                                       |
// | ------------------------------------------------------------------- | ---------------------------------------------------------- |
// | switchboard.queue.depth (switchboard_queue_depth{state})            | run jobs waiting / running / scheduled (PostgreSQL queue)  |
// | switchboard.runs.started (switchboard_runs_started_total)           | runs this process created                                  |
// | switchboard.runs.finished (switchboard_runs_finished_total{status}) | runs this process finished; runs/s = rate() of it          |
// | switchboard.steps.finished (…_steps_finished_total{status})         | steps this process finished                                |
// | switchboard.step.duration (switchboard_step_duration_milliseconds)  | how long a succeeded step took (histogram)                 |
// | switchboard.lease.takeovers (switchboard_lease_takeovers_total)     | runs carried on after their executor stopped (crash, kill) |
// | switchboard.budget.reservations (…_budget_reservations_total{outcome}) | monthly-budget reservations before model calls         |
// | switchboard.jobs.executed (switchboard_jobs_executed_total{result}) | run jobs a worker handled                                  |
//
// Counters count what THIS process did: sum them over processes. The queue depth is the same
// database read by every process that reports it: take max() over processes.
//
// Next bundles server code into several chunks, each with its own copy of this module, so the
// registry lives in the process's one globalThis slot (lib/contracts/process-slot.ts).

import type { Attributes, Counter, Histogram, ObservableGauge } from "@opentelemetry/api";
import {
  DataPointType,
  MeterProvider,
  type MetricData,
  MetricReader,
  type ResourceMetrics,
} from "@opentelemetry/sdk-metrics";
import type { BudgetLedger, RunEventRecord } from "@/lib/contracts/ports";
import { processPart } from "@/lib/contracts/process-slot";

/** A reader that exports nothing by itself: `collect()` is called on a scrape. */
class PullReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

export interface QueueDepth {
  waiting: number;
  running: number;
  scheduled: number;
}

export interface SwitchboardMetrics {
  readonly runsStarted: Counter;
  /** `{ status: "succeeded" | "failed" | "cancelled" }` */
  readonly runsFinished: Counter;
  /** `{ status: "succeeded" | "failed" }` */
  readonly stepsFinished: Counter;
  /** milliseconds */
  readonly stepDuration: Histogram;
  readonly leaseTakeovers: Counter;
  /**
   * One per budget reservation before a model call (lib/engine/execution/model-budget.ts through
   * the BudgetLedger): `add(1, { outcome: "reserved" | "refused" })`.
   */
  readonly budgetReservations: Counter;
  /** `{ result: "executed" | "skipped" | "failed" }`: a job whose run was finished or held elsewhere is skipped. */
  readonly jobsExecuted: Counter;
  readonly queueDepth: ObservableGauge;
  /** Where the queue depth is read from (a PostgreSQL process); the last one registered wins. */
  setQueueDepthSource(read: (() => Promise<QueueDepth>) | null): void;
  /** The Prometheus text exposition of everything (format 0.0.4). */
  prometheusText(): Promise<string>;
  /** Everything now, cumulative (the OTLP export, lib/telemetry/metrics-export.ts). */
  collect(): Promise<ResourceMetrics>;
}

const STEP_BUCKETS_MS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 300_000];

function create(): SwitchboardMetrics {
  const reader = new PullReader();
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter("switchboard");
  let depthSource: (() => Promise<QueueDepth>) | null = null;
  const queueDepth = meter.createObservableGauge("switchboard.queue.depth", {
    description:
      "Run jobs in the queue by state (waiting: takeable now; running: held by a worker; scheduled: a retry's backoff)",
  });
  queueDepth.addCallback(async (result) => {
    if (!depthSource) return;
    try {
      const d = await depthSource();
      result.observe(d.waiting, { state: "waiting" });
      result.observe(d.running, { state: "running" });
      result.observe(d.scheduled, { state: "scheduled" });
    } catch {
      // database unreachable: no sample this scrape
    }
  });
  return {
    runsStarted: meter.createCounter("switchboard.runs.started", { description: "Runs created by this process" }),
    runsFinished: meter.createCounter("switchboard.runs.finished", {
      description: "Runs this process carried to an end, by status",
    }),
    stepsFinished: meter.createCounter("switchboard.steps.finished", {
      description: "Steps this process finished, by status",
    }),
    stepDuration: meter.createHistogram("switchboard.step.duration", {
      description: "Duration of succeeded steps",
      unit: "ms",
      advice: { explicitBucketBoundaries: STEP_BUCKETS_MS },
    }),
    leaseTakeovers: meter.createCounter("switchboard.lease.takeovers", {
      description: "Runs carried on by this process after their executor stopped (crash, kill, lost lease)",
    }),
    budgetReservations: meter.createCounter("switchboard.budget.reservations", {
      description: "Monthly-budget reservations made before model calls, by outcome",
    }),
    jobsExecuted: meter.createCounter("switchboard.jobs.executed", {
      description: "Run jobs handled by this worker, by result",
    }),
    queueDepth,
    setQueueDepthSource(read) {
      depthSource = read;
    },
    async prometheusText() {
      const { resourceMetrics } = await reader.collect();
      return renderPrometheus(resourceMetrics);
    },
    async collect() {
      return (await reader.collect()).resourceMetrics;
    },
  };
}

/** The process's metrics (created on first use, in the process's one globalThis slot). */
export function switchboardMetrics(): SwitchboardMetrics {
  return processPart("metrics", create);
}

const TERMINAL: Record<string, string> = {
  "run.succeeded": "succeeded",
  "run.failed": "failed",
  "run.cancelled": "cancelled",
};

/** Counts what a process's engine commits (subscribe it to the process's notifier: `subscribeAll`). */
export function recordRunEvents(metrics: SwitchboardMetrics) {
  return (_runId: string, events: RunEventRecord[]) => {
    for (const e of events) {
      const data = (e.data ?? {}) as Record<string, unknown>;
      if (e.type === "run.started") metrics.runsStarted.add(1);
      else if (TERMINAL[e.type]) metrics.runsFinished.add(1, { status: TERMINAL[e.type] });
      else if (e.type === "step.succeeded") {
        metrics.stepsFinished.add(1, { status: "succeeded" });
        if (typeof data.durationMs === "number") metrics.stepDuration.record(data.durationMs);
      } else if (e.type === "step.failed") metrics.stepsFinished.add(1, { status: "failed" });
      else if (e.type === "run.resumed" && data.from === "running") metrics.leaseTakeovers.add(1);
    }
  };
}

// ------------------------------------------------------------------ Prometheus text

/** `switchboard.step.duration` + unit ms → `switchboard_step_duration_milliseconds`. */
export function prometheusName(name: string, unit: string, counter: boolean): string {
  let base = name.replace(/[^a-zA-Z0-9_:]/g, "_");
  const units: Record<string, string> = { ms: "milliseconds", s: "seconds", By: "bytes" };
  if (unit && units[unit] && !base.endsWith(`_${units[unit]}`)) base += `_${units[unit]}`;
  if (counter && !base.endsWith("_total")) base += "_total";
  return base;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function labels(attributes: Attributes, extra: [string, string][] = []): string {
  const pairs: [string, string][] = [
    ...Object.entries(attributes)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]): [string, string] => [k.replace(/[^a-zA-Z0-9_]/g, "_"), String(v)]),
    ...extra,
  ];
  return pairs.length ? `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}` : "";
}

function num(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

function renderMetric(m: MetricData, out: string[]) {
  const d = m.descriptor;
  if (m.dataPointType === DataPointType.SUM) {
    const name = prometheusName(d.name, d.unit, m.isMonotonic);
    out.push(`# HELP ${name} ${d.description}`, `# TYPE ${name} ${m.isMonotonic ? "counter" : "gauge"}`);
    for (const p of m.dataPoints) out.push(`${name}${labels(p.attributes)} ${num(p.value)}`);
  } else if (m.dataPointType === DataPointType.GAUGE) {
    const name = prometheusName(d.name, d.unit, false);
    out.push(`# HELP ${name} ${d.description}`, `# TYPE ${name} gauge`);
    for (const p of m.dataPoints) out.push(`${name}${labels(p.attributes)} ${num(p.value)}`);
  } else if (m.dataPointType === DataPointType.HISTOGRAM) {
    const name = prometheusName(d.name, d.unit, false);
    out.push(`# HELP ${name} ${d.description}`, `# TYPE ${name} histogram`);
    for (const p of m.dataPoints) {
      const { boundaries, counts } = p.value.buckets;
      let cumulative = 0;
      boundaries.forEach((le, i) => {
        cumulative += counts[i] ?? 0;
        out.push(`${name}_bucket${labels(p.attributes, [["le", num(le)]])} ${cumulative}`);
      });
      out.push(`${name}_bucket${labels(p.attributes, [["le", "+Inf"]])} ${p.value.count}`);
      out.push(`${name}_sum${labels(p.attributes)} ${num(p.value.sum ?? 0)}`);
      out.push(`${name}_count${labels(p.attributes)} ${p.value.count}`);
    }
  }
}

export function renderPrometheus(resourceMetrics: ResourceMetrics): string {
  const out: string[] = [];
  for (const scope of resourceMetrics.scopeMetrics) for (const m of scope.metrics) renderMetric(m, out);
  return `${out.join("\n")}\n`;
}

/** The content type of `prometheusText()`. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** A budget ledger that counts its reservations in `switchboard.budget.reservations` ({outcome}). */
export function countBudgetReservations(ledger: BudgetLedger, metrics = switchboardMetrics()): BudgetLedger {
  return {
    knownUncovered: ledger.knownUncovered?.bind(ledger),
    reserve: async (input) => {
      const r = await ledger.reserve(input);
      if (!r.ok) metrics.budgetReservations.add(1, { outcome: "refused" });
      else if (r.reserved) metrics.budgetReservations.add(1, { outcome: "reserved" });
      return r;
    },
    settle: (input) => ledger.settle(input),
  };
}
