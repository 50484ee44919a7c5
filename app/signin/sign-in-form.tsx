"use client";
import { signIn } from "next-auth/react";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";

export function SignInForm({
  callbackUrl,
  initialError,
  oidc,
}: {
  callbackUrl: string;
  initialError: string | null;
  oidc: boolean;
}) {
  const [error, setError] = useState<string | null>(initialError);
  const [pending, setPending] = useState(false);
  const errorRef = useRef<HTMLParagraphElement>(null);
  // Until React has hydrated, a native submit would send the password in a URL: keep the
  // button disabled (and the form method POST) until the handler is attached.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      const result = await signIn("credentials", {
        email: String(form.get("email") ?? ""),
        password: String(form.get("password") ?? ""),
        redirect: false,
        callbackUrl,
      });
      if (!result || result.error) {
        const message =
          !result || result.error === "CredentialsSignin" ? "Email or password is incorrect" : result.error;
        setError(message ?? "Email or password is incorrect");
        setPending(false);
        requestAnimationFrame(() => errorRef.current?.focus());
        return;
      }
      // A full navigation, so every server component renders with the new session.
      window.location.assign(callbackUrl);
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
      setPending(false);
    }
  }

  return (
    <div className="space-y-5">
      <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
        {error ? (
          <p
            ref={errorRef}
            tabIndex={-1}
            role="alert"
            className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800"
          >
            {error}
          </p>
        ) : null}
        <Field label="Email">
          <Input name="email" type="email" autoComplete="username" required />
        </Field>
        <Field label="Password">
          <Input name="password" type="password" autoComplete="current-password" required />
        </Field>
        <Button type="submit" className="w-full" loading={pending} disabled={!hydrated}>
          Sign in
        </Button>
      </form>
      {oidc ? (
        <>
          <div className="flex items-center gap-3 text-xs text-slate-500">
            <span className="h-px flex-1 bg-slate-200" />
            or
            <span className="h-px flex-1 bg-slate-200" />
          </div>
          <Button variant="secondary" className="w-full" onClick={() => signIn("oidc", { callbackUrl })}>
            Sign in with single sign-on
          </Button>
        </>
      ) : null}
    </div>
  );
}
