import { it } from "vitest";
import { openTestSqlite } from "@/lib/db/testing";
it("dt", async () => {
  const db = await openTestSqlite();
  const ws = await db.prisma.workspace.create({ data: { name: "T", slug: "t" } });
  const r = await db.prisma.$queryRawUnsafe(`SELECT createdAt, typeof(createdAt) t FROM Workspace`);
  console.log(r);
  const r2 = await db.prisma.$queryRawUnsafe(`SELECT 1.5 as a, count(*) as c, sum(1) s FROM Workspace`);
  console.log(r2);
  await db.dispose();
});
