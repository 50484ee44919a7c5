// The run's trace: steps as bars on a time axis, parallel branches in separate lanes, each
// attempt its own bar, and waits for people as hatched bars in their own lane. Server-rendered:
// each bar is a link that selects the step (?step=…), so a 500-step run costs no client JS.
import Link from "next/link";
import { formatDuration, STATUS_COLORS } from "./format";

export interface TraceStep {
  id: string;
  nodeId: string;
  nodeType: string;
  attempt: number;
  visit: number;
  status: string;
  startedAt: Date;
  endedAt: Date | null;
}
export interface TraceWait {
  id: string;
  nodeId: string;
  title: string;
  status: string;
  from: Date;
  to: Date | null;
  decidedByName: string | null;
}

/** Greedy lane assignment: a step goes to the first lane free at its start. Pure, exported for tests. */
export function assignLanes<T extends { start: number; end: number }>(items: T[]): { item: T; lane: number }[] {
  const laneEnds: number[] = [];
  const out: { item: T; lane: number }[] = [];
  for (const item of [...items].sort((a, b) => a.start - b.start || a.end - b.end)) {
    let lane = laneEnds.findIndex((end) => end <= item.start);
    if (lane === -1) {
      lane = laneEnds.length;
      laneEnds.push(item.end);
    } else laneEnds[lane] = item.end;
    out.push({ item, lane });
  }
  return out;
}

function ticks(total: number): number[] {
  const n = 5;
  return Array.from({ length: n + 1 }, (_, i) => (total * i) / n);
}

export function TraceWaterfall({
  steps,
  waits,
  start,
  now,
  selectedId,
  hrefFor,
  reusedCount = 0,
  reusedFrom = null,
}: {
  reusedCount?: number;
  reusedFrom?: string | null;
  steps: TraceStep[];
  waits: TraceWait[];
  start: Date;
  now: Date;
  selectedId: string | null;
  hrefFor: (stepId: string) => string;
}) {
  const t0 = start.getTime();
  const ends = [
    ...steps.map((s) => (s.endedAt ?? now).getTime()),
    ...waits.map((w) => (w.to ?? now).getTime()),
    t0 + 1,
  ];
  const total = Math.max(...ends) - t0;
  const pct = (t: number) => `${(Math.max(0, Math.min(1, (t - t0) / total)) * 100).toFixed(3)}%`;
  const width = (a: number, b: number) => `max(3px, ${(Math.max(0, (b - a) / total) * 100).toFixed(3)}%)`;
  const placed = assignLanes(
    steps.map((s) => ({
      step: s,
      start: s.startedAt.getTime(),
      end: Math.max((s.endedAt ?? now).getTime(), s.startedAt.getTime() + 1),
    })),
  );
  const laneCount = placed.reduce((m, p) => Math.max(m, p.lane + 1), 0);
  const lanes = Array.from({ length: laneCount }, (_, i) => placed.filter((p) => p.lane === i));

  return (
    <figure aria-label="Trace" className="rounded-lg border border-slate-200 bg-white p-4">
      <figcaption className="mb-3 flex flex-wrap items-center justify-between gap-2 text-sm text-slate-600">
        <span>
          {steps.length} step attempts in {laneCount} lane{laneCount === 1 ? "" : "s"}
          {waits.length ? `, ${waits.length} wait${waits.length === 1 ? "" : "s"} for people` : ""} · total{" "}
          {formatDuration(total)}
          {reusedCount ? (
            <>
              {" "}
              · {reusedCount} completed step{reusedCount === 1 ? "" : "s"} reused from{" "}
              <Link href={`/runs/${reusedFrom}`} className="font-mono text-blue-700 hover:underline">
                {reusedFrom}
              </Link>{" "}
              (not re-run, not charged again)
            </>
          ) : null}
        </span>
        <span className="flex flex-wrap gap-3 text-xs">
          {["succeeded", "failed", "running", "waiting", "skipped"].map((s) => (
            <span key={s} className="inline-flex items-center gap-1">
              <span
                aria-hidden="true"
                className="inline-block size-2.5 rounded-sm"
                style={{ background: STATUS_COLORS[s] }}
              />
              {s}
            </span>
          ))}
        </span>
      </figcaption>
      <div className="relative ml-28">
        <div aria-hidden="true" className="relative mb-1 h-4 text-[11px] text-slate-500">
          {ticks(total).map((t, i) => (
            <span
              key={t}
              className="absolute -translate-x-1/2 whitespace-nowrap"
              style={{
                left: `${(i / 5) * 100}%`,
                transform: i === 5 ? "translateX(-100%)" : i === 0 ? "none" : undefined,
              }}
            >
              {formatDuration(t)}
            </span>
          ))}
        </div>
      </div>
      <ol className="space-y-1">
        {lanes.map((lane, i) => (
          <li key={`lane-${lane[0]?.item.step.id ?? i}`} className="flex items-center gap-2">
            <span className="w-26 shrink-0 truncate text-xs text-slate-500">Lane {i + 1}</span>
            <div className="relative h-6 flex-1 rounded bg-slate-50">
              {lane.map(({ item }) => {
                const s = item.step;
                const selected = s.id === selectedId;
                const label = `${s.nodeId}${s.visit > 1 ? ` visit ${s.visit}` : ""}${s.attempt > 1 ? ` attempt ${s.attempt}` : ""}: ${s.status}, ${formatDuration(item.end - item.start)}`;
                return (
                  <Link
                    key={s.id}
                    href={hrefFor(s.id)}
                    scroll={false}
                    aria-label={label}
                    title={label}
                    aria-current={selected ? "true" : undefined}
                    className={`absolute top-0.5 bottom-0.5 overflow-hidden rounded-sm px-1 text-[10px] leading-5 text-white ${selected ? "ring-2 ring-slate-900 ring-offset-1" : ""}`}
                    style={{
                      left: pct(item.start),
                      width: width(item.start, item.end),
                      background: STATUS_COLORS[s.status] ?? "#64748b",
                      opacity: s.attempt > 1 || s.status !== "failed" ? 1 : 0.95,
                    }}
                  >
                    {s.nodeId}
                    {s.attempt > 1 ? ` #${s.attempt}` : ""}
                  </Link>
                );
              })}
            </div>
          </li>
        ))}
        {waits.length ? (
          <li className="flex items-center gap-2">
            <span className="w-26 shrink-0 truncate text-xs text-amber-800">Waiting for people</span>
            <div className="relative h-6 flex-1 rounded bg-amber-50">
              {waits.map((w) => {
                const a = w.from.getTime();
                const b = (w.to ?? now).getTime();
                const label = `${w.title} (${w.nodeId}): ${w.status}${w.decidedByName ? ` by ${w.decidedByName}` : ""}, waited ${formatDuration(b - a)}${w.to ? "" : " so far"}`;
                return (
                  <span
                    key={w.id}
                    role="img"
                    aria-label={label}
                    title={label}
                    className="absolute top-0.5 bottom-0.5 overflow-hidden rounded-sm border border-amber-600 px-1 text-[10px] leading-5 text-amber-900"
                    style={{
                      left: pct(a),
                      width: width(a, b),
                      backgroundImage: "repeating-linear-gradient(45deg, #fde68a 0 6px, #fef3c7 6px 12px)",
                    }}
                  >
                    {w.title}
                  </span>
                );
              })}
            </div>
          </li>
        ) : null}
      </ol>
    </figure>
  );
}
