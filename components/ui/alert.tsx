import type { HTMLAttributes } from "react";
import { cn } from "./cn";

export type AlertTone = "info" | "success" | "warning" | "danger";

const TONES: Record<AlertTone, string> = {
  info: "border-blue-200 bg-blue-50 text-blue-900",
  success: "border-green-200 bg-green-50 text-green-900",
  warning: "border-amber-200 bg-amber-50 text-amber-900",
  danger: "border-red-200 bg-red-50 text-red-800",
};

/** The tinted box of an Alert, for panels that are not messages (e.g. a section about a failed check). */
export function alertClass(tone: AlertTone = "danger", extra?: string): string {
  return cn("rounded-md border", TONES[tone], extra);
}

/**
 * A message box. Danger is role="alert" (read out at once); the other tones are role="status"
 * (read out politely). Pass `role` to override.
 */
export function Alert({
  tone = "danger",
  role,
  className,
  ...rest
}: HTMLAttributes<HTMLDivElement> & { tone?: AlertTone }) {
  return (
    <div
      role={role ?? (tone === "danger" ? "alert" : "status")}
      className={alertClass(tone, cn("px-3 py-2 text-sm", className))}
      {...rest}
    />
  );
}
