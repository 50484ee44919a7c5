import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { safeCallbackPath } from "@/lib/auth/callback";
import { oidcConfigured } from "@/lib/auth/options";
import { getActor } from "@/lib/server/session";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

// next-auth redirects here with ?error=<code> after a failed OIDC round trip.
const OAUTH_ERRORS: Record<string, string> = {
  AccessDenied: "Your account is not a member of any workspace here. Ask an admin to add you.",
  OAuthSignin: "Single sign-on could not start. Try again or use your password.",
  OAuthCallback: "Single sign-on did not complete. Try again or use your password.",
  Callback: "Sign-in did not complete. Try again.",
  SessionRequired: "Sign in to continue.",
};

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  // no page asked for: "/" sends the member to their role's home (the Inbox for an approver)
  const callbackUrl = safeCallbackPath(typeof params.callbackUrl === "string" ? params.callbackUrl : undefined, "/");
  if (await getActor()) redirect(callbackUrl);
  const errorCode = typeof params.error === "string" ? params.error : undefined;
  const initialError = errorCode ? (OAUTH_ERRORS[errorCode] ?? null) : null;
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 text-center">
          <p className="text-sm font-semibold tracking-wide text-blue-700 uppercase">Switchboard</p>
          <h1 className="mt-2 text-2xl font-semibold text-slate-900">Sign in to your workspace</h1>
        </div>
        <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
          <SignInForm callbackUrl={callbackUrl} initialError={initialError} oidc={oidcConfigured()} />
        </div>
        <p className="mt-6 text-center text-xs text-slate-500">
          First start? The demo accounts and their one-time passwords are in <code>data/first-run.json</code>.
        </p>
      </div>
    </main>
  );
}
