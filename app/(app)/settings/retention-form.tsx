"use client";
// "Keep run history for N days": empty keeps runs forever. Pruned runs leave their daily
// aggregates behind, so the dashboard's totals and step charts for old ranges stay.
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { useFormAction } from "@/components/settings/settings-list-section";
import { Button } from "@/components/ui/button";
import { Field, fieldError } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { setRetentionAction } from "./actions";

export function RetentionForm({ retentionDays, canEdit }: { retentionDays: number | null; canEdit: boolean }) {
  const { error, setError, pending, setPending } = useFormAction();
  const toast = useToast();
  const router = useRouter();

  if (!canEdit) {
    return (
      <dl>
        <dt className="text-sm font-medium text-slate-800">Run history</dt>
        <dd className="mt-1 text-sm text-slate-700">
          {retentionDays === null ? "Kept forever" : `Kept for ${retentionDays} days`}
        </dd>
      </dl>
    );
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const raw = String(new FormData(event.currentTarget).get("retentionDays") ?? "").trim();
    setPending(true);
    const result = await setRetentionAction({ retentionDays: raw === "" ? null : Number(raw) });
    setPending(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setError(null);
    const days = result.data.retentionDays;
    toast.show(days === null ? "Run history is kept forever." : `Run history is kept for ${days} days.`, "success");
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3" noValidate>
      <Field
        label="Keep run history for N days"
        hint="Leave empty to keep every run. Older finished runs are deleted about once a day; the dashboard keeps their totals."
        error={
          fieldError(error?.fieldErrors, "retentionDays") ?? (error && !error.fieldErrors ? error.message : undefined)
        }
        className="min-w-64 flex-1"
      >
        <Input
          name="retentionDays"
          type="number"
          inputMode="numeric"
          min={1}
          max={3650}
          step={1}
          defaultValue={retentionDays ?? ""}
          placeholder="Forever"
        />
      </Field>
      <Button type="submit" loading={pending}>
        Save retention
      </Button>
    </form>
  );
}
