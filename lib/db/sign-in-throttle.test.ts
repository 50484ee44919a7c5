// Clearing an account's sign-in failure counters on both databases: its delay key and each of its
// pairs with a client, nothing of another account — also when the e-mail holds "_" or "%", which
// LIKE (what Prisma's `startsWith` becomes) reads as wildcards.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteAccountThrottle } from "./sign-in-throttle";
import { TEST_DATABASES } from "./testing";

describe.each(TEST_DATABASES)("account throttle reset on $name", ({ open }) => {
  let db: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    db = await open();
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it("deletes the account's delay and every pair of it, and only those", async () => {
    const keys = [
      "email:a_b%c@x.io",
      "pair:a_b%c@x.io|unknown",
      "pair:a_b%c@x.io|203.0.113.7",
      // look-alikes the LIKE pattern `pair:a_b%c@x.io|%` would also match
      "pair:aXbZZc@x.io|unknown",
      "pair:a_bc@x.io|unknown",
      "email:aXb%c@x.io",
      "pair:other@x.io|unknown",
    ];
    for (const key of keys)
      await db.prisma.signInThrottle.create({ data: { key, failures: 3, lastFailAt: new Date() } });
    expect(await deleteAccountThrottle(db, "a_b%c@x.io")).toBe(3);
    const left = (await db.prisma.signInThrottle.findMany({ select: { key: true } })).map((r) => r.key).sort();
    expect(left).toEqual(keys.slice(3).sort());
  });
});
