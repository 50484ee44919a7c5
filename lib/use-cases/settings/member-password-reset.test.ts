// An admin resets a member's password (Settings → Members; resetMemberPassword in
// ./password-reset.ts, and its server action), on a real database, both providers. The member signs
// in with the generated password (the sign-in check itself, verifyCredentials), not with the old
// one; every session of the member ends, the admin's do not; the account's sign-in throttle is
// cleared; one audit entry by the admin in this workspace, without the password. Refused, changing
// nothing: non-admins (and an admin's API key), a non-member, an account that is also a member of
// another workspace (even if it joins one while the password is being hashed), oneself. And the
// reset password joins no other workspace until the member has changed it.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

process.env.SWITCHBOARD_NOTIFICATIONS = "0";

/** Runs while the new password is hashed: between the first checks and the transaction. */
let duringHash: (() => Promise<void>) | null = null;
vi.mock("@/lib/auth/password", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/lib/auth/password")>();
  return {
    ...real,
    hashPassword: async (password: string) => {
      const hook = duringHash;
      duringHash = null;
      await hook?.();
      return real.hashPassword(password);
    },
  };
});

import { resetMemberPasswordAction } from "@/app/(app)/settings/actions";
import { verifyCredentials } from "@/lib/auth/credentials";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import type { Actor } from "@/lib/auth/policy";
import { AppError } from "@/lib/contracts/app-errors";
import type { Db } from "@/lib/db/client";
import { type Fixture, seedUser, seedWorkspace, seedWorkspaceRow } from "@/lib/db/fixtures";
import { createUserSession, findActiveSession } from "@/lib/db/sessions";
import { TEST_DATABASES } from "@/lib/db/testing";
import { findUserForSignIn, setPasswordHash } from "@/lib/db/users";
import { serverHarness } from "@/lib/server/testing";
import { changePassword } from "./account";
import { acceptInvitationAsUser, CHANGE_RESET_PASSWORD_FIRST, inviteMember } from "./invitations";
import {
  memberOfOtherWorkspaces,
  NOT_A_MEMBER_HERE,
  ONLY_ADMINS_RESET,
  OWN_PASSWORD_HERE,
  resetMemberPassword,
} from "./password-reset";

const OLD = "the-old-password-1234";
const GENERATED = /^[A-HJ-NP-Za-km-z2-9]{20}$/;
const IN_ONE_HOUR = () => new Date(Date.now() + 3_600_000);

afterEach(() => {
  duringHash = null;
});

describe.each(TEST_DATABASES)("an admin resets a member's password on $name", ({ open }) => {
  const server = serverHarness(open);
  let db: Db;
  beforeAll(() => {
    db = server.db;
  });

  /** A fresh workspace (one member per role); `who` gets the password OLD and two open sessions. */
  async function scene(who: keyof Fixture["users"] = "viewer") {
    const fx = await seedWorkspace(db);
    const target = fx.users[who];
    await setPasswordHash(db, target.userId, await hashPassword(OLD), { setByOther: false });
    const sessions = [
      await createUserSession(db, { userId: target.userId, expiresAt: IN_ONE_HOUR() }),
      await createUserSession(db, { userId: target.userId, expiresAt: IN_ONE_HOUR() }),
    ];
    const adminSession = await createUserSession(db, { userId: fx.users.admin.userId, expiresAt: IN_ONE_HOUR() });
    const admin: Actor = { ...fx.users.admin, sessionId: adminSession.id };
    return { fx, admin, adminSession, target, sessions };
  }

  const signsIn = async (email: string, password: string) => (await verifyCredentials(db, { email, password })).ok;
  const resets = (where: { workspaceId?: string; targetId?: string }) =>
    db.prisma.auditEntry.findMany({ where: { action: "user.password_reset", ...where } });
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error("expected a refusal");
      },
      (error: unknown) => {
        expect(error).toBeInstanceOf(AppError);
        return error as AppError;
      },
    );

  /** The target's password is still OLD, its sessions are open, and no reset was audited. */
  async function unchanged(target: Actor, sessions: { id: string }[]) {
    const row = await findUserForSignIn(db, target.email);
    expect(await verifyPassword(row?.passwordHash ?? "", OLD)).toBe(true);
    for (const s of sessions) expect(await findActiveSession(db, s.id, target.userId)).not.toBeNull();
    expect(await resets({ targetId: target.userId })).toHaveLength(0);
  }

  it("generates a password the member signs in with (not the old one), ends their sessions, audits by the admin", async () => {
    const { fx, admin, adminSession, target, sessions } = await scene();
    await db.prisma.signInThrottle.create({
      data: { key: `email:${target.email}`, failures: 9, lastFailAt: new Date() },
    });

    const r = await resetMemberPassword(db, admin, { userId: target.userId });
    expect(r).toEqual({ userId: target.userId, email: target.email, password: expect.any(String), sessionsEnded: 2 });
    expect(r.password).toMatch(GENERATED);
    // the failures counted against the account are forgotten: the member can sign in at once
    expect(await db.prisma.signInThrottle.findMany({ where: { key: { contains: target.email } } })).toEqual([]);

    expect(await signsIn(target.email, OLD)).toBe(false);
    expect(await signsIn(target.email, r.password)).toBe(true);
    for (const s of sessions) expect(await findActiveSession(db, s.id, target.userId)).toBeNull();
    // the admin's own session is not the member's business
    expect(await findActiveSession(db, adminSession.id, admin.userId)).not.toBeNull();

    const entries = await resets({ targetId: target.userId });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      workspaceId: fx.workspaceId,
      actorId: admin.userId,
      actorLabel: admin.email,
      targetType: "user",
      targetId: target.userId,
      summary: `${admin.email} reset the password of ${target.email} (2 sessions ended)`,
      data: { email: target.email, generated: true, sessionsEnded: 2 },
    });
    expect(JSON.stringify(entries)).not.toContain(r.password);
  });

  it("refuses editors, approvers, viewers and an admin's API key (forbidden:member), changing nothing", async () => {
    const { fx, target, sessions } = await scene("approver2");
    for (const role of ["editor", "approver", "viewer"] as const) {
      const e = await refusal(resetMemberPassword(db, fx.users[role], { userId: target.userId }));
      expect(e.code).toBe("forbidden:member");
      expect(e.message).toBe(ONLY_ADMINS_RESET);
    }
    const key = await refusal(
      resetMemberPassword(db, { ...fx.users.admin, via: "apiKey", scopes: null }, { userId: target.userId }),
    );
    expect(key.code).toBe("forbidden:member");
    await unchanged(target, sessions);
  });

  it("refuses someone who is not a member of this workspace, and an unknown or empty id, naming userId", async () => {
    const { admin } = await scene();
    const elsewhere = await seedWorkspaceRow(db, "Globex");
    const outsider = await seedUser(db, "Otto Outside", { workspaceId: elsewhere.id, role: "viewer" });
    await setPasswordHash(db, outsider.id, await hashPassword(OLD), { setByOther: false });
    const outsiderSession = await createUserSession(db, { userId: outsider.id, expiresAt: IN_ONE_HOUR() });

    for (const userId of [outsider.id, "no-such-user"]) {
      const e = await refusal(resetMemberPassword(db, admin, { userId }));
      expect(e.code).toBe("not_found:member");
      expect(e.fieldErrors).toEqual([{ path: "userId", message: NOT_A_MEMBER_HERE }]);
    }
    const empty = await refusal(resetMemberPassword(db, admin, { userId: "  " }));
    expect(empty.code).toBe("invalid:input");
    expect(empty.fieldErrors?.map((f) => f.path)).toEqual(["userId"]);

    await unchanged({ ...admin, userId: outsider.id, email: outsider.email }, [outsiderSession]);
  });

  it("refuses an account that is also a member of another workspace, naming the operator's command", async () => {
    const { admin, target, sessions } = await scene("editor");
    const elsewhere = await seedWorkspaceRow(db, "Initech");
    await db.prisma.membership.create({ data: { workspaceId: elsewhere.id, userId: target.userId, role: "viewer" } });

    const e = await refusal(resetMemberPassword(db, admin, { userId: target.userId }));
    expect(e.code).toBe("conflict:member");
    expect(e.message).toContain(`switchboard users reset-password ${target.email}`);
    expect(e.fieldErrors).toEqual([{ path: "userId", message: memberOfOtherWorkspaces(target.email) }]);
    expect(e.message).not.toContain("Initech"); // the other workspace is none of this admin's business
    await unchanged(target, sessions);
    expect(await signsIn(target.email, OLD)).toBe(true);
  });

  it("refuses when the account joins another workspace while the password is being hashed", async () => {
    const { admin, target, sessions } = await scene("approver");
    const elsewhere = await seedWorkspaceRow(db, "Hooli");
    duringHash = async () => {
      await db.prisma.membership.create({ data: { workspaceId: elsewhere.id, userId: target.userId, role: "viewer" } });
    };
    const e = await refusal(resetMemberPassword(db, admin, { userId: target.userId }));
    expect(e.code).toBe("conflict:member");
    await unchanged(target, sessions);
  });

  it("a reset password opens no other workspace: an invitation waits until the member changes it", async () => {
    const { admin, target } = await scene("viewer");
    const { password } = await resetMemberPassword(db, admin, { userId: target.userId });
    const other = await seedWorkspace(db);
    const invite = await inviteMember(db, other.users.admin, { email: target.email, role: "editor" }, { email: null });
    const token = invite.path!.replace("/invite/", "");
    const session = await createUserSession(db, { userId: target.userId, expiresAt: IN_ONE_HOUR() });
    const member = { userId: target.userId, email: target.email, sessionId: session.id };

    const e = await refusal(acceptInvitationAsUser(db, member, token));
    expect(e.code).toBe("conflict:invitation");
    expect(e.message).toBe(CHANGE_RESET_PASSWORD_FIRST);
    const memberships = () => db.prisma.membership.count({ where: { userId: target.userId } });
    expect(await memberships()).toBe(1);

    // the member's own change clears it; the same link then works
    const actor: Actor = { ...target, sessionId: session.id };
    await changePassword(db, actor, { currentPassword: password, newPassword: "my-own-new-password-42" });
    expect(await acceptInvitationAsUser(db, member, token)).toEqual({ workspaceId: other.workspaceId, role: "editor" });
    expect(await memberships()).toBe(2);
  });

  it("refuses the admin's own password (the account page asks for the current one)", async () => {
    const { admin, adminSession } = await scene("admin");
    const e = await refusal(resetMemberPassword(db, admin, { userId: admin.userId }));
    expect(e.code).toBe("invalid:member");
    expect(e.fieldErrors).toEqual([{ path: "userId", message: OWN_PASSWORD_HERE }]);
    expect(e.message).toContain("Your account");
    const row = await findUserForSignIn(db, admin.email);
    expect(await verifyPassword(row?.passwordHash ?? "", OLD)).toBe(true);
    expect(await findActiveSession(db, adminSession.id, admin.userId)).not.toBeNull();
    expect(await resets({ targetId: admin.userId })).toHaveLength(0);
  });

  it("the server action: admins only, the input checked, the password returned once", async () => {
    const { fx } = server;
    const target = fx.users.approver2;
    await setPasswordHash(db, target.userId, await hashPassword(OLD), { setByOther: false });

    server.as("editor");
    const refused = await resetMemberPasswordAction({ userId: target.userId });
    expect(!refused.ok && refused.error.code).toBe("forbidden:member");
    server.as("admin");
    const bad = await resetMemberPasswordAction({ userId: 42 });
    expect(!bad.ok && bad.error.fieldErrors?.map((f) => f.path)).toEqual(["userId"]);
    const self = await resetMemberPasswordAction({ userId: fx.users.admin.userId });
    expect(!self.ok && self.error).toMatchObject({ code: "invalid:member", fieldErrors: [{ path: "userId" }] });
    const row = await findUserForSignIn(db, target.email);
    expect(await verifyPassword(row?.passwordHash ?? "", OLD)).toBe(true);

    const done = await resetMemberPasswordAction({ userId: target.userId });
    if (!done.ok) throw new Error(done.error.message);
    expect(done.data).toMatchObject({ userId: target.userId, email: target.email, sessionsEnded: 0 });
    expect(await signsIn(target.email, done.data.password)).toBe(true);
    expect(await resets({ workspaceId: fx.workspaceId })).toEqual([
      expect.objectContaining({ actorId: fx.users.admin.userId, targetId: target.userId }),
    ]);
    server.as(null);
  });
});
