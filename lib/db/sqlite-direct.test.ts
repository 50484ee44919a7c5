// The run store's fast path finds Prisma's SQLite connection through sqlite-direct.ts. Next
// bundles server code into several chunks, each with its own copy of this module: every copy
// must find the connection, or its stores fall back to the slow Prisma path without a word.
import { afterEach, expect, it, vi } from "vitest";
import { openTestSqlite } from "./testing";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

it("a second copy of the module finds the connection the first copy recorded", async () => {
  const db = await openTestSqlite();
  cleanups.push(() => db.dispose());
  await db.prisma.$queryRawUnsafe("SELECT 1");
  const first = await import("./sqlite-direct");
  expect(first.sqliteHandleOf(db.prisma)).not.toBeNull();

  vi.resetModules();
  const second = await import("./sqlite-direct");
  expect(second).not.toBe(first);
  expect(second.sqliteHandleOf(db.prisma)).toBe(first.sqliteHandleOf(db.prisma));
});
