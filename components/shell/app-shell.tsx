// The signed-in frame: skip link, header with the logo (public/logo.svg) and the product name,
// navigation (Audit for admins only), the signed-in user with their role and a Sign out button.
// A horizontal header keeps the full width for the workflow canvas at laptop and tablet widths.
import Image from "next/image";
import Link from "next/link";
import type { ReactNode } from "react";
import { Badge } from "@/components/ui/badge";
import { type Actor, can } from "@/lib/auth/policy";
import { ROLE_LABELS } from "@/lib/auth/roles";
import { type NavItem, NavLinks } from "./nav-links";
import { SignOutButton } from "./sign-out-button";

export function navItemsFor(actor: Actor): NavItem[] {
  const items: NavItem[] = [
    { href: "/workflows", label: "Workflows" },
    { href: "/inbox", label: "Inbox", inbox: true },
    { href: "/runs", label: "Runs" },
    { href: "/dashboard", label: "Dashboard" },
    { href: "/settings", label: "Settings" },
  ];
  if (can(actor, "audit.read")) items.push({ href: "/audit", label: "Audit" });
  return items;
}

export function AppShell({
  actor,
  workspaceName,
  inboxCount,
  children,
}: {
  actor: Actor;
  workspaceName: string;
  inboxCount: number;
  children: ReactNode;
}) {
  return (
    <div className="flex min-h-screen flex-col">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-white px-3 py-2 text-sm font-medium text-blue-700 shadow focus:not-sr-only focus:fixed focus:top-2 focus:left-2"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="flex flex-wrap items-center gap-x-6 gap-y-2 px-4 py-2 lg:flex-nowrap">
          <Link href="/workflows" className="flex items-center gap-2 rounded-md py-1">
            <Image src="/logo.svg" alt="" width={24} height={24} unoptimized priority />
            <span className="text-base font-semibold text-slate-900">Switchboard</span>
            <span className="hidden text-sm text-slate-500 sm:inline">{workspaceName}</span>
          </Link>
          <nav aria-label="Main" className="order-3 w-full lg:order-none lg:w-auto lg:flex-1">
            <NavLinks items={navItemsFor(actor)} inboxCount={inboxCount} />
          </nav>
          <div className="ml-auto flex items-center gap-3">
            <p className="text-right text-sm leading-tight">
              <span className="block font-medium text-slate-900">{actor.name}</span>
              <span className="block text-xs text-slate-500">
                <span className="sr-only">Signed in as {actor.email}, role: </span>
                <Badge tone={actor.role === "admin" ? "info" : "neutral"} data-testid="current-role">
                  {ROLE_LABELS[actor.role]}
                </Badge>
              </span>
            </p>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="flex-1 outline-none">
        {children}
      </main>
    </div>
  );
}
