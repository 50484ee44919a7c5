"use client";
// Workflow and age filters of the inbox; they live in the URL so a filtered inbox can be linked.
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Field } from "@/components/ui/field";
import { Select } from "@/components/ui/select";

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
    <div className="flex flex-wrap items-end gap-4">
      <Field id="inbox-filter-workflow" label="Workflow" className="w-64">
        <Select value={workflow} onChange={(e) => set("workflow", e.target.value)}>
          <option value="">All workflows</option>
          {workflows.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name}
            </option>
          ))}
        </Select>
      </Field>
      <Field id="inbox-filter-age" label="Waiting at least" className="w-48">
        <Select value={age} onChange={(e) => set("age", e.target.value)}>
          <option value="">Any age</option>
          <option value="1h">1 hour</option>
          <option value="1d">1 day</option>
          <option value="7d">7 days</option>
        </Select>
      </Field>
    </div>
  );
}
