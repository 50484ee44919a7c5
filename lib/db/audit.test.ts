import { describe, expect, it } from "vitest";
import type { Actor } from "../auth/policy";
import { auditFacets, decodeAuditCursor, listAudit, recordAudit } from "./audit";
import { TEST_DATABASES } from "./testing";

describe.each(TEST_DATABASES)("audit trail on $name", ({ open }) => {
  it("records who, what, which object, when; filters; pages with a stable cursor", async () => {
    const db = await open();
    try {
      const ws = await db.prisma.workspace.create({ data: { name: "A", slug: `a-${Date.now()}` } });
      const other = await db.prisma.workspace.create({ data: { name: "B", slug: `b-${Date.now()}` } });
      const alice: Actor = {
        userId: "u1",
        email: "alice@acme.test",
        name: "Alice",
        workspaceId: ws.id,
        role: "admin",
        via: "session",
      };
      const base = Date.parse("2026-11-01T10:00:00Z");
      // 7 entries over 7 days; two actions; two actors; one in another workspace.
      for (let i = 0; i < 7; i++) {
        const entry = await recordAudit(db.prisma, {
          workspaceId: ws.id,
          actor: i % 2 === 0 ? alice : { label: "system" },
          action: i < 4 ? "workflow.saved" : "run.started",
          targetType: i < 4 ? "workflow" : "run",
          targetId: `t${i}`,
          summary: `entry ${i}`,
          data: { i },
        });
        await db.prisma.auditEntry.update({
          where: { id: entry.id },
          data: { createdAt: new Date(base + i * 86_400_000) },
        });
      }
      await recordAudit(db.prisma, {
        workspaceId: other.id,
        actor: { label: "x" },
        action: "workflow.saved",
        targetType: "workflow",
        summary: "elsewhere",
      });

      const all = await listAudit(db.prisma, { workspaceId: ws.id });
      expect(all.entries.map((e) => e.summary)).toEqual([
        "entry 6",
        "entry 5",
        "entry 4",
        "entry 3",
        "entry 2",
        "entry 1",
        "entry 0",
      ]);
      expect(all.nextCursor).toBeNull();
      const first = all.entries[6]!;
      expect(first).toMatchObject({
        actorId: "u1",
        actorLabel: "alice@acme.test",
        action: "workflow.saved",
        targetType: "workflow",
        targetId: "t0",
      });
      expect(first.data).toEqual({ i: 0 });
      expect(all.entries[5]).toMatchObject({ actorId: null, actorLabel: "system" });

      expect(
        (await listAudit(db.prisma, { workspaceId: ws.id, action: "run.started" })).entries.map((e) => e.summary),
      ).toEqual(["entry 6", "entry 5", "entry 4"]);
      expect((await listAudit(db.prisma, { workspaceId: ws.id, actorId: "u1" })).entries).toHaveLength(4);
      expect((await listAudit(db.prisma, { workspaceId: ws.id, actorLabel: "alice" })).entries).toHaveLength(4);
      const ranged = await listAudit(db.prisma, {
        workspaceId: ws.id,
        from: new Date("2026-11-02T00:00:00Z"),
        to: new Date("2026-11-04T00:00:00Z"),
      });
      expect(ranged.entries.map((e) => e.summary)).toEqual(["entry 2", "entry 1"]);

      // pages of 3: 3 + 3 + 1, no overlap, no gap
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await listAudit(db.prisma, { workspaceId: ws.id, limit: 3, cursor });
        seen.push(...page.entries.map((e) => e.summary));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual(all.entries.map((e) => e.summary));

      const facets = await auditFacets(db.prisma, ws.id);
      expect(facets.actions).toEqual(["run.started", "workflow.saved"]);
      expect(facets.actors.map((a) => a.actorLabel)).toEqual(["alice@acme.test", "system"]);
    } finally {
      await db.dispose();
    }
  });

  it("keeps entries with the same timestamp apart in pagination", async () => {
    const db = await open();
    try {
      const ws = await db.prisma.workspace.create({ data: { name: "A", slug: `same-${Date.now()}` } });
      const at = new Date("2026-11-05T00:00:00Z");
      for (let i = 0; i < 5; i++) {
        const e = await recordAudit(db.prisma, {
          workspaceId: ws.id,
          actor: { label: "s" },
          action: "x",
          targetType: "y",
          summary: `s${i}`,
        });
        await db.prisma.auditEntry.update({ where: { id: e.id }, data: { createdAt: at } });
      }
      const a = await listAudit(db.prisma, { workspaceId: ws.id, limit: 2 });
      const b = await listAudit(db.prisma, { workspaceId: ws.id, limit: 2, cursor: a.nextCursor });
      const c = await listAudit(db.prisma, { workspaceId: ws.id, limit: 2, cursor: b.nextCursor });
      const ids = [...a.entries, ...b.entries, ...c.entries].map((e) => e.id);
      expect(new Set(ids).size).toBe(5);
      expect(c.nextCursor).toBeNull();
    } finally {
      await db.dispose();
    }
  });
});

describe("audit cursor", () => {
  it("rejects garbage", () => {
    expect(decodeAuditCursor("not-a-cursor")).toBeNull();
  });
});
