import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedWorkspaceRow } from "../db/fixtures";
import { TEST_DATABASES } from "../db/testing";
import { addMember } from "../db/users";
import { createRefusalLimiter, setRefusalLimiterForTests } from "../server/refusals";
import { INVALID_CREDENTIALS, throttledMessage, verifyCredentials } from "./credentials";
import { hashPassword } from "./password";
import {
  ACCOUNT_POLICY,
  checkThrottle,
  delayAfter,
  IP_POLICY,
  PAIR_POLICY,
  recordFailure,
  throttleKeys,
  UNKNOWN_CLIENT_MAX_DELAY_MS,
} from "./throttle";

describe("throttle schedule", () => {
  it("lets the first failures through, then doubles the wait up to the cap", () => {
    const p = PAIR_POLICY;
    for (let i = 0; i < p.free; i++) expect(delayAfter(i, p)).toBe(0);
    expect(delayAfter(p.free, p)).toBe(p.baseDelayMs);
    expect(delayAfter(p.free + 1, p)).toBe(p.baseDelayMs * 2);
    expect(delayAfter(p.free + 3, p)).toBe(p.baseDelayMs * 8);
    expect(delayAfter(p.free + 40, p)).toBe(p.maxDelayMs);
  });

  it("says how long to wait", () => {
    expect(throttledMessage(30)).toBe("Too many failed sign-in attempts. Wait 30 seconds and try again.");
    expect(throttledMessage(600)).toBe("Too many failed sign-in attempts. Wait 10 minutes and try again.");
  });
});

describe.each(TEST_DATABASES)("password sign-in on $name", ({ open }) => {
  let db: Awaited<ReturnType<typeof open>>;
  let workspaceId: string;
  const password = "correct horse battery staple";

  beforeAll(async () => {
    db = await open();
    const ws = await seedWorkspaceRow(db, "W");
    workspaceId = ws.id;
    const passwordHash = await hashPassword(password);
    await addMember(db.prisma, { workspaceId, email: "ann@acme.test", name: "Ann", role: "editor", passwordHash });
    await addMember(db.prisma, { workspaceId, email: "bob@acme.test", name: "Bob", role: "viewer", passwordHash });
    await addMember(db.prisma, { workspaceId, email: "cy@acme.test", name: "Cy", role: "approver", passwordHash });
  });
  afterAll(() => db.dispose());

  it("signs in with the right password (any email case) and audits it", async () => {
    const result = await verifyCredentials(db.prisma, { email: "ANN@acme.test", password, ip: "10.0.0.1" });
    expect(result).toMatchObject({ ok: true, workspaceId, role: "editor", user: { email: "ann@acme.test" } });
    const entry = await db.prisma.auditEntry.findFirst({ where: { workspaceId, action: "auth.signin" } });
    expect(entry).toMatchObject({
      actorLabel: "ann@acme.test",
      targetType: "user",
      summary: "ann@acme.test signed in",
    });
  });

  it("gives the same answer for an unknown email and a wrong password", async () => {
    const unknown = await verifyCredentials(db.prisma, { email: "nobody@acme.test", password, ip: "10.0.0.2" });
    const wrong = await verifyCredentials(db.prisma, { email: "bob@acme.test", password: "nope", ip: "10.0.0.2" });
    expect(unknown).toEqual({ ok: false, reason: "invalid" });
    expect(wrong).toEqual({ ok: false, reason: "invalid" });
    expect(INVALID_CREDENTIALS).toBe("Email or password is incorrect");
    expect(await db.prisma.auditEntry.count({ where: { workspaceId, action: "auth.signin_failed" } })).toBe(1);
  });

  it("refuses a client that failed too often for an account, but not the real user on another address", async () => {
    const t0 = new Date("2026-11-25T12:00:00Z");
    const at = (ms: number) => new Date(t0.getTime() + ms);
    const attacker = "203.0.113.9";
    const sleep = async () => {};
    for (let i = 0; i < PAIR_POLICY.free; i++) {
      expect(
        await verifyCredentials(db.prisma, { email: "cy@acme.test", password: "bad", ip: attacker }, at(i), { sleep }),
      ).toMatchObject({ reason: "invalid" });
    }
    // the attacker's client is throttled for this account: even the right password is refused unchecked
    const blocked = await verifyCredentials(db.prisma, { email: "cy@acme.test", password, ip: attacker }, at(1000), {
      sleep,
    });
    expect(blocked).toMatchObject({ ok: false, reason: "throttled" });
    if (blocked.ok || blocked.reason !== "throttled") return;
    expect(blocked.retryAfterSeconds).toBeGreaterThan(0);
    expect(blocked.retryAfterSeconds).toBeLessThanOrEqual(PAIR_POLICY.baseDelayMs / 1000);
    // the real user, from their own address, gets in at once (it used to be locked out for everyone)
    expect(
      await verifyCredentials(db.prisma, { email: "cy@acme.test", password, ip: "198.51.100.4" }, at(1000), { sleep }),
    ).toMatchObject({ ok: true });
    // other users are not affected either
    expect(
      await verifyCredentials(db.prisma, { email: "ann@acme.test", password, ip: attacker }, at(1000), { sleep }),
    ).toMatchObject({ ok: true });
    // a success clears the account's counter and that client's pair
    expect(await db.prisma.signInThrottle.findUnique({ where: { key: "email:cy@acme.test" } })).toBeNull();
    expect(await db.prisma.signInThrottle.findUnique({ where: { key: "pair:cy@acme.test|198.51.100.4" } })).toBeNull();
  });

  // 61 argon2id verifications: 3–6 s alone, several times that while the whole suite shares two cores
  it("an attacker rotating addresses cannot lock the user out: only a bounded delay per account", {
    timeout: 60_000,
  }, async () => {
    const t0 = new Date("2026-11-27T12:00:00Z");
    const sleeps: number[] = [];
    const sleep = async (ms: number) => {
      sleeps.push(ms);
    };
    // 60 wrong passwords, each from a new address (what rotating a forged X-Forwarded-For used to do)
    for (let i = 0; i < 60; i++) {
      const r = await verifyCredentials(
        db.prisma,
        { email: "bob@acme.test", password: `guess-${i}`, ip: `10.77.${Math.floor(i / 250)}.${i % 250}` },
        new Date(t0.getTime() + i * 10),
        { sleep },
      );
      expect(r).toMatchObject({ ok: false, reason: "invalid" });
    }
    // the account answers more slowly, never more than ACCOUNT_POLICY.maxDelayMs, and never refuses
    expect(Math.max(...sleeps)).toBe(ACCOUNT_POLICY.maxDelayMs);
    expect(sleeps.length).toBeGreaterThanOrEqual(60 - ACCOUNT_POLICY.free);
    expect(sleeps.every((ms) => ms <= ACCOUNT_POLICY.maxDelayMs)).toBe(true);
    const user = await verifyCredentials(
      db.prisma,
      { email: "bob@acme.test", password, ip: "10.88.0.1" },
      new Date(t0.getTime() + 1000),
      { sleep },
    );
    expect(user).toMatchObject({ ok: true });
    expect(sleeps.at(-1)).toBeLessThanOrEqual(3_000);
  });

  it("clients of unknown address are refused only briefly", async () => {
    const t0 = new Date("2026-11-28T12:00:00Z");
    for (let i = 0; i < PAIR_POLICY.free + 30; i++)
      await recordFailure(db.prisma, throttleKeys("ann@acme.test", null), new Date(t0.getTime() + i));
    const verdict = await checkThrottle(db.prisma, throttleKeys("ann@acme.test", null), new Date(t0.getTime() + 100));
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed) expect(verdict.retryAfterSeconds).toBeLessThanOrEqual(UNKNOWN_CLIENT_MAX_DELAY_MS / 1000);
    await db.prisma.signInThrottle.deleteMany({});
  });

  it("audits throttled attempts in the account's workspace, rate limited with a count of the rest", async () => {
    let clock = new Date("2026-11-29T12:00:00Z").getTime();
    setRefusalLimiterForTests(createRefusalLimiter({ perMinute: 3, now: () => clock }));
    try {
      const ip = "203.0.113.50";
      const at = () => new Date(clock);
      const sleep = async () => {};
      // enough failures that this client stays refused for well over a minute
      for (let i = 0; i < PAIR_POLICY.free + 10; i++)
        await recordFailure(db.prisma, throttleKeys("cy@acme.test", ip), at());
      for (let i = 0; i < 10; i++) {
        clock += 10;
        expect(
          await verifyCredentials(db.prisma, { email: "cy@acme.test", password: "bad", ip }, at(), { sleep }),
        ).toMatchObject({
          reason: "throttled",
        });
      }
      const refused = async () =>
        (
          await db.prisma.auditEntry.findMany({
            where: { workspaceId, action: "security.refused" },
            orderBy: { seq: "asc" },
          })
        ).filter((e) => (e.data as { ip?: string } | null)?.ip === ip);
      let entries = await refused();
      expect(entries).toHaveLength(3);
      expect(entries[0]?.data).toMatchObject({ kind: "signin_throttled", ip, attempted: "auth.signin" });
      expect(entries[0]?.actorLabel).toBe("cy@acme.test");
      // a minute later the next one is written and says how many were left out
      clock += 61_000;
      await verifyCredentials(db.prisma, { email: "cy@acme.test", password: "bad", ip }, at(), { sleep });
      entries = await refused();
      expect(entries).toHaveLength(4);
      expect(entries[3]?.data).toMatchObject({ kind: "signin_throttled", suppressed: 7 });
      expect(entries[3]?.summary).toContain("+7 similar not recorded");
    } finally {
      setRefusalLimiterForTests(null);
      await db.prisma.signInThrottle.deleteMany({});
    }
  });

  it("slows repeated failures per address across emails", async () => {
    const t0 = new Date("2026-11-26T12:00:00Z");
    const ip = "192.0.2.7";
    for (let i = 0; i < IP_POLICY.free; i++) {
      await recordFailure(db.prisma, throttleKeys(`guess${i}@acme.test`, ip), new Date(t0.getTime() + i));
    }
    const verdict = await checkThrottle(db.prisma, throttleKeys("ann@acme.test", ip), new Date(t0.getTime() + 100));
    expect(verdict.allowed).toBe(false);
    const result = await verifyCredentials(
      db.prisma,
      { email: "ann@acme.test", password, ip },
      new Date(t0.getTime() + 100),
    );
    expect(result).toMatchObject({ reason: "throttled" });
    // a quiet hour forgets it
    const hourLater = new Date(t0.getTime() + IP_POLICY.resetAfterMs + 1000);
    expect(await checkThrottle(db.prisma, throttleKeys("ann@acme.test", ip), hourLater)).toMatchObject({
      allowed: true,
    });
  });

  it("rotating made-up emails from one throttled client cannot write an audit entry each", async () => {
    const clock = new Date("2026-11-30T12:00:00Z").getTime();
    setRefusalLimiterForTests(createRefusalLimiter({ perMinute: 3, now: () => clock }));
    try {
      const ip = "203.0.113.77";
      for (let i = 0; i < IP_POLICY.free + 5; i++)
        await recordFailure(db.prisma, throttleKeys(`spray${i}@nowhere.test`, ip), new Date(clock));
      const before = await db.prisma.auditEntry.count({ where: { workspaceId: null, action: "security.refused" } });
      for (let i = 0; i < 30; i++) {
        const r = await verifyCredentials(
          db.prisma,
          { email: `rotate${i}@nowhere.test`, password: "x", ip },
          new Date(clock + 10),
          { sleep: async () => {} },
        );
        expect(r).toMatchObject({ reason: "throttled" });
      }
      const after = await db.prisma.auditEntry.count({ where: { workspaceId: null, action: "security.refused" } });
      expect(after - before).toBe(3);
    } finally {
      setRefusalLimiterForTests(null);
      await db.prisma.signInThrottle.deleteMany({});
    }
  });

  it("refuses a user who is no longer a member of any workspace", async () => {
    const ws2 = await seedWorkspaceRow(db, "X");
    const added = await addMember(db.prisma, {
      workspaceId: ws2.id,
      email: "gone@acme.test",
      name: "Gone",
      role: "admin",
      passwordHash: await hashPassword(password),
    });
    await db.prisma.membership.deleteMany({ where: { userId: added.member.userId } });
    expect(await verifyCredentials(db.prisma, { email: "gone@acme.test", password, ip: "10.9.9.9" })).toEqual({
      ok: false,
      reason: "invalid",
    });
  });
});
