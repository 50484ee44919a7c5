import type { ReactNode } from "react";
import { cn } from "./cn";

/** What a first-time user sees where a list is empty: what this is and what to do next. */
export function EmptyState({
  title,
  description,
  action,
  className,
  headingLevel = 2,
}: {
  title: string;
  description?: ReactNode;
  action?: ReactNode;
  className?: string;
  headingLevel?: 1 | 2 | 3;
}) {
  const Heading = (["h1", "h2", "h3"] as const)[headingLevel - 1] ?? "h2";
  return (
    <div className={cn("rounded-lg border border-dashed border-slate-300 bg-white px-6 py-10 text-center", className)}>
      <Heading className="text-base font-semibold text-slate-900">{title}</Heading>
      {description ? <div className="mx-auto mt-2 max-w-md text-sm text-slate-600">{description}</div> : null}
      {action ? <div className="mt-5 flex justify-center gap-3">{action}</div> : null}
    </div>
  );
}
