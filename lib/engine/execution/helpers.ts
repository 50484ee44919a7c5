/** Pure helpers of a run's execution (no state). */

import { TimeoutError } from "@/lib/contracts/errors";
import type { Clock, RunStatus, StepRecord } from "@/lib/contracts/ports";
import type { CompiledNode } from "../compiled";

export const stepKey = (nodeId: string, visit: number, attempt: number) => `${nodeId}\u0000${visit}\u0000${attempt}`;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function dur(step: StepRecord, now: Date) {
  return now.getTime() - step.startedAt.getTime();
}

export function round(n: number) {
  return Math.round(n * 1e8) / 1e8;
}

export function isTerminal(s: RunStatus): boolean {
  return s === "succeeded" || s === "failed" || s === "cancelled";
}

/** Backoff for the next attempt; a provider's Retry-After wins when given. */
export function retryDelay(
  node: Pick<CompiledNode, "backoffMs" | "factor" | "maxBackoffMs">,
  attemptsUsed: number,
  error: unknown,
): number {
  const retryAfter = (error as { retryAfterMs?: number }).retryAfterMs;
  if (typeof retryAfter === "number" && retryAfter >= 0) return Math.min(retryAfter, 3_600_000);
  const raw = node.backoffMs * node.factor ** Math.max(0, attemptsUsed - 1);
  return Math.min(Math.round(raw), node.maxBackoffMs);
}

/**
 * `call`, or a TimeoutError naming the step once `ms` have passed on the clock: the step's
 * controller is aborted with that error, so the executor's request is cancelled too.
 */
export function withTimeLimit<T>(
  clock: Clock,
  call: Promise<T>,
  ms: number,
  controller: AbortController,
  stepName: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = new AbortController();
    clock.sleep(ms, timer.signal).then(
      () => {
        const err = new TimeoutError(`"${stepName}" took longer than its time limit of ${ms} ms.`, { timeoutMs: ms });
        controller.abort(err);
        reject(err);
      },
      () => {},
    );
    call.then(
      (v) => {
        timer.abort();
        resolve(v);
      },
      (e) => {
        timer.abort();
        reject(e);
      },
    );
  });
}
