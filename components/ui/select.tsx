import type { Ref, SelectHTMLAttributes } from "react";
import { cn } from "./cn";
import { controlClass } from "./input";

/** A native select (keyboard and screen-reader behaviour for free), styled like Input. */
export function Select({
  className,
  children,
  ...rest
}: SelectHTMLAttributes<HTMLSelectElement> & { ref?: Ref<HTMLSelectElement> }) {
  return (
    <select className={cn(controlClass, "h-10 pr-8", className)} {...rest}>
      {children}
    </select>
  );
}
