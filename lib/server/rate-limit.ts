import "server-only";
// The per-API-key rate limit of the REST API: a token bucket per key, in the memory of this
// process. Each key may make SWITCHBOARD_API_RATE_LIMIT requests a minute on average and up to a
// minute's worth in a burst; over it, 429 with Retry-After (seconds until one token is back).
//
// In memory, not in the database, on purpose: a database bucket costs a write per request (on
// SQLite that serializes every API call behind the one writer), while the limit is there to keep
// one misbehaving client from hogging a server, not to bill. With N web server processes a key
// gets up to N times the limit; put a shared limiter in the proxy in front if that matters.
import { readEnv } from "@/lib/env";

export interface RateLimiter {
  /** Takes a token for `key`: null when allowed, else the seconds to wait. */
  take(key: string): number | null;
}

export function createRateLimiter(options: {
  perMinute: number;
  now?: () => number;
  /** buckets kept at most (least recently used are forgotten: a full bucket again) */
  maxKeys?: number;
}): RateLimiter {
  const capacity = Math.max(1, options.perMinute);
  const refillPerMs = capacity / 60_000;
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 10_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key) {
      const t = now();
      const bucket = buckets.get(key) ?? { tokens: capacity, at: t };
      buckets.delete(key);
      bucket.tokens = Math.min(capacity, bucket.tokens + (t - bucket.at) * refillPerMs);
      bucket.at = t;
      buckets.set(key, bucket);
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value as string);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return null;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerMs / 1000));
    },
  };
}

let shared: RateLimiter | null = null;

/** The process's limiter for API keys (tests replace it with setApiKeyRateLimiter). */
export function apiKeyRateLimiter(): RateLimiter {
  shared ??= createRateLimiter({ perMinute: readEnv().SWITCHBOARD_API_RATE_LIMIT });
  return shared;
}

export function setApiKeyRateLimiter(limiter: RateLimiter | null): void {
  shared = limiter;
}
