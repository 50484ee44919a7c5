import { CancelledError } from "./errors";
import type { Clock, IdGenerator } from "./ports";

/** Real time. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason ?? new CancelledError());
      const timer = setTimeout(
        () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason ?? new CancelledError());
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
};

/**
 * Unique ids without a round trip: time (base 36) + a random per-process tag + a counter.
 * Cheap enough for the hot path (one id per step).
 */
export function createIdGenerator(): IdGenerator {
  const tag = globalThis.crypto.randomUUID().replace(/-/g, "").slice(0, 10);
  let counter = 0;
  return {
    id(kind) {
      const prefix = kind === "run" ? "r" : kind === "step" ? "s" : "a";
      counter = (counter + 1) % 2_176_782_336;
      return `${prefix}${Date.now().toString(36)}${tag}${counter.toString(36).padStart(6, "0")}`;
    },
  };
}
