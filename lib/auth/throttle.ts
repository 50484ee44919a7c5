// Slows down password guessing. Failed sign-ins are counted per key ("email:<address>" and
// "ip:<address>") in the SignInThrottle table, so the limit holds across restarts and across
// several servers sharing PostgreSQL. After `free` failures, each further attempt must wait
// base × 2^(failures − free), capped; meanwhile attempts are refused WITHOUT checking the
// password. A quiet hour resets a counter; a successful sign-in resets the email's counter.
import { countThrottleFailure, deleteThrottle, throttleRows } from "../db/sign-in-throttle";
import type { DbOrTx } from "../db/tx";

export type ThrottlePolicy = { free: number; baseDelayMs: number; maxDelayMs: number; resetAfterMs: number };

export const EMAIL_POLICY: ThrottlePolicy = {
  free: 5,
  baseDelayMs: 2_000,
  maxDelayMs: 15 * 60_000,
  resetAfterMs: 60 * 60_000,
};
/** Higher: many people can share one address (an office, a proxy). */
export const IP_POLICY: ThrottlePolicy = {
  free: 20,
  baseDelayMs: 2_000,
  maxDelayMs: 15 * 60_000,
  resetAfterMs: 60 * 60_000,
};

export type ThrottleKey = { key: string; policy: ThrottlePolicy };

export function throttleKeys(email: string, ip: string | null | undefined): ThrottleKey[] {
  const keys: ThrottleKey[] = [{ key: `email:${email.trim().toLowerCase()}`, policy: EMAIL_POLICY }];
  if (ip) keys.push({ key: `ip:${ip}`, policy: IP_POLICY });
  return keys;
}

/** How long after the last failure the next attempt must wait. */
export function delayAfter(failures: number, policy: ThrottlePolicy): number {
  if (failures < policy.free) return 0;
  return Math.min(policy.baseDelayMs * 2 ** (failures - policy.free), policy.maxDelayMs);
}

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export async function checkThrottle(db: DbOrTx, keys: ThrottleKey[], now = new Date()): Promise<ThrottleVerdict> {
  const rows = await throttleRows(
    db,
    keys.map((k) => k.key),
  );
  let waitMs = 0;
  for (const row of rows) {
    const policy = keys.find((k) => k.key === row.key)?.policy;
    if (!policy) continue;
    const since = now.getTime() - row.lastFailAt.getTime();
    if (since >= policy.resetAfterMs) continue;
    waitMs = Math.max(waitMs, delayAfter(row.failures, policy) - since);
  }
  return waitMs > 0 ? { allowed: false, retryAfterSeconds: Math.ceil(waitMs / 1000) } : { allowed: true };
}

export async function recordFailure(db: DbOrTx, keys: ThrottleKey[], now = new Date()): Promise<void> {
  for (const { key, policy } of keys) {
    await countThrottleFailure(
      db,
      key,
      now,
      (row) => !row || now.getTime() - row.lastFailAt.getTime() >= policy.resetAfterMs,
    );
  }
}

export async function clearThrottle(db: DbOrTx, key: string): Promise<void> {
  await deleteThrottle(db, key);
}

export function formatRetryAfter(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}
