"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/components/ui/cn";
import { InboxCount, useInboxCount } from "./inbox-badge";

export type NavItem = { href: string; label: string; inbox?: boolean };

export function isActive(pathname: string, href: string): boolean {
  return pathname === href || pathname.startsWith(`${href}/`);
}

export function NavLinks({ items, inboxCount }: { items: NavItem[]; inboxCount: number }) {
  const pathname = usePathname() ?? "";
  const count = useInboxCount(inboxCount);
  return (
    <ul className="flex flex-wrap items-center gap-1">
      {items.map((item) => {
        const active = isActive(pathname, item.href);
        const label = item.inbox && count > 0 ? `${item.label}, ${count} waiting for you` : item.label;
        return (
          <li key={item.href}>
            <Link
              href={item.href}
              aria-current={active ? "page" : undefined}
              aria-label={item.inbox ? label : undefined}
              className={cn(
                "inline-flex h-9 items-center rounded-md px-3 text-sm font-medium",
                active ? "bg-slate-900 text-white" : "text-slate-700 hover:bg-slate-100 hover:text-slate-900",
              )}
            >
              {item.label}
              {item.inbox ? <InboxCount count={count} /> : null}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
