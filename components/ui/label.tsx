import type { LabelHTMLAttributes } from "react";
import { cn } from "./cn";

export function Label({ className, children, ...rest }: LabelHTMLAttributes<HTMLLabelElement>) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: callers pass htmlFor (Field always does)
    <label className={cn("block text-sm font-medium text-slate-800", className)} {...rest}>
      {children}
    </label>
  );
}
