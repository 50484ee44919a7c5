// Adapts the engine to the decision service. engine.decide(approvalId, …) commits the decision
// (single-use, in the run store) and then carries the run on until it pauses or ends, which can
// take a while (agents). The inbox, the API and links should answer as soon as the decision is
// committed, so this adapter starts engine.decide and resolves when either it settles (errors
// come out before anything is written) or the approval is no longer pending; the run keeps going
// in the background. Who actually won is checked by the service afterwards.
import { isApprovalNotPendingError, isInputValidationError } from "@/lib/contracts/errors";
import type { ApprovalEngine } from "../use-cases/approvals/deps";

type EngineLike = {
  decide(
    approvalId: string,
    input: { decision: "approve" | "reject"; comment?: string | null; data?: unknown; by: string | null },
  ): Promise<unknown>;
};

type StatusReader = (approvalId: string) => Promise<string | null>;

export function decideWithoutWaitingForTheRun(
  engine: EngineLike,
  readStatus: StatusReader,
  options: { onRunError?: (error: unknown) => void; maxWaitMs?: number } = {},
): ApprovalEngine {
  return {
    async decide(approvalId, input) {
      let settled = false;
      const running = engine
        .decide(approvalId, {
          decision: input.decision,
          comment: input.comment ?? null,
          ...(input.data !== undefined ? { data: input.data } : {}),
          by: input.by ?? null,
        })
        .finally(() => {
          settled = true;
        });
      const committed = (async () => {
        const started = Date.now();
        let delay = 1;
        while (!settled && Date.now() - started < (options.maxWaitMs ?? 30_000)) {
          const status = await readStatus(approvalId);
          if (status !== "pending") return;
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, 25);
        }
        // engine.decide settled (or we waited long enough): let its outcome speak.
        await running;
      })();
      running.catch(() => {});
      committed.catch(() => {});
      try {
        await Promise.race([running, committed]);
      } catch (error) {
        // Refusals come before anything is written; pass them on. Anything else that fails after
        // the decision was committed is the run's failure (stored on the run), not the decision's.
        if (
          isApprovalNotPendingError(error) ||
          isInputValidationError(error) ||
          (error as { code?: string })?.code === "not_found"
        )
          throw error;
        if ((await readStatus(approvalId)) === "pending") throw error;
        options.onRunError?.(error);
        return;
      }
      // The run goes on; its failures belong to the run (stored there), not to this decision.
      running.catch((error) => options.onRunError?.(error));
    },
  };
}
