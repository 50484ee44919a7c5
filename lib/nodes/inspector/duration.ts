// Durations as people write them ("2 days", "4 hours", "1 day 6 hours", "90 min") and the
// milliseconds the workflow format stores (`timeoutMs`). Browser-safe, no dependencies.

const UNITS: readonly [RegExp, number][] = [
  [/^(w|wk|wks|week|weeks)$/, 7 * 86_400_000],
  [/^(d|day|days)$/, 86_400_000],
  [/^(h|hr|hrs|hour|hours)$/, 3_600_000],
  [/^(m|min|mins|minute|minutes)$/, 60_000],
  [/^(s|sec|secs|second|seconds)$/, 1000],
];

/** Milliseconds for "2 days", "4h", "1 day 6 hours", "1.5 hours"; null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const s = text
    .trim()
    .toLowerCase()
    .replace(/,|\band\b/g, " ");
  if (s === "") return null;
  const part = /(\d+(?:\.\d+)?)\s*([a-z]+)/g;
  let total = 0;
  let matched = "";
  for (const m of s.matchAll(part)) {
    const unit = UNITS.find(([re]) => re.test(m[2]!));
    if (!unit) return null;
    total += Number(m[1]) * unit[1];
    matched += m[0];
  }
  // everything but spaces must have been read as "<number> <unit>" pairs
  if (matched.replace(/\s+/g, "") !== s.replace(/\s+/g, "")) return null;
  return total > 0 ? Math.round(total) : null;
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;

/** "2 days", "1 day 6 hours", "90 minutes" → as short as it stays exact (to the second). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return "";
  const parts: string[] = [];
  let rest = Math.round(ms / 1000) * 1000;
  for (const [unit, size] of [
    ["day", 86_400_000],
    ["hour", 3_600_000],
    ["minute", 60_000],
    ["second", 1000],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(plural(n, unit));
    rest -= n * size;
  }
  return parts.join(" ") || plural(Math.round(ms / 1000), "second");
}
