import type { HTMLAttributes, TdHTMLAttributes, ThHTMLAttributes } from "react";
import { cn } from "./cn";

/** A semantic table in a horizontally scrollable box (narrow screens); `label` becomes its caption. */
export function Table({ className, label, children, ...rest }: HTMLAttributes<HTMLTableElement> & { label?: string }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className={cn("w-full border-collapse text-left text-sm", className)} {...rest}>
        {label ? <caption className="sr-only">{label}</caption> : null}
        {children}
      </table>
    </div>
  );
}

export function THead(props: HTMLAttributes<HTMLTableSectionElement>) {
  return (
    <thead {...props} className={cn("bg-slate-50 text-xs uppercase tracking-wide text-slate-600", props.className)} />
  );
}

export function TBody(props: HTMLAttributes<HTMLTableSectionElement>) {
  return <tbody {...props} className={cn("divide-y divide-slate-100", props.className)} />;
}

export function TR(props: HTMLAttributes<HTMLTableRowElement>) {
  return <tr {...props} className={cn("align-top", props.className)} />;
}

export function TH({ scope = "col", ...props }: ThHTMLAttributes<HTMLTableCellElement>) {
  return <th scope={scope} {...props} className={cn("px-4 py-2.5 font-semibold", props.className)} />;
}

export function TD(props: TdHTMLAttributes<HTMLTableCellElement>) {
  return <td {...props} className={cn("px-4 py-2.5 text-slate-800", props.className)} />;
}
