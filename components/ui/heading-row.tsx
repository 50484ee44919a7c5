import type { ReactNode } from "react";
import { cn } from "./cn";

// The title row of a page (h1, PageHeader) and of a card (h2, CardHeader): a heading with an
// optional description under it, actions on the right.
const LEVELS = {
  1: {
    row: "mb-6 items-end gap-4",
    title: "text-2xl",
    description: "max-w-2xl",
    actions: "flex-wrap",
  },
  2: {
    row: "mb-4 items-start gap-3",
    title: "text-base",
    description: undefined,
    actions: undefined,
  },
} as const;

export type HeadingRowProps = {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
  /** id of the heading, for a surrounding aria-labelledby */
  id?: string;
};

export function HeadingRow({ level, title, description, actions, id }: HeadingRowProps & { level: 1 | 2 }) {
  const style = LEVELS[level];
  const Heading = level === 1 ? "h1" : "h2";
  return (
    <div className={cn("flex flex-wrap justify-between", style.row)}>
      <div>
        <Heading id={id} className={cn(style.title, "font-semibold text-slate-900")}>
          {title}
        </Heading>
        {description ? <p className={cn("mt-1 text-sm text-slate-600", style.description)}>{description}</p> : null}
      </div>
      {actions ? <div className={cn("flex gap-2", style.actions)}>{actions}</div> : null}
    </div>
  );
}
