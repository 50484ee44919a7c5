"use client";
// Workflow and age filters of the inbox; they live in the URL so a filtered inbox can be linked.
import { usePathname, useRouter, useSearchParams } from "next/navigation";

export function InboxFilters({
  workflows,
  workflow,
  age,
}: {
  workflows: { id: string; name: string }[];
  workflow: string;
  age: string;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  function set(key: string, value: string) {
    const params = new URLSearchParams(search.toString());
    if (value) params.set(key, value);
    else params.delete(key);
    const s = params.toString();
    router.push(s ? `${pathname}?${s}` : pathname);
  }
  return (
    <div className="flex flex-wrap items-end gap-4 text-sm">
      <label className="flex flex-col gap-1">
        <span className="text-zinc-600">Workflow</span>
        <select
          value={workflow}
          onChange={(e) => set("workflow", e.target.value)}
          className="rounded border border-zinc-300 px-2 py-1"
        >
          <option value="">All workflows</option>
          {workflows.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-1">
        <span className="text-zinc-600">Waiting at least</span>
        <select
          value={age}
          onChange={(e) => set("age", e.target.value)}
          className="rounded border border-zinc-300 px-2 py-1"
        >
          <option value="">Any age</option>
          <option value="1h">1 hour</option>
          <option value="1d">1 day</option>
          <option value="7d">7 days</option>
        </select>
      </label>
    </div>
  );
}
