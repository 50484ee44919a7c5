import { CancelledError } from "@/lib/contracts/errors";
import type { Clock, IdGenerator } from "@/lib/contracts/ports";

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

// Crockford's base32 alphabet (no i, l, o, u), lower case.
const BASE32 = "0123456789abcdefghjkmnpqrstvwxyz";
/** Random characters per id: 26 × 5 = 130 bits from the OS random source. */
const RANDOM_CHARS = 26;

/**
 * Unique, unguessable ids without a round trip: `<kind letter><time, base 36><sequence within
 * the millisecond, base 36><26 random base32 characters>` — e.g. `r` + `mh3kq2zc` + `0000` +
 * `k3v…` (39 characters). The 130 random bits make an id impossible to guess from any other id
 * (run and approval ids appear in URLs and the API); time and sequence keep ids created by one
 * process in creation order (lists sort by createdAt, then id) and index inserts local.
 * Random bytes are drawn 4 KB at a time, so the hot path (one id per step) stays cheap.
 */
export function createIdGenerator(): IdGenerator {
  const pool = new Uint8Array(4096);
  let pos = pool.length;
  let lastMs = -1;
  let seq = 0;
  return {
    id(kind) {
      const prefix = kind === "run" ? "r" : kind === "step" ? "s" : "a";
      const now = Date.now();
      seq = now === lastMs ? seq + 1 : 0;
      lastMs = now;
      if (pos + RANDOM_CHARS > pool.length) {
        globalThis.crypto.getRandomValues(pool);
        pos = 0;
      }
      let random = "";
      for (let i = 0; i < RANDOM_CHARS; i++) random += BASE32[(pool[pos++] as number) & 31];
      return `${prefix}${now.toString(36)}${seq.toString(36).padStart(4, "0")}${random}`;
    },
  };
}
