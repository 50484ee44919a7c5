import { describe, expect, it } from "vitest";
import { TEST_DATABASES } from "./testing";

describe.each(TEST_DATABASES)("database on $name", ({ open }) => {
  it("is migrated on open and round-trips JSON", async () => {
    const db = await open();
    try {
      const ws = await db.prisma.workspace.create({
        data: { name: "T", slug: `t-${Date.now()}`, settings: { a: [1, 2] } },
      });
      const read = await db.prisma.workspace.findUniqueOrThrow({ where: { id: ws.id } });
      expect(read.settings).toEqual({ a: [1, 2] });
    } finally {
      await db.dispose();
    }
  });
});
