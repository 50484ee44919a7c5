// The number next to "Inbox" in the navigation: pending approvals in my workspace assigned to
// me (my user id in assigneeUserIds) or to my role (in assigneeRoles). Both columns hold JSON
// string arrays, so the test is done in SQL per provider: json_each on SQLite, jsonb
// containment on PostgreSQL. Viewers never decide (lib/auth/policy.ts), so they count 0.
import type { Role } from "../auth/roles";
import type { Db } from "./client";
import { Prisma } from "./generated/sqlite/client";

export async function countInboxFor(db: Db, who: { workspaceId: string; userId: string; role: Role }): Promise<number> {
  if (who.role === "viewer") return 0;
  if (db.provider === "sqlite") {
    const rows = await db.prisma.$queryRaw<{ n: bigint | number }[]>`
      SELECT COUNT(*) AS n FROM "Approval" a
      WHERE a."workspaceId" = ${who.workspaceId} AND a."status" = 'pending'
        AND (EXISTS (SELECT 1 FROM json_each(a."assigneeUserIds") WHERE json_each.value = ${who.userId})
          OR EXISTS (SELECT 1 FROM json_each(a."assigneeRoles") WHERE json_each.value = ${who.role}))`;
    return Number(rows[0]?.n ?? 0);
  }
  // Raw SQL is not schema-qualified by the adapter: name the schema when DATABASE_URL has ?schema=.
  const schema = db.target.provider === "postgresql" ? db.target.schema : undefined;
  const table = Prisma.raw(schema ? `"${schema.replace(/"/g, "")}"."Approval"` : `"Approval"`);
  const rows = await db.prisma.$queryRaw<{ n: bigint | number }[]>`
    SELECT COUNT(*) AS n FROM ${table} a
    WHERE a."workspaceId" = ${who.workspaceId} AND a."status" = 'pending'
      AND (a."assigneeUserIds" @> ${JSON.stringify([who.userId])}::jsonb
        OR a."assigneeRoles" @> ${JSON.stringify([who.role])}::jsonb)`;
  return Number(rows[0]?.n ?? 0);
}
