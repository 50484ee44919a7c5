"use server";
// Deciding through a signed link: POST only (a server action), never on GET.
import { approvalDeps, linkSecret } from "@/lib/approvals/app";
import { decideWithLink } from "@/lib/approvals/links";
import { getDb } from "@/lib/db/client";
import { toAppError } from "@/lib/server/errors";

export type LinkActionState = {
  ok: boolean;
  message: string;
  fieldErrors?: { path: string; message: string }[];
} | null;

export async function decideWithLinkAction(_prev: LinkActionState, form: FormData): Promise<LinkActionState> {
  const decision = form.get("decision");
  const token = form.get("token");
  const reason = form.get("reason");
  try {
    const db = await getDb();
    const outcome = await decideWithLink(await approvalDeps(db), linkSecret(), {
      token: typeof token === "string" ? token : "",
      decision: decision === "reject" ? "reject" : "approve",
      ...(typeof reason === "string" && reason.trim() ? { reason: reason.trim() } : {}),
    });
    return {
      ok: true,
      message:
        outcome.status === "approved"
          ? "Approved. The run continues."
          : "Rejected. The run continues on its rejected path.",
    };
  } catch (error) {
    const appError = toAppError(error);
    return { ok: false, message: appError.message, fieldErrors: appError.fieldErrors };
  }
}
