// The dashboard's time range from the URL: a preset (?range=24h|7d|30d|90d) or explicit days
// (?from=YYYY-MM-DD&to=YYYY-MM-DD, "to" inclusive). Presets end at the next whole hour so the
// same URL gives the same figures for the rest of the hour.
import { z } from "zod";

export const RANGE_PRESETS = { "24h": 1, "7d": 7, "30d": 30, "90d": 90 } as const;
export type RangePreset = keyof typeof RANGE_PRESETS;

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date like 2026-11-25");

export const DashboardQuerySchema = z.object({
  range: z.enum(Object.keys(RANGE_PRESETS) as [RangePreset, ...RangePreset[]]).optional(),
  from: Day.optional(),
  to: Day.optional(),
});

export interface ResolvedRange {
  from: Date;
  to: Date;
  preset: RangePreset | null;
  label: string;
}

export function resolveRange(query: z.infer<typeof DashboardQuerySchema>, now = new Date()): ResolvedRange {
  if (query.from && query.to && !query.range) {
    const from = new Date(`${query.from}T00:00:00Z`);
    const to = new Date(Date.parse(`${query.to}T00:00:00Z`) + 86_400_000);
    if (from < to) return { from, to, preset: null, label: `${query.from} to ${query.to}` };
  }
  const preset = query.range ?? "30d";
  const to = new Date(Math.ceil(now.getTime() / 3_600_000) * 3_600_000);
  const from = new Date(to.getTime() - RANGE_PRESETS[preset] * 86_400_000);
  return { from, to, preset, label: preset === "24h" ? "last 24 hours" : `last ${RANGE_PRESETS[preset]} days` };
}

/** The [from, to) of one chart bucket ("YYYY-MM-DD" or "YYYY-MM-DDTHH"), clipped to the range. */
export function bucketRange(bucket: string, range: { from: Date; to: Date }): { from: Date; to: Date } {
  const hour = bucket.length > 10;
  const start = new Date(hour ? `${bucket}:00:00Z` : `${bucket}T00:00:00Z`);
  const end = new Date(start.getTime() + (hour ? 3_600_000 : 86_400_000));
  return {
    from: new Date(Math.max(start.getTime(), range.from.getTime())),
    to: new Date(Math.min(end.getTime(), range.to.getTime())),
  };
}
