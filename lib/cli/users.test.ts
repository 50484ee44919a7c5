// `switchboard users reset-password` in-process on a fresh SQLite file (and once on PostgreSQL):
// a generated password is printed once and signs in, the old one no longer does; --password-env
// never shows the password; every session of the account ends; the sign-in failure counters of
// the account are cleared; one audit entry without the password; an unknown e-mail, a short
// password or a missing variable fail with exit 2 naming what was wrong and change nothing.
import { afterEach, describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "../auth/password";
import type { Db } from "../db/client";
import { seedUser, seedWorkspaceRow } from "../db/fixtures";
import { createUserSession, findActiveSession } from "../db/sessions";
import { openTestPostgres } from "../db/testing";
import { findUserForSignIn, setPasswordHash } from "../db/users";
import { freshSqliteCli, runCliInProcess } from "./testing";

const sqlite = freshSqliteCli("switchboard-users-cli-");
const { cli } = sqlite;

const OLD = "the-old-password-1234";
const ENV = "SB_TEST_RESET_PASSWORD";
const IN_ONE_HOUR = () => new Date(Date.now() + 3_600_000);

afterEach(() => {
  delete process.env[ENV];
});

/** A user with the password OLD, two open sessions, and (optionally) a workspace membership. */
async function account(db: Db, opts: { member?: boolean } = {}) {
  const ws = opts.member ? await seedWorkspaceRow(db, "Acme") : null;
  const user = await seedUser(db, "Ann Reset", ws ? { workspaceId: ws.id, role: "editor" } : undefined);
  await setPasswordHash(db, user.id, await hashPassword(OLD), { setByOther: false });
  const sessions = [
    await createUserSession(db, { userId: user.id, expiresAt: IN_ONE_HOUR() }),
    await createUserSession(db, { userId: user.id, expiresAt: IN_ONE_HOUR() }),
  ];
  return { user, ws, sessions };
}

async function storedHash(db: Db, email: string): Promise<string> {
  const row = await findUserForSignIn(db, email);
  if (!row?.passwordHash) throw new Error("no password hash");
  return row.passwordHash;
}

const resets = (db: Db) => db.prisma.auditEntry.findMany({ where: { action: "user.password_reset" } });

describe("switchboard users reset-password", () => {
  it("generates a password, prints it once, ends every session, clears the throttle, audits without it", async () => {
    // the CLI creates and migrates the database; the check handle then seeds the account
    expect((await cli("users", "reset-password", "nobody@acme.test")).code).toBe(2);
    const db = await sqlite.db();
    const { user, ws, sessions } = await account(db, { member: true });
    const keys = [
      `email:${user.email}`,
      `pair:${user.email}|unknown`,
      `pair:${user.email}|203.0.113.7`,
      "pair:someone-else@acme.test|unknown",
      `pair:x${user.email}|unknown`,
    ];
    for (const key of keys)
      await db.prisma.signInThrottle.create({ data: { key, failures: 9, lastFailAt: new Date() } });

    const r = await cli("users", "reset-password", `  ${user.email.toUpperCase()} `, "--json");
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as { email: string; password: string; sessionsEnded: number };
    expect(Object.keys(out).sort()).toEqual(["email", "password", "sessionsEnded"]);
    expect(out.email).toBe(user.email);
    expect(out.sessionsEnded).toBe(2);
    expect(out.password).toMatch(/^[A-HJ-NP-Za-km-z2-9]{20}$/);

    const hash = await storedHash(db, user.email);
    expect(await verifyPassword(hash, out.password)).toBe(true);
    expect(await verifyPassword(hash, OLD)).toBe(false);
    for (const s of sessions) expect(await findActiveSession(db, s.id, user.id)).toBeNull();
    const left = await db.prisma.signInThrottle.findMany({ select: { key: true } });
    expect(left.map((k) => k.key).sort()).toEqual([
      "pair:someone-else@acme.test|unknown",
      `pair:x${user.email}|unknown`,
    ]);

    const entries = await resets(db);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      workspaceId: ws?.id,
      actorLabel: "cli",
      actorId: null,
      targetType: "user",
      targetId: user.id,
      data: { email: user.email, generated: true, sessionsEnded: 2 },
    });
    expect(JSON.stringify(entries[0])).not.toContain(out.password);
    expect((await cli("audit", "verify")).code).toBe(0);

    // text: the password alone on the first line, then what to do with it
    const text = await cli("users", "reset-password", user.email);
    expect(text.code, text.stderr).toBe(0);
    const [first, , rest] = text.stdout.split("\n");
    expect(first).toMatch(/^[A-HJ-NP-Za-km-z2-9]{20}$/);
    expect(rest).toContain("hand it over");
    expect(rest).toContain("No session of theirs was open");
    expect(await verifyPassword(await storedHash(db, user.email), first)).toBe(true);
    expect(await verifyPassword(await storedHash(db, user.email), out.password)).toBe(false);
  });

  it("--password-env sets the variable's password and never prints it", async () => {
    expect((await cli("users", "reset-password", "nobody@acme.test")).code).toBe(2);
    const db = await sqlite.db();
    const { user, sessions } = await account(db); // no membership: audited in the chain of no workspace
    const chosen = "correct horse battery staple";
    process.env[ENV] = chosen;

    const r = await cli("users", "reset-password", user.email, "--password-env", ENV, "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toEqual({ email: user.email, sessionsEnded: 2 });
    expect(`${r.stdout}${r.stderr}`).not.toContain(chosen);
    expect(await verifyPassword(await storedHash(db, user.email), chosen)).toBe(true);
    for (const s of sessions) expect(await findActiveSession(db, s.id, user.id)).toBeNull();

    const text = await cli("users", "reset-password", user.email, "--password-env", ENV);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(ENV);
    expect(`${text.stdout}${text.stderr}`).not.toContain(chosen);

    const entries = await resets(db);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ workspaceId: null, data: { generated: false, sessionsEnded: 2 } });
    expect(JSON.stringify(entries)).not.toContain(chosen);
  });

  it("refuses an unknown e-mail, a short password and a missing or empty variable (exit 2), changing nothing", async () => {
    expect((await cli("users", "reset-password", "nobody@acme.test")).code).toBe(2);
    const db = await sqlite.db();
    const { user, sessions } = await account(db, { member: true });
    const before = await storedHash(db, user.email);

    const unknown = await cli("users", "reset-password", "nobody@acme.test", "--json");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("email: There is no account with this e-mail address");
    expect(unknown.json()).toMatchObject({ error: { issues: [{ path: "email" }] } });

    process.env[ENV] = "short-11chr";
    const short = await cli("users", "reset-password", user.email, "--password-env", ENV);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain(`--password-env ${ENV}: Use at least 12 characters`);
    expect(`${short.stdout}${short.stderr}`).not.toContain("short-11chr");

    delete process.env[ENV];
    const missing = await cli("users", "reset-password", user.email, "--password-env", ENV);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`${ENV} is not set`);
    process.env[ENV] = "";
    const empty = await cli("users", "reset-password", user.email, "--password-env", ENV);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain(`${ENV} is not set (or empty)`);

    const usage = await cli("users", "reset-password");
    expect(usage.code).toBe(2);

    expect(await storedHash(db, user.email)).toBe(before);
    for (const s of sessions) expect(await findActiveSession(db, s.id, user.id)).not.toBeNull();
    expect(await resets(db)).toHaveLength(0);
  });
});

describe("switchboard users reset-password on PostgreSQL", () => {
  it("resets the password, ends the sessions and audits", async () => {
    const db = await openTestPostgres();
    try {
      const { user, ws, sessions } = await account(db, { member: true });
      const r = await runCliInProcess(db.target, ["users", "reset-password", user.email, "--json"]);
      expect(r.code, r.stderr).toBe(0);
      const out = r.json() as { password: string; sessionsEnded: number };
      expect(out.sessionsEnded).toBe(2);
      const hash = await storedHash(db, user.email);
      expect(await verifyPassword(hash, out.password)).toBe(true);
      expect(await verifyPassword(hash, OLD)).toBe(false);
      for (const s of sessions) expect(await findActiveSession(db, s.id, user.id)).toBeNull();
      const entries = await resets(db);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ workspaceId: ws?.id, actorLabel: "cli", targetId: user.id });
      expect(JSON.stringify(entries)).not.toContain(out.password);
    } finally {
      await db.dispose();
    }
  });
});
