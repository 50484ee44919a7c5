// The settings sections an admin can open: the workspace page and the outbound-call settings
// (model providers and prices, credentials, network egress). Others see only the workspace page.
import Link from "next/link";
import { cn } from "@/components/ui/cn";

const SECTIONS = [
  { href: "/settings", label: "Workspace" },
  { href: "/settings/models", label: "Models" },
  { href: "/settings/credentials", label: "Credentials" },
  { href: "/settings/egress", label: "Network egress" },
] as const;

export function SettingsNav({ current }: { current: (typeof SECTIONS)[number]["href"] }) {
  return (
    <nav aria-label="Settings sections" className="mb-6 border-b border-slate-200">
      <ul className="-mb-px flex flex-wrap gap-1">
        {SECTIONS.map((s) => (
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
