import type { ReactNode } from "react";
import { HeadingRow, type HeadingRowProps } from "@/components/ui/heading-row";

/** The top of a page: one h1, an optional line of description, actions on the right (CardHeader is the h2 twin). */
export function PageHeader(props: HeadingRowProps) {
  return <HeadingRow level={1} {...props} />;
}

/** The standard page container below the header. */
export function PageBody({ children, wide = false }: { children: ReactNode; wide?: boolean }) {
  return <div className={wide ? "px-4 py-6 sm:px-6" : "mx-auto max-w-6xl px-4 py-6 sm:px-6"}>{children}</div>;
}
