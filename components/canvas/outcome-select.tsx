"use client";
// "From outcome": which outcome of the step before a new edge follows (the palette's "add after"
// and "Connect to…"). Shown only when the step has more than one outcome.
import type { Outcome } from "@/lib/canvas/types";

export function OutcomeSelect({
  outcomes,
  value,
  onChange,
  labelClassName,
  selectClassName,
}: {
  outcomes: readonly Outcome[];
  value: string | null;
  onChange(handle: string | null): void;
  labelClassName: string;
  selectClassName: string;
}) {
  if (outcomes.length <= 1) return null;
  return (
    <label className={labelClassName}>
      From outcome
      <select className={selectClassName} value={value ?? ""} onChange={(e) => onChange(e.target.value || null)}>
        {outcomes.map((o) => (
          <option key={o.handle ?? ""} value={o.handle ?? ""}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}
