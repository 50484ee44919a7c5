// Server-side session records on both databases: active / revoked / expired / another user's,
// revoking all but one, switching workspace, and pruning old records.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Fixture, seedWorkspace } from "./fixtures";
import {
  createUserSession,
  findActiveSession,
  pruneUserSessions,
  revokeSession,
  revokeUserSessions,
  setSessionWorkspace,
} from "./sessions";
import { TEST_DATABASES } from "./testing";

const HOUR = 3_600_000;

describe.each(TEST_DATABASES)("user sessions on $name", ({ open }) => {
  let db: Awaited<ReturnType<typeof open>>;
  let fx: Fixture;
  beforeAll(async () => {
    db = await open();
    fx = await seedWorkspace(db);
  });
  afterAll(async () => {
    await db?.dispose();
  });
  const later = () => new Date(Date.now() + HOUR);

  it("finds an active session only for its own user, until revoked or expired", async () => {
    const me = fx.users.editor.userId;
    const { id } = await createUserSession(db, { userId: me, expiresAt: later() });
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await findActiveSession(db, id, me)).toEqual({ workspaceId: null });
    expect(await findActiveSession(db, id, fx.users.viewer.userId)).toBeNull();
    expect(await findActiveSession(db, id, me, new Date(Date.now() + 2 * HOUR))).toBeNull();
    expect(await revokeSession(db, id, "signed_out")).toBe(true);
    expect(await revokeSession(db, id, "signed_out")).toBe(false);
    expect(await findActiveSession(db, id, me)).toBeNull();
  });

  it("revokes every session of a user but one; switches a session's workspace", async () => {
    const me = fx.users.approver.userId;
    const keep = await createUserSession(db, { userId: me, expiresAt: later() });
    const a = await createUserSession(db, { userId: me, expiresAt: later() });
    const b = await createUserSession(db, { userId: me, expiresAt: later() });
    const other = await createUserSession(db, { userId: fx.users.admin.userId, expiresAt: later() });
    expect(await revokeUserSessions(db, me, "password_changed", { exceptId: keep.id })).toBe(2);
    expect(await findActiveSession(db, keep.id, me)).not.toBeNull();
    expect(await findActiveSession(db, a.id, me)).toBeNull();
    expect(await findActiveSession(db, b.id, me)).toBeNull();
    expect(await findActiveSession(db, other.id, fx.users.admin.userId)).not.toBeNull();
    await setSessionWorkspace(db, keep.id, fx.workspaceId);
    expect(await findActiveSession(db, keep.id, me)).toEqual({ workspaceId: fx.workspaceId });
  });

  it("prunes records that ended more than a day ago, keeps the rest", async () => {
    const me = fx.users.viewer.userId;
    const old = await createUserSession(db, { userId: me, expiresAt: new Date(Date.now() - 48 * HOUR) });
    const live = await createUserSession(db, { userId: me, expiresAt: later() });
    await pruneUserSessions(db);
    expect(await db.prisma.userSession.findUnique({ where: { id: old.id } })).toBeNull();
    expect(await db.prisma.userSession.findUnique({ where: { id: live.id } })).not.toBeNull();
  });
});
