// The server context hands every page, action and route the process's host. A test that gives
// only a database gets a host wired around that database (nothing started), one per override.
import { afterEach, describe, expect, it } from "vitest";

import { openTestSqlite } from "@/lib/db/testing";
import { serverContext, setServerContextForTests } from "./context";

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  setServerContextForTests(null);
  while (cleanups.length) await Promise.resolve(cleanups.pop()!()).catch(() => {});
});

describe("serverContext", () => {
  it("gives a test's database a host of its own, memoised until the next override", async () => {
    const db = await openTestSqlite();
    cleanups.push(() => db.dispose());
    setServerContextForTests({ db: async () => db, readSession: async () => null });
    const host = await serverContext().host();
    cleanups.push(() => host.close());
    expect(host.db).toBe(db);
    expect(host.role).toBe("test");
    expect(await serverContext().host()).toBe(host);
    expect(await serverContext().db()).toBe(db);
    expect([host.runner, host.notifications.worker]).toEqual([null, null]);

    setServerContextForTests({ db: async () => db });
    const next = await serverContext().host();
    cleanups.push(() => next.close());
    expect(next).not.toBe(host);
  });

  it("derives the database from a host a test gives", async () => {
    const db = await openTestSqlite();
    cleanups.push(() => db.dispose());
    const { createHost } = await import("@/lib/host");
    const host = await createHost({ role: "test", db });
    cleanups.push(() => host.close());
    setServerContextForTests({ host: async () => host });
    expect(await serverContext().db()).toBe(db);
  });
});
