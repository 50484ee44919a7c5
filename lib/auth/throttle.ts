// Slows down password guessing without letting anyone lock a real user out. Failed sign-ins are
// counted in the SignInThrottle table (so the limits hold across restarts and across servers
// sharing PostgreSQL) under three kinds of key:
//   - `pair:<email>|<client>` — one account from one client address (lib/server/client-address.ts:
//     the socket's peer, or what a trusted proxy says). After PAIR_POLICY.free failures each further
//     attempt from that client must wait base × 2^(failures − free), capped; meanwhile attempts are
//     refused WITHOUT checking the password. The real user, on another address, is not affected.
//   - `ip:<client>` — one client across accounts (password spraying), same kind of refusal, more
//     failures allowed (an office or a proxy shares an address).
//   - `email:<email>` — the account from anywhere: never a refusal, only a bounded delay before
//     the password is checked (ACCOUNT_POLICY: at most a few seconds), so an attacker rotating
//     addresses is slowed down while the real user still gets in.
// When the client address is unknown (the server runs without bin/start.mjs's preload), every
// such attempt shares the client "unknown", whose refusals are capped at UNKNOWN_CLIENT_MAX_DELAY_MS.
// A quiet hour resets a counter; a successful sign-in resets the account's and the pair's.
import { countThrottleFailure, deleteThrottle, throttleRows } from "../db/sign-in-throttle";
import type { DbOrTx } from "../db/tx";

export type ThrottlePolicy = { free: number; baseDelayMs: number; maxDelayMs: number; resetAfterMs: number };

/** One account from one client. */
export const PAIR_POLICY: ThrottlePolicy = {
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
/** The account from any client: a delay before the password check, never a refusal. */
export const ACCOUNT_POLICY: ThrottlePolicy = {
  free: 10,
  baseDelayMs: 250,
  maxDelayMs: 3_000,
  resetAfterMs: 60 * 60_000,
};
/** Clients of unknown address share one pair per account: its refusals stay short. */
export const UNKNOWN_CLIENT_MAX_DELAY_MS = 60_000;

export type ThrottleKey = { key: string; policy: ThrottlePolicy; mode: "refuse" | "delay" };

export function throttleKeys(email: string, ip: string | null | undefined): ThrottleKey[] {
  const address = email.trim().toLowerCase();
  const client = ip || "unknown";
  const pairPolicy = ip ? PAIR_POLICY : { ...PAIR_POLICY, maxDelayMs: UNKNOWN_CLIENT_MAX_DELAY_MS };
  const keys: ThrottleKey[] = [
    { key: `pair:${address}|${client}`, policy: pairPolicy, mode: "refuse" },
    { key: `email:${address}`, policy: ACCOUNT_POLICY, mode: "delay" },
  ];
  if (ip) keys.push({ key: `ip:${ip}`, policy: IP_POLICY, mode: "refuse" });
  return keys;
}

/** How long after the last failure the next attempt must wait. */
export function delayAfter(failures: number, policy: ThrottlePolicy): number {
  if (failures < policy.free) return 0;
  return Math.min(policy.baseDelayMs * 2 ** (failures - policy.free), policy.maxDelayMs);
}

export type ThrottleVerdict =
  | { allowed: true /** wait this long before checking the password (the account's delay) */; delayMs: number }
  | { allowed: false; retryAfterSeconds: number };

export async function checkThrottle(db: DbOrTx, keys: ThrottleKey[], now = new Date()): Promise<ThrottleVerdict> {
  const rows = await throttleRows(
    db,
    keys.map((k) => k.key),
  );
  let waitMs = 0;
  let delayMs = 0;
  for (const row of rows) {
    const k = keys.find((x) => x.key === row.key);
    if (!k) continue;
    const since = now.getTime() - row.lastFailAt.getTime();
    if (since >= k.policy.resetAfterMs) continue;
    if (k.mode === "delay") delayMs = Math.max(delayMs, delayAfter(row.failures, k.policy));
    else waitMs = Math.max(waitMs, delayAfter(row.failures, k.policy) - since);
  }
  return waitMs > 0 ? { allowed: false, retryAfterSeconds: Math.ceil(waitMs / 1000) } : { allowed: true, delayMs };
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

/** After a successful sign-in: forget the account's and this client's failures for it. */
export async function clearThrottle(db: DbOrTx, keys: ThrottleKey[] | string): Promise<void> {
  const list = typeof keys === "string" ? [keys] : keys.filter((k) => !k.key.startsWith("ip:")).map((k) => k.key);
  for (const key of list) await deleteThrottle(db, key);
}

export function formatRetryAfter(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}
