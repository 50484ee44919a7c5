import "server-only";

import { createRateLimiter, type RateLimiter } from "@/lib/contracts/rate-limiter";
// The per-API-key rate limit of the REST API: a token bucket per key, in the memory of this
// process. Each key may make SWITCHBOARD_API_RATE_LIMIT requests a minute on average and up to a
// minute's worth in a burst; over it, 429 with Retry-After (seconds until one token is back).
//
// In memory, not in the database, on purpose: a database bucket costs a write per request (on
// SQLite that serializes every API call behind the one writer), while the limit is there to keep
// one misbehaving client from hogging a server, not to bill. With N web server processes a key
// gets up to N times the limit; put a shared limiter in the proxy in front if that matters.
import { readEnv } from "@/lib/env";

export { createRateLimiter, type RateLimiter } from "@/lib/contracts/rate-limiter";

let shared: RateLimiter | null = null;

/** The process's limiter for API keys (tests replace it with setApiKeyRateLimiter). */
export function apiKeyRateLimiter(): RateLimiter {
  shared ??= createRateLimiter({ perMinute: readEnv().SWITCHBOARD_API_RATE_LIMIT });
  return shared;
}

export function setApiKeyRateLimiter(limiter: RateLimiter | null): void {
  shared = limiter;
}
