// The settings sections as a tab bar. Everyone sees the workspace page, budgets and MCP servers
// (each page says what a role may change there); admins also see the outbound-call settings
// (model providers and prices, credentials, network egress).
import Link from "next/link";
import { cn } from "@/components/ui/cn";

export const SETTINGS_SECTIONS = [
  { href: "/settings", label: "Workspace", adminOnly: false },
  { href: "/settings/budgets", label: "Budgets", adminOnly: false },
  { href: "/settings/mcp", label: "MCP servers", adminOnly: false },
  { href: "/settings/models", label: "Models", adminOnly: true },
  { href: "/settings/credentials", label: "Credentials", adminOnly: true },
  { href: "/settings/egress", label: "Network egress", adminOnly: true },
] as const;

export function SettingsNav({
  current,
  admin = true,
}: {
  current: (typeof SETTINGS_SECTIONS)[number]["href"];
  /** false: only the sections every member can open */
  admin?: boolean;
}) {
  return (
    <nav aria-label="Settings sections" className="mb-6 border-b border-slate-200">
      <ul className="-mb-px flex flex-wrap gap-1">
        {SETTINGS_SECTIONS.filter((s) => admin || !s.adminOnly).map((s) => (
          <li key={s.href}>
            <Link
              href={s.href}
              aria-current={s.href === current ? "page" : undefined}
              className={cn(
                "inline-block border-b-2 px-3 py-2 text-sm font-medium",
                s.href === current
                  ? "border-slate-900 text-slate-900"
                  : "border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900",
              )}
            >
              {s.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** "set · last used 3 days ago" — what pages show of a secret. */
export function lastUsedText(lastUsedAt: string | null, now = Date.now()): string {
  if (!lastUsedAt) return "set · never used";
  const ms = now - new Date(lastUsedAt).getTime();
  const min = Math.round(ms / 60_000);
  if (min < 2) return "set · last used just now";
  if (min < 60) return `set · last used ${min} minutes ago`;
  const h = Math.round(min / 60);
  if (h < 48) return `set · last used ${h} hour${h === 1 ? "" : "s"} ago`;
  return `set · last used ${Math.round(h / 24)} days ago`;
}
