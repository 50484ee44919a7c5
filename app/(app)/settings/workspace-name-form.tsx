"use client";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { useFormAction } from "@/components/settings/settings-list-section";
import { Button } from "@/components/ui/button";
import { Field, fieldError } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { renameWorkspaceAction } from "./actions";

export function WorkspaceNameForm({ name, canEdit }: { name: string; canEdit: boolean }) {
  const { error, setError, pending, setPending } = useFormAction();
  const toast = useToast();
  const router = useRouter();

  if (!canEdit) {
    return (
      <dl>
        <dt className="text-sm font-medium text-slate-800">Workspace name</dt>
        <dd className="mt-1 text-sm text-slate-700">{name}</dd>
      </dl>
    );
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setPending(true);
    const result = await renameWorkspaceAction({ name: data.get("name") });
    setPending(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setError(null);
    toast.show(`Workspace renamed to “${result.data.name}”.`, "success");
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3" noValidate>
      <Field
        label="Workspace name"
        error={fieldError(error?.fieldErrors, "name") ?? (error && !error.fieldErrors ? error.message : undefined)}
        className="min-w-64 flex-1"
      >
        <Input name="name" defaultValue={name} maxLength={100} required />
      </Field>
      <Button type="submit" loading={pending}>
        Save name
      </Button>
    </form>
  );
}
