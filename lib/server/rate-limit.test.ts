// The per-key token bucket: a minute's worth in a burst, refilled continuously, Retry-After the
// seconds until the next token; keys do not share buckets; the least recently used are forgotten.
import { describe, expect, it } from "vitest";

import { createRateLimiter } from "./rate-limit";

describe("API key rate limiter", () => {
  it("allows a burst of perMinute, then refuses with the wait until one token is back", () => {
    let now = 0;
    const limiter = createRateLimiter({ perMinute: 60, now: () => now });
    for (let i = 0; i < 60; i++) expect(limiter.take("k")).toBeNull();
    expect(limiter.take("k")).toBe(1);
    expect(limiter.take("other")).toBeNull();
    now += 999;
    expect(limiter.take("k")).toBe(1);
    now += 1;
    expect(limiter.take("k")).toBeNull();
    now += 60_000;
    for (let i = 0; i < 60; i++) expect(limiter.take("k")).toBeNull();
    expect(limiter.take("k")).not.toBeNull();
  });

  it("rounds the wait up to whole seconds for slow limits", () => {
    let now = 0;
    const limiter = createRateLimiter({ perMinute: 2, now: () => now });
    limiter.take("k");
    limiter.take("k");
    expect(limiter.take("k")).toBe(30);
    now += 29_000;
    expect(limiter.take("k")).toBe(1);
  });

  it("forgets the least recently used keys beyond maxKeys (they start full again)", () => {
    const limiter = createRateLimiter({ perMinute: 1, now: () => 0, maxKeys: 2 });
    expect(limiter.take("a")).toBeNull();
    expect(limiter.take("b")).toBeNull();
    expect(limiter.take("c")).toBeNull();
    expect(limiter.take("a")).toBeNull();
    expect(limiter.take("c")).not.toBeNull();
  });
});
