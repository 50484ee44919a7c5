// Sessions that can be ended, the change-password flow, and member invitations, through the real
// server actions (authedAction with session claims) on both databases. Issue 14's regression
// tests: the old cookie's session keeps working after sign-out / password change / removal; adding
// a member by e-mail reveals an account and attaches it without consent.
import { beforeAll, describe, expect, it } from "vitest";

process.env.SWITCHBOARD_NOTIFICATIONS = "0";

import {
  changePasswordAction,
  inviteMemberAction,
  removeMemberAction,
  revokeInvitationAction,
  setRetentionAction,
} from "@/app/(app)/settings/actions";
import { authOptions } from "@/lib/auth/options";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { type Fixture, seedUser, seedWorkspaceRow } from "@/lib/db/fixtures";
import { hashInvitationToken } from "@/lib/db/invitations";
import { createUserSession, revokeSession } from "@/lib/db/sessions";
import { TEST_DATABASES } from "@/lib/db/testing";
import { findUserForSignIn } from "@/lib/db/users";
import { actorFromClaims } from "@/lib/server/session";
import { serverHarness, type TestDb } from "@/lib/server/testing";
import { acceptInvitationAsNewUser, acceptInvitationAsUser, inviteMember } from "@/lib/use-cases/settings";

const WEEK = 7 * 24 * 3600 * 1000;

describe.each(TEST_DATABASES)("sessions, passwords and invitations on $name", ({ open }) => {
  const server = serverHarness(open);
  let db: TestDb;
  let fx: Fixture;
  beforeAll(() => {
    ({ db, fx } = server);
  });

  /** A fresh server-side session of this user, signed in with it (like a cookie carrying its sid). */
  async function signInWithSession(userId: string): Promise<string> {
    const { id } = await createUserSession(db, { userId, expiresAt: new Date(Date.now() + WEEK) });
    server.signIn({ userId, workspaceId: fx.workspaceId, sessionId: id });
    return id;
  }
  const switchTo = (userId: string, sessionId: string) =>
    server.signIn({ userId, workspaceId: fx.workspaceId, sessionId });
  // Any authenticated action answers "unauthenticated" for an ended session (retention: admin; 403 otherwise).
  const probe = async () => {
    const r = await setRetentionAction({ retentionDays: null });
    return r.ok ? "ok" : r.error.code;
  };

  describe("server-side sessions", () => {
    it("a revoked (signed-out) session is refused on the next request", async () => {
      const sid = await signInWithSession(fx.users.admin.userId);
      expect(await probe()).toBe("ok");
      await revokeSession(db, sid, "signed_out");
      expect(await probe()).toBe("unauthenticated");
    });

    it("an expired session record, or one of another user, is refused", async () => {
      const { id } = await createUserSession(db, {
        userId: fx.users.admin.userId,
        expiresAt: new Date(Date.now() - 1),
      });
      switchTo(fx.users.admin.userId, id);
      expect(await probe()).toBe("unauthenticated");
      const { id: editors } = await createUserSession(db, {
        userId: fx.users.editor.userId,
        expiresAt: new Date(Date.now() + WEEK),
      });
      switchTo(fx.users.admin.userId, editors);
      expect(await probe()).toBe("unauthenticated");
      switchTo(fx.users.admin.userId, "no-such-session");
      expect(await probe()).toBe("unauthenticated");
    });

    it("next-auth's sign-in records a session in the token, and its sign-out event revokes it", async () => {
      const options = authOptions();
      const token = (await options.callbacks!.jwt!({
        token: {},
        user: { id: fx.users.admin.userId, email: fx.users.admin.email, workspaceId: fx.workspaceId, role: "admin" },
        account: { provider: "credentials", type: "credentials", providerAccountId: fx.users.admin.userId },
      } as never)) as Record<string, unknown>;
      expect(typeof token.sid).toBe("string");
      switchTo(fx.users.admin.userId, token.sid as string);
      expect(await probe()).toBe("ok");
      await options.events!.signOut!({ token: token as never, session: undefined as never });
      expect(await probe()).toBe("unauthenticated");
      const row = await db.prisma.userSession.findUniqueOrThrow({ where: { id: token.sid as string } });
      expect(row.revokedReason).toBe("signed_out");
    });

    it("removing a member ends their sessions at once", async () => {
      const gone = await seedUser(db, "Gone Soon", { workspaceId: fx.workspaceId, role: "editor" });
      const sid = await createUserSession(db, { userId: gone.id, expiresAt: new Date(Date.now() + WEEK) });
      // they are a member elsewhere too: the session would otherwise fall back to that workspace
      const other = await seedWorkspaceRow(db, "Elsewhere");
      await db.prisma.membership.create({ data: { workspaceId: other.id, userId: gone.id, role: "admin" } });
      await signInWithSession(fx.users.admin.userId);
      expect((await removeMemberAction({ userId: gone.id })).ok).toBe(true);
      server.signIn({ userId: gone.id, workspaceId: other.id, sessionId: sid.id });
      expect(await probe()).toBe("unauthenticated");
      const audit = await db.prisma.auditEntry.findFirstOrThrow({
        where: { action: "member.removed", targetId: gone.id },
      });
      expect((audit.data as { sessionsEnded: number }).sessionsEnded).toBe(1);
    });
  });

  describe("change password", () => {
    it("needs the current password and a long enough new one; ends the other sessions, keeps this one; audited", async () => {
      const person = await seedUser(db, "Pat Password", { workspaceId: fx.workspaceId, role: "admin" });
      await db.prisma.user.update({
        where: { id: person.id },
        data: { passwordHash: await hashPassword("the old password 1") },
      });
      const other = await signInWithSession(person.id);
      const current = await signInWithSession(person.id);

      const wrong = await changePasswordAction({ currentPassword: "nope", newPassword: "a brand new password" });
      expect(!wrong.ok && wrong.error.fieldErrors?.map((f) => f.path)).toEqual(["currentPassword"]);
      const short = await changePasswordAction({ currentPassword: "the old password 1", newPassword: "short" });
      expect(!short.ok && short.error.fieldErrors?.map((f) => f.path)).toEqual(["newPassword"]);
      expect(await probe()).toBe("ok");
      switchTo(person.id, other);
      expect(await probe()).toBe("ok");

      switchTo(person.id, current);
      const done = await changePasswordAction({
        currentPassword: "the old password 1",
        newPassword: "a brand new password",
      });
      expect(done).toEqual({ ok: true, data: { otherSessionsEnded: 1 } });
      expect(await probe()).toBe("ok"); // this session stays
      switchTo(person.id, other);
      expect(await probe()).toBe("unauthenticated"); // the other one ended
      const stored = await findUserForSignIn(db, person.email);
      expect(await verifyPassword(stored!.passwordHash!, "a brand new password")).toBe(true);
      expect(await verifyPassword(stored!.passwordHash!, "the old password 1")).toBe(false);
      const audit = await db.prisma.auditEntry.findMany({
        where: { action: "user.password_changed", targetId: person.id },
      });
      expect(audit).toHaveLength(1);
    });

    it("throttles wrong current passwords per session, not the owner's other sessions", async () => {
      const person = await seedUser(db, "Guess Target", { workspaceId: fx.workspaceId, role: "viewer" });
      await db.prisma.user.update({
        where: { id: person.id },
        data: { passwordHash: await hashPassword("the real one 123") },
      });
      const owners = await signInWithSession(person.id);
      const stolen = await signInWithSession(person.id);
      for (let i = 0; i < 5; i++) {
        const r = await changePasswordAction({ currentPassword: `guess ${i}`, newPassword: "attacker's new one" });
        expect(!r.ok && r.error.code).toBe("invalid:input");
      }
      // now even the right password waits on this session…
      const held = await changePasswordAction({
        currentPassword: "the real one 123",
        newPassword: "attacker's new one",
      });
      expect(!held.ok && held.error).toMatchObject({ code: "rate_limited", message: expect.stringMatching(/Wait/) });
      // …while the owner's own session is not held up
      switchTo(person.id, owners);
      const r = await changePasswordAction({ currentPassword: "the real one 123", newPassword: "the owner's new one" });
      expect(r).toEqual({ ok: true, data: { otherSessionsEnded: 1 } });
      switchTo(person.id, stolen);
      expect(await probe()).toBe("unauthenticated");
    });

    it("refuses the signed-out", async () => {
      server.as(null);
      const r = await changePasswordAction({ currentPassword: "x", newPassword: "a brand new password" });
      expect(!r.ok && r.error.code).toBe("unauthenticated");
    });
  });

  describe("invitations", () => {
    it("only admins invite; the answer does not say whether the e-mail has an account anywhere", async () => {
      for (const role of ["editor", "approver", "viewer"] as const) {
        server.as(role);
        const r = await inviteMemberAction({ email: "someone@else.test", role: "viewer" });
        expect(!r.ok && r.error.code).toBe("forbidden:member");
      }
      // an account that exists in another workspace, and an e-mail nobody has
      const elsewhere = await seedWorkspaceRow(db, "Other Co");
      const known = await seedUser(db, "Known Elsewhere", { workspaceId: elsewhere.id, role: "admin" });
      server.as("admin");
      const a = await inviteMemberAction({ email: known.email, role: "editor" });
      const b = await inviteMemberAction({ email: "nobody-yet@new.test", role: "editor" });
      expect(a.ok && b.ok).toBe(true);
      if (!a.ok || !b.ok) return;
      expect(Object.keys(a.data).sort()).toEqual(Object.keys(b.data).sort());
      expect(a.data.emailed).toBe(b.data.emailed);
      expect(a.data.path).toMatch(/^\/invite\/[A-Za-z0-9_-]{43}$/);
      // nothing is attached before the invitee accepts
      expect(
        await db.prisma.membership.findFirst({ where: { workspaceId: fx.workspaceId, userId: known.id } }),
      ).toBeNull();
      expect(await db.prisma.user.findUnique({ where: { email: "nobody-yet@new.test" } })).toBeNull();
      // stored hashed only
      const token = a.data.path!.slice("/invite/".length);
      const row = await db.prisma.invitation.findUniqueOrThrow({ where: { id: a.data.id } });
      expect(row.tokenHash).toBe(hashInvitationToken(token));
      expect(JSON.stringify(row)).not.toContain(token);
      const audit = await db.prisma.auditEntry.findMany({ where: { action: "member.invited", targetId: a.data.id } });
      expect(audit).toHaveLength(1);
    });

    it("a new person sets a name and password and joins with the role; the link works once", async () => {
      server.as("admin");
      const r = await inviteMemberAction({ email: "newbie@join.test", role: "approver" });
      if (!r.ok) throw new Error(r.error.message);
      const token = r.data.path!.slice("/invite/".length);
      const bad = acceptInvitationAsNewUser(db, { token, name: "N", password: "short" });
      await expect(bad).rejects.toMatchObject({ issues: [expect.objectContaining({ path: ["password"] })] });
      await acceptInvitationAsNewUser(db, { token, name: "Nia Newbie", password: "a long enough password" });
      const user = await findUserForSignIn(db, "newbie@join.test");
      expect(user?.name).toBe("Nia Newbie");
      expect(await verifyPassword(user!.passwordHash!, "a long enough password")).toBe(true);
      const m = await db.prisma.membership.findFirstOrThrow({
        where: { workspaceId: fx.workspaceId, userId: user!.id },
      });
      expect(m.role).toBe("approver");
      await expect(
        acceptInvitationAsNewUser(db, { token, name: "Again", password: "a long enough password" }),
      ).rejects.toMatchObject({ code: "conflict:invitation" });
      const audit = await db.prisma.auditEntry.findMany({ where: { action: "member.invitation_accepted" } });
      expect(audit.some((e) => e.summary.includes("newbie@join.test"))).toBe(true);
    });

    it("an existing account must sign in and consent (same e-mail); the new-account path cannot take it over", async () => {
      const elsewhere = await seedWorkspaceRow(db, "Third Co");
      const known = await seedUser(db, "Kim Known", { workspaceId: elsewhere.id, role: "viewer" });
      await db.prisma.user.update({
        where: { id: known.id },
        data: { passwordHash: await hashPassword("kims own password") },
      });
      const invited = await inviteMember(db, fx.users.admin, { email: known.email, role: "editor" }, { email: null });
      const token = invited.path!.slice("/invite/".length);
      // someone holding the link cannot set a password on Kim's account
      await expect(
        acceptInvitationAsNewUser(db, { token, name: "Mallory", password: "mallory's password!" }),
      ).rejects.toMatchObject({ code: "conflict:user" });
      const still = await findUserForSignIn(db, known.email);
      expect(await verifyPassword(still!.passwordHash!, "kims own password")).toBe(true);
      // another signed-in account cannot accept it
      await expect(
        acceptInvitationAsUser(db, { userId: fx.users.viewer.userId, email: fx.users.viewer.email }, token),
      ).rejects.toMatchObject({ code: "forbidden:invitation" });
      // Kim, signed in (in her own workspace), accepts; her session now works in the one she joined
      const { id: kimsSession } = await createUserSession(db, {
        userId: known.id,
        expiresAt: new Date(Date.now() + WEEK),
      });
      const claims = { userId: known.id, workspaceId: elsewhere.id, sessionId: kimsSession };
      expect((await actorFromClaims(db, claims))?.workspaceId).toBe(elsewhere.id);
      const joined = await acceptInvitationAsUser(
        db,
        { userId: known.id, email: known.email, sessionId: kimsSession },
        token,
      );
      expect(joined).toEqual({ workspaceId: fx.workspaceId, role: "editor" });
      expect(await actorFromClaims(db, claims)).toMatchObject({ workspaceId: fx.workspaceId, role: "editor" });
      await expect(acceptInvitationAsUser(db, { userId: known.id, email: known.email }, token)).rejects.toMatchObject({
        code: "conflict:invitation",
      });
    });

    it("revoked and expired invitations are refused; revoking is admin-only and audited", async () => {
      server.as("admin");
      const r = await inviteMemberAction({ email: "revoke-me@x.test", role: "viewer" });
      if (!r.ok) throw new Error(r.error.message);
      server.as("editor");
      expect((await revokeInvitationAction({ id: r.data.id })).ok).toBe(false);
      server.as("admin");
      expect(await revokeInvitationAction({ id: r.data.id })).toMatchObject({ ok: true });
      const token = r.data.path!.slice("/invite/".length);
      await expect(
        acceptInvitationAsNewUser(db, { token, name: "R", password: "a long enough password" }),
      ).rejects.toMatchObject({ code: "conflict:invitation" });
      expect(
        await db.prisma.auditEntry.count({ where: { action: "member.invitation_revoked", targetId: r.data.id } }),
      ).toBe(1);

      const e = await inviteMemberAction({ email: "expire-me@x.test", role: "viewer" });
      if (!e.ok) throw new Error(e.error.message);
      await db.prisma.invitation.update({ where: { id: e.data.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
      await expect(
        acceptInvitationAsNewUser(db, {
          token: e.data.path!.slice("/invite/".length),
          name: "E",
          password: "a long enough password",
        }),
      ).rejects.toMatchObject({ code: "conflict:invitation" });
      expect(await db.prisma.user.findUnique({ where: { email: "expire-me@x.test" } })).toBeNull();
    });

    it("with a mail transport the link goes out by e-mail and is not returned", async () => {
      const sent: { to: string; text: string }[] = [];
      const r = await inviteMember(
        db,
        fx.users.admin,
        { email: "mailed@x.test", role: "viewer" },
        { email: async (m) => void sent.push(m), publicUrl: "https://sb.example.com" },
      );
      expect(r.emailed).toBe(true);
      expect(r.path).toBeNull();
      expect(sent).toHaveLength(1);
      expect(sent[0]!.to).toBe("mailed@x.test");
      expect(sent[0]!.text).toMatch(/https:\/\/sb\.example\.com\/invite\/[A-Za-z0-9_-]{43}/);
    });
  });
});
