import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/contracts/app-errors";
import { authenticateApiKey, createApiKey, listApiKeys, revokeApiKey } from "./api-keys";
import { countInboxFor } from "./inbox-count";
import { TEST_DATABASES } from "./testing";
import { addMember, changeMemberRole, findMembership, findUserForSignIn, listMembers, removeMember } from "./users";

describe.each(TEST_DATABASES)("members on $name", ({ open }) => {
  it("adds, changes and removes members, never the last admin", async () => {
    const db = await open();
    try {
      const ws = await db.prisma.workspace.create({ data: { name: "W", slug: `w-${Date.now()}` } });
      const admin = await addMember(db.prisma, {
        workspaceId: ws.id,
        email: " Boss@Acme.TEST ",
        name: "Boss",
        role: "admin",
        passwordHash: "h1",
      });
      expect(admin.member.email).toBe("boss@acme.test");
      expect(admin.createdUser).toBe(true);
      const ed = await addMember(db.prisma, {
        workspaceId: ws.id,
        email: "ed@acme.test",
        name: "Ed",
        role: "editor",
        passwordHash: "h2",
      });
      await expect(
        addMember(db.prisma, {
          workspaceId: ws.id,
          email: "ED@acme.test",
          name: "Ed",
          role: "viewer",
          passwordHash: "h3",
        }),
      ).rejects.toMatchObject({ code: "conflict:member" });

      // the last admin can be neither demoted nor removed; nothing changes
      await expect(
        changeMemberRole(db.prisma, { workspaceId: ws.id, userId: admin.member.userId, role: "viewer" }),
      ).rejects.toBeInstanceOf(AppError);
      await expect(removeMember(db.prisma, { workspaceId: ws.id, userId: admin.member.userId })).rejects.toMatchObject({
        code: "conflict:member",
      });
      expect((await findMembership(db.prisma, admin.member.userId, ws.id))?.role).toBe("admin");

      const audits: string[] = [];
      const change = await changeMemberRole(
        db.prisma,
        { workspaceId: ws.id, userId: ed.member.userId, role: "admin" },
        async (tx, c) => {
          audits.push(`${c.from}->${c.to}`);
          await tx.auditEntry.create({
            data: {
              workspaceId: ws.id,
              actorLabel: "t",
              action: "member.role_changed",
              targetType: "member",
              summary: "x",
            },
          });
        },
      );
      expect(change).toMatchObject({ from: "editor", to: "admin" });
      // with a second admin the first may step down
      await changeMemberRole(db.prisma, { workspaceId: ws.id, userId: admin.member.userId, role: "viewer" });
      await removeMember(db.prisma, { workspaceId: ws.id, userId: admin.member.userId });
      expect((await listMembers(db.prisma, ws.id)).map((m) => [m.email, m.role])).toEqual([["ed@acme.test", "admin"]]);
      expect(audits).toEqual(["editor->admin"]);
      expect(await db.prisma.auditEntry.count({ where: { workspaceId: ws.id } })).toBe(1);
      // the user row stays (audit references it); only the membership is gone
      expect(await findUserForSignIn(db.prisma, "boss@acme.test")).toMatchObject({ passwordHash: "h1" });
      expect(await findMembership(db.prisma, admin.member.userId)).toBeNull();
      await expect(removeMember(db.prisma, { workspaceId: ws.id, userId: "nobody" })).rejects.toMatchObject({
        code: "not_found:member",
      });
    } finally {
      await db.dispose();
    }
  });

  it("a failing audit write rolls the role change back", async () => {
    const db = await open();
    try {
      const ws = await db.prisma.workspace.create({ data: { name: "W", slug: `r-${Date.now()}` } });
      await addMember(db.prisma, {
        workspaceId: ws.id,
        email: "a@x.test",
        name: "A",
        role: "admin",
        passwordHash: "h",
      });
      const v = await addMember(db.prisma, {
        workspaceId: ws.id,
        email: "v@x.test",
        name: "V",
        role: "viewer",
        passwordHash: "h",
      });
      await expect(
        changeMemberRole(db.prisma, { workspaceId: ws.id, userId: v.member.userId, role: "editor" }, async () => {
          throw new Error("audit down");
        }),
      ).rejects.toThrow("audit down");
      expect((await findMembership(db.prisma, v.member.userId, ws.id))?.role).toBe("viewer");
    } finally {
      await db.dispose();
    }
  });
});

describe.each(TEST_DATABASES)("API keys on $name", ({ open }) => {
  it("stores only a hash, authenticates, and refuses revoked keys", async () => {
    const db = await open();
    try {
      const ws = await db.prisma.workspace.create({ data: { name: "W", slug: `k-${Date.now()}` } });
      const { key, apiKey } = await createApiKey(db.prisma, {
        workspaceId: ws.id,
        name: "ci",
        role: "editor",
        createdById: null,
      });
      expect(key).toMatch(/^sb_[A-Za-z0-9_-]{43}$/);
      const row = await db.prisma.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
      expect(JSON.stringify(row)).not.toContain(key);
      expect(await authenticateApiKey(db.prisma, key)).toMatchObject({
        workspaceId: ws.id,
        role: "editor",
        name: "ci",
      });
      expect(await authenticateApiKey(db.prisma, `${key}x`)).toBeNull();
      await revokeApiKey(db.prisma, { workspaceId: ws.id, id: apiKey.id });
      expect(await authenticateApiKey(db.prisma, key)).toBeNull();
      expect((await listApiKeys(db.prisma, ws.id))[0]?.revokedAt).toBeInstanceOf(Date);
      await expect(revokeApiKey(db.prisma, { workspaceId: "other", id: apiKey.id })).rejects.toMatchObject({
        code: "not_found:apikey",
      });
    } finally {
      await db.dispose();
    }
  });
});

describe.each(TEST_DATABASES)("inbox count on $name", ({ open }) => {
  it("counts pending approvals assigned to me or my role, in my workspace only", async () => {
    const db = await open();
    try {
      const ws = await db.prisma.workspace.create({ data: { name: "W", slug: `i-${Date.now()}` } });
      const other = await db.prisma.workspace.create({ data: { name: "O", slug: `io-${Date.now()}` } });
      const mk = async (workspaceId: string) => {
        const wf = await db.prisma.workflow.create({ data: { workspaceId, name: "w", draft: {} } });
        const v = await db.prisma.workflowVersion.create({
          data: { workspaceId, workflowId: wf.id, version: 1, document: {}, contentHash: "h" },
        });
        return db.prisma.run.create({
          data: {
            workspaceId,
            workflowId: wf.id,
            workflowVersionId: v.id,
            status: "waiting",
            trigger: "manual",
            input: {},
            state: {},
          },
        });
      };
      const run = await mk(ws.id);
      const otherRun = await mk(other.id);
      let n = 0;
      const approval = (runId: string, workspaceId: string, roles: string[], users: string[], status = "pending") =>
        db.prisma.approval.create({
          data: {
            workspaceId,
            runId,
            nodeId: `a${n}`,
            visit: n++,
            title: "t",
            assigneeRoles: roles,
            assigneeUserIds: users,
            status,
          },
        });
      await approval(run.id, ws.id, ["approver"], []);
      await approval(run.id, ws.id, [], ["u_me"]);
      await approval(run.id, ws.id, ["approver"], ["u_me"]); // counted once
      await approval(run.id, ws.id, ["editor"], []);
      await approval(run.id, ws.id, ["approver"], [], "approved");
      await approval(run.id, ws.id, [], ["u_me_too"]); // prefix of another id must not match
      await approval(otherRun.id, other.id, ["approver"], ["u_me"]);

      expect(await countInboxFor(db, { workspaceId: ws.id, userId: "u_me", role: "approver" })).toBe(3);
      expect(await countInboxFor(db, { workspaceId: ws.id, userId: "u_x", role: "editor" })).toBe(1);
      expect(await countInboxFor(db, { workspaceId: ws.id, userId: "u_x", role: "admin" })).toBe(0);
      expect(await countInboxFor(db, { workspaceId: ws.id, userId: "u_me", role: "viewer" })).toBe(0);
    } finally {
      await db.dispose();
    }
  });
});
