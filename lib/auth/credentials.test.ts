import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedWorkspaceRow } from "../db/fixtures";
import { TEST_DATABASES } from "../db/testing";
import { addMember } from "../db/users";
import { INVALID_CREDENTIALS, throttledMessage, verifyCredentials } from "./credentials";
import { hashPassword } from "./password";
import { checkThrottle, delayAfter, EMAIL_POLICY, IP_POLICY, recordFailure, throttleKeys } from "./throttle";

describe("throttle schedule", () => {
  it("lets the first failures through, then doubles the wait up to the cap", () => {
    const p = EMAIL_POLICY;
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

  it("slows repeated failures per email, refusing even the right password while throttled", async () => {
    const t0 = new Date("2026-11-25T12:00:00Z");
    const at = (ms: number) => new Date(t0.getTime() + ms);
    for (let i = 0; i < EMAIL_POLICY.free; i++) {
      expect(
        await verifyCredentials(db.prisma, { email: "cy@acme.test", password: "bad", ip: `10.1.0.${i}` }, at(i)),
      ).toMatchObject({
        reason: "invalid",
      });
    }
    // now the email is throttled: even the correct password is refused without being checked
    const blocked = await verifyCredentials(db.prisma, { email: "cy@acme.test", password, ip: "10.2.0.1" }, at(1000));
    expect(blocked).toMatchObject({ ok: false, reason: "throttled" });
    if (blocked.ok || blocked.reason !== "throttled") return;
    expect(blocked.retryAfterSeconds).toBeGreaterThan(0);
    expect(blocked.retryAfterSeconds).toBeLessThanOrEqual(EMAIL_POLICY.baseDelayMs / 1000);
    // other users are not affected
    expect(
      await verifyCredentials(db.prisma, { email: "ann@acme.test", password, ip: "10.2.0.1" }, at(1000)),
    ).toMatchObject({ ok: true });
    // after the wait the right password works and clears the counter
    const later = at(EMAIL_POLICY.free + EMAIL_POLICY.baseDelayMs + 10);
    expect(
      await verifyCredentials(db.prisma, { email: "cy@acme.test", password, ip: "10.2.0.1" }, later),
    ).toMatchObject({ ok: true });
    expect(await db.prisma.signInThrottle.findUnique({ where: { key: "email:cy@acme.test" } })).toBeNull();
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
    expect(await checkThrottle(db.prisma, throttleKeys("ann@acme.test", ip), hourLater)).toEqual({ allowed: true });
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
