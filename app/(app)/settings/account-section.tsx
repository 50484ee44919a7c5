"use client";
// Your account: change your password. The current one is required; your other sessions (other
// browsers, other devices) end at once, this one stays signed in.
import type { FormEvent } from "react";
import { useFormAction } from "@/components/settings/settings-list-section";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, fieldError } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { changePasswordAction } from "./actions";

export function ChangePasswordForm({ minLength }: { minLength: number }) {
  const { error, setError, pending, setPending, general } = useFormAction();
  const toast = useToast();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    setPending(true);
    const result = await changePasswordAction({
      currentPassword: data.get("currentPassword"),
      newPassword: data.get("newPassword"),
    });
    setPending(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setError(null);
    form.reset();
    const n = result.data.otherSessionsEnded;
    toast.show(`Password changed.${n > 0 ? ` ${n} other session${n === 1 ? "" : "s"} signed out.` : ""}`, "success");
  }

  return (
    <form onSubmit={onSubmit} className="max-w-md space-y-4" noValidate aria-label="Change password">
      {general ? <Alert>{general}</Alert> : null}
      <Field label="Current password" error={fieldError(error?.fieldErrors, "currentPassword")}>
        <Input name="currentPassword" type="password" required autoComplete="current-password" />
      </Field>
      <Field
        label="New password"
        hint={`At least ${minLength} characters. Your other sessions are signed out.`}
        error={fieldError(error?.fieldErrors, "newPassword")}
      >
        <Input name="newPassword" type="password" required autoComplete="new-password" />
      </Field>
      <Button type="submit" loading={pending}>
        Change password
      </Button>
    </form>
  );
}
