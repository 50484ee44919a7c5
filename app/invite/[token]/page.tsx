// /invite/<token>: an invitation to a workspace. Opening it only shows what it is (mail scanners
// prefetch links); accepting is a button press (a POST). Signed in as the invited e-mail: accept
// (consent). Not signed in: a new person sets a name and a password, or someone with an account
// signs in and comes back here. A used, revoked, expired or unknown link says so.
import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { ROLE_LABELS } from "@/lib/auth/roles";
import { serverContext } from "@/lib/server/context";
import { getActor } from "@/lib/server/session";
import { describeInvitation } from "@/lib/use-cases/settings";
import { AcceptInvitationForm, CreateAccountForm } from "./invite-forms";

export const metadata: Metadata = { title: "Invitation", referrer: "no-referrer", robots: "noindex" };
export const dynamic = "force-dynamic";

const CLOSED: Record<string, string> = {
  accepted: "This invitation was already used.",
  revoked: "This invitation was revoked. Ask an admin for a new one.",
  expired: "This invitation expired. Ask an admin for a new one.",
};

export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const token = decodeURIComponent((await params).token);
  const db = await serverContext().db();
  const invitation = await describeInvitation(db, token);
  const actor = await getActor();
  const here = `/invite/${encodeURIComponent(token)}`;

  let body: ReactNode;
  if (invitation?.status !== "pending") {
    body = (
      <>
        <h1 className="text-2xl font-semibold text-slate-900">Invitation not usable</h1>
        <p role="status">{invitation ? CLOSED[invitation.status] : "This invitation link is not valid."}</p>
        <p className="text-sm text-slate-600">Nothing was changed.</p>
      </>
    );
  } else {
    const what = (
      <p>
        You are invited to join <strong>{invitation.workspaceName}</strong> as{" "}
        <strong>{ROLE_LABELS[invitation.role]}</strong> ({invitation.email}).
      </p>
    );
    body = (
      <>
        <h1 className="text-2xl font-semibold text-slate-900">Join {invitation.workspaceName}</h1>
        {what}
        {actor ? (
          actor.email.toLowerCase() === invitation.email.toLowerCase() ? (
            <AcceptInvitationForm token={token} />
          ) : (
            <p role="status" className="rounded border border-amber-300 bg-amber-50 p-3 text-sm">
              You are signed in as {actor.email}, but this invitation is for {invitation.email}. Sign out, then open
              this link again.
            </p>
          )
        ) : (
          <>
            <section aria-labelledby="have-account-h" className="space-y-2">
              <h2 id="have-account-h" className="font-semibold">
                Already have an account here?
              </h2>
              <Link href={`/signin?callbackUrl=${encodeURIComponent(here)}`} className="text-blue-700 hover:underline">
                Sign in to accept
              </Link>
            </section>
            <section aria-labelledby="new-account-h" className="space-y-2">
              <h2 id="new-account-h" className="font-semibold">
                New here? Create your account
              </h2>
              <CreateAccountForm token={token} email={invitation.email} />
            </section>
          </>
        )}
        <p className="text-xs text-slate-500">The link works once and expires {invitation.expiresAt.toUTCString()}.</p>
      </>
    );
  }
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-md space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <p className="text-sm font-semibold tracking-wide text-blue-700 uppercase">Switchboard</p>
        {body}
      </div>
    </main>
  );
}
