"use server";
// Deciding through a signed link: POST only (a server action), never on GET.
import { type Issue, toAppError } from "@/lib/contracts/app-errors";
import { serverContext } from "@/lib/server/context";
import { decideWithLink } from "@/lib/use-cases/approvals";

export type LinkActionState = {
  ok: boolean;
  message: string;
  fieldErrors?: Issue[];
} | null;

export async function decideWithLinkAction(_prev: LinkActionState, form: FormData): Promise<LinkActionState> {
  const decision = form.get("decision");
  const token = form.get("token");
  const reason = form.get("reason");
  try {
    const { approvals } = await serverContext().host();
    const outcome = await decideWithLink(approvals, approvals.linkSecret, {
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
