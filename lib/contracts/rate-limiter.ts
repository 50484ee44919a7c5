// A token bucket per key, in the memory of one process: the shape of every in-process limit
// (API requests per key in lib/server/rate-limit.ts, run starts per member and per key in
// lib/use-cases/runs/limits.ts). Each key may take `perMinute` tokens a minute on average and
// up to a minute's worth in a burst; take() says how many seconds until one token is back.
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
