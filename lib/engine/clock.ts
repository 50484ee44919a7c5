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

/** Random, sortable-enough ids (time prefix + random), URL-safe. */
export function createIdGenerator(): IdGenerator {
  let counter = 0;
  return {
    id(kind) {
      const prefix = kind === "run" ? "r" : kind === "step" ? "s" : "a";
      counter = (counter + 1) % 1_679_616;
      const rand = globalThis.crypto.randomUUID().replace(/-/g, "").slice(0, 16);
      return `${prefix}${Date.now().toString(36)}${counter.toString(36).padStart(4, "0")}${rand}`;
    },
  };
}
