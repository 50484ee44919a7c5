// The error paths of a guarded write inside a transaction: when the fence or the pending-status
// guard matched no row, read the row to say why, then throw (which rolls the transaction back).
import { ApprovalNotPendingError, FencedError, NotFoundError } from "@/lib/contracts/errors";
import type { Lease } from "@/lib/contracts/ports";
import { andThen, type TxExec } from "../sql-exec";
import type { RunStoreContext } from "./context";

/** Inside the failed commit's transaction: read the current fence for the error, then throw. */
export function fenced(ctx: RunStoreContext, exec: TxExec, lease: Lease): never | Promise<never> {
  return andThen(
    exec.all({ sql: `SELECT "fence" FROM ${ctx.statements.t("Run")} WHERE "id" = ?`, params: [lease.runId] }),
    (rows) => {
      throw new FencedError(lease.runId, lease.fence, rows.length ? Number(rows[0].fence) : undefined);
    },
  ) as never;
}

/** Inside the failed transaction: the approval is gone (NotFoundError) or already decided. */
export function notPending(ctx: RunStoreContext, exec: TxExec, approvalId: string): never | Promise<never> {
  return andThen(
    exec.all({
      sql: `SELECT "status", "decidedById", "decidedAt" FROM ${ctx.statements.t("Approval")} WHERE "id" = ?`,
      params: [approvalId],
    }),
    (rows) => {
      if (rows.length === 0) throw new NotFoundError(`Approval ${approvalId} does not exist.`);
      const r = rows[0];
      throw new ApprovalNotPendingError(
        approvalId,
        String(r.status),
        (r.decidedById as string | null) ?? null,
        ctx.decode.date(r.decidedAt),
      );
    },
  ) as never;
}
