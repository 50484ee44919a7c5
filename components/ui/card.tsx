import type { HTMLAttributes } from "react";
import { cn } from "./cn";
import { HeadingRow, type HeadingRowProps } from "./heading-row";

export function Card({ className, ...rest }: HTMLAttributes<HTMLElement>) {
  return <section className={cn("rounded-lg border border-slate-200 bg-white p-5", className)} {...rest} />;
}

/** A card's h2 with an optional description and actions on the right (PageHeader is the h1 twin). */
export function CardHeader(props: HeadingRowProps) {
  return <HeadingRow level={2} {...props} />;
}
