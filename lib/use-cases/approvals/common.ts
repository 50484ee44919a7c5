// Shared by the approval use cases: who an actor is called, the policy resource of an approval,
// loading one within the actor's workspace, and the "already decided" refusal that says by whom.
import type { Actor } from "@/lib/auth/policy";
import { AppError, type Issue } from "@/lib/contracts/app-errors";
import { type ApprovalRow, deciderLabels, getApprovalRow, parseAssignees } from "@/lib/db/approvals";
import type { Db } from "@/lib/db/client";
import { apiKeyCreatorId, runOriginators, workspaceSeparationOfDuties } from "@/lib/db/separation";

export function actorLabel(actor: Actor): string {
  return actor.email || actor.name || actor.userId;
}

export function policyResource(row: ApprovalRow) {
  const { roles, userIds } = parseAssignees(row);
  return { workspaceId: row.workspaceId, assigneeRoles: roles, assigneeUserIds: userIds };
}

/** An approval of the actor's workspace; not_found:approval otherwise. */
export async function loadForActor(db: Db, actor: Actor, approvalId: string): Promise<ApprovalRow> {
  const row = await getApprovalRow(db, actor.workspaceId, approvalId);
  if (!row) throw new AppError("not_found:approval");
  return row;
}

/** invalid:approval naming the fields; the message names the first one (zod's or the engine's issues). */
export function invalidApproval(issues: Issue[], cause?: unknown): AppError {
  const first = issues[0];
  const field = first?.path.replace(/^data\.?/, "") ?? "";
  return new AppError("invalid:approval", {
    message: first ? (field ? `${field}: ${first.message}` : first.message) : undefined,
    fieldErrors: issues,
    cause,
  });
}

/** invalid:approval for a zod failure; the message is the first issue's own sentence. */
export function invalidInput(error: { issues: { path: PropertyKey[]; message: string }[] }): AppError {
  const fieldErrors = error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
  return new AppError("invalid:approval", { message: fieldErrors[0]?.message, fieldErrors });
}

export async function notPendingError(db: Db, row: Pick<ApprovalRow, "id" | "workspaceId">): Promise<AppError> {
  return alreadyDecided(db, await getApprovalRow(db, row.workspaceId, row.id));
}

/** conflict:approval saying who decided it and how (or not_found when it is gone). */
export async function alreadyDecided(db: Db, row: ApprovalRow | null, cause?: unknown): Promise<AppError> {
  if (!row) return new AppError("not_found:approval", { cause });
  let who = "the system (deadline)";
  if (row.decidedById) {
    const labels = await deciderLabels(db, [row.decidedById]);
    who =
      labels.get(row.decidedById) ??
      (row.decidedById.startsWith("apikey:") ? `API key “${row.decidedById.slice(7)}”` : row.decidedById);
  } else if (row.decision && typeof row.decision === "object" && "by" in row.decision && row.decision.by) {
    who = String(row.decision.by);
  }
  const what =
    row.status === "approved"
      ? "approved it"
      : row.status === "rejected"
        ? "rejected it"
        : row.status === "expired"
          ? "let it expire"
          : row.status === "cancelled"
            ? "cancelled it"
            : row.status;
  const when = row.decidedAt ? ` at ${row.decidedAt.toISOString()}` : "";
  const message =
    row.status === "cancelled"
      ? "This approval was cancelled (its run ended) and can no longer be decided."
      : `Already decided: ${who} ${what}${when}.`;
  return new AppError("conflict:approval", { message, cause });
}

/**
 * Why separation of duties keeps this actor from deciding the approval, or null when it does not
 * (the setting is off, or they neither started the run nor published its version).
 */
export async function separationOfDutiesBlock(
  db: Db,
  actor: Pick<Actor, "userId">,
  row: Pick<ApprovalRow, "workspaceId" | "runId">,
): Promise<string | null> {
  if (!(await workspaceSeparationOfDuties(db, row.workspaceId))) return null;
  const { startedBy, publishedBy } = await runOriginators(db, row.workspaceId, row.runId);
  // An API key decides on behalf of the member who created it.
  const person = actor.userId.startsWith("apikey:")
    ? await apiKeyCreatorId(db, row.workspaceId, actor.userId.slice("apikey:".length))
    : actor.userId;
  const rule = "This workspace requires separation of duties";
  if (person && startedBy.has(person))
    return `${rule}: you started this run, so someone else must decide its approvals.`;
  if (person && publishedBy.has(person))
    return `${rule}: you published the workflow version this run uses, so someone else must decide its approvals.`;
  return null;
}
