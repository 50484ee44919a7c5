import type { LiveStepStatus } from "@/lib/canvas/run-state";

export function Icon({ path, size = 16, className }: { path: string; size?: number; className?: string }) {
  return (
    <svg
      aria-hidden="true"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      className={className}
    >
      {path.split(/ (?=M)/).map((d) => (
        <path key={d} d={d} />
      ))}
    </svg>
  );
}

export const STATUS_META: Record<LiveStepStatus, { label: string; icon: string; className: string }> = {
  pending: { label: "Pending", icon: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20z", className: "text-slate-500" },
  running: { label: "Running", icon: "M21 12a9 9 0 1 1-6.2-8.6", className: "text-blue-700" },
  waiting: {
    label: "Waiting",
    icon: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20z M12 6v6l4 2",
    className: "text-amber-700",
  },
  succeeded: { label: "Succeeded", icon: "M20 6 9 17l-5-5", className: "text-green-700" },
  failed: { label: "Failed", icon: "M18 6 6 18 M6 6l12 12", className: "text-red-700" },
  skipped: { label: "Skipped", icon: "M5 12h14", className: "text-slate-500" },
  cancelled: {
    label: "Cancelled",
    icon: "M4.9 4.9l14.2 14.2 M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20z",
    className: "text-slate-600",
  },
};

export const ICONS = {
  undo: "M9 14 4 9l5-5 M4 9h11a5 5 0 0 1 0 10h-4",
  redo: "M15 14l5-5-5-5 M20 9H9a5 5 0 0 0 0 10h4",
  plus: "M12 5v14 M5 12h14",
  layout: "M3 3h7v7H3z M14 3h7v7h-7z M14 14h7v7h-7z M3 14h7v7H3z",
  search: "M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16z M21 21l-4.3-4.3",
  play: "M6 3l14 9-14 9V3z",
  stop: "M6 6h12v12H6z",
  warning: "M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z M12 9v4 M12 17h.01",
  check: "M20 6 9 17l-5-5",
  history: "M3 12a9 9 0 1 0 3-6.7L3 8 M3 3v5h5 M12 7v5l4 2",
  close: "M18 6 6 18 M6 6l12 12",
};
