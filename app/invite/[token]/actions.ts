"use server";
// Accepting an invitation (POST only: server actions; opening the link changes nothing).
//   - acceptInvitationAction: the signed-in person consents; their account's e-mail must be the invited one.
//   - createAccountAction: a new person sets a name and a password; the account and membership are created.
// Neither needs a workspace role: the unguessable, single-use token is the authority, and the use
// case validates everything with zod (lib/use-cases/settings/invitations.ts).
import { type Issue, toAppError } from "@/lib/contracts/app-errors";
import { serverContext } from "@/lib/server/context";
import { getActor } from "@/lib/server/session";
import { acceptInvitationAsNewUser, acceptInvitationAsUser } from "@/lib/use-cases/settings";

export type InviteActionState = { ok: boolean; message: string; email?: string; fieldErrors?: Issue[] } | null;

function tokenOf(form: FormData): string {
  const token = form.get("token");
  return typeof token === "string" ? token.slice(0, 200) : "";
}

export async function acceptInvitationAction(_prev: InviteActionState, form: FormData): Promise<InviteActionState> {
  try {
    const actor = await getActor();
    if (actor?.via !== "session") return { ok: false, message: "Sign in first to accept the invitation." };
    const db = await serverContext().db();
    const joined = await acceptInvitationAsUser(
      db,
      { userId: actor.userId, email: actor.email, sessionId: actor.sessionId },
      tokenOf(form),
    );
    return { ok: true, message: `You joined the workspace as ${joined.role}.` };
  } catch (error) {
    const e = toAppError(error);
    return { ok: false, message: e.message, fieldErrors: e.fieldErrors };
  }
}

export async function createAccountAction(_prev: InviteActionState, form: FormData): Promise<InviteActionState> {
  try {
    const db = await serverContext().db();
    const created = await acceptInvitationAsNewUser(db, {
      token: tokenOf(form),
      name: String(form.get("name") ?? ""),
      password: String(form.get("password") ?? ""),
    });
    return { ok: true, message: "Your account is ready. Sign in to continue.", email: created.email };
  } catch (error) {
    const e = toAppError(error);
    return { ok: false, message: e.message, fieldErrors: e.fieldErrors };
  }
}
