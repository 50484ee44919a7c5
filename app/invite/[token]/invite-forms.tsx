"use client";
// The two ways to accept an invitation (see page.tsx): consent when signed in, or a new account.
import Link from "next/link";
import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, fieldError } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { acceptInvitationAction, createAccountAction, type InviteActionState } from "./actions";

export function AcceptInvitationForm({ token }: { token: string }) {
  const [state, action, pending] = useActionState<InviteActionState, FormData>(acceptInvitationAction, null);
  if (state?.ok) {
    return (
      <div role="status" className="space-y-2 rounded border border-emerald-300 bg-emerald-50 p-3 text-emerald-900">
        <p>{state.message}</p>
        {/* a full page load: the shell reads the workspace again */}
        <a href="/" className="text-blue-700 hover:underline">
          Open the workspace
        </a>
      </div>
    );
  }
  return (
    <form action={action} className="space-y-3">
      <input type="hidden" name="token" value={token} />
      {state && !state.ok ? <Alert>{state.message}</Alert> : null}
      <Button type="submit" loading={pending}>
        Accept invitation
      </Button>
    </form>
  );
}

export function CreateAccountForm({ token, email }: { token: string; email: string }) {
  const [state, action, pending] = useActionState<InviteActionState, FormData>(createAccountAction, null);
  if (state?.ok) {
    return (
      <div role="status" className="space-y-2 rounded border border-emerald-300 bg-emerald-50 p-3 text-emerald-900">
        <p>{state.message}</p>
        <Link href="/signin" className="text-blue-700 hover:underline">
          Sign in
        </Link>
      </div>
    );
  }
  const fields = state?.fieldErrors;
  const general = state && !state.ok && !fields?.some((f) => f.path === "name" || f.path === "password");
  return (
    <form action={action} className="space-y-3" noValidate>
      <input type="hidden" name="token" value={token} />
      {general ? <Alert>{state?.message}</Alert> : null}
      <Field label="Email">
        <Input name="email" type="email" value={email} readOnly autoComplete="username" />
      </Field>
      <Field label="Your name" error={fieldError(fields, "name")}>
        <Input name="name" required autoComplete="name" />
      </Field>
      <Field label="Choose a password" hint="At least 12 characters." error={fieldError(fields, "password")}>
        <Input name="password" type="password" required autoComplete="new-password" />
      </Field>
      <Button type="submit" loading={pending}>
        Create account and join
      </Button>
    </form>
  );
}
