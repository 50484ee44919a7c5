// The server-action test harness: server actions and route handlers end to end without Next, on a
// real database. Call it inside a `describe.each(TEST_DATABASES)` block (one database per
// provider, a fresh SQLite file or PostgreSQL schema per file); it opens the database, seeds the
// fixture (a workspace with one member per role, lib/db/fixtures.ts), builds the process's host
// around it (lib/host-testing.ts), and points authedAction/authedRoute at both. `as(role)` signs
// in as that member (`as(null)` signs out); `signIn(claims)` takes any session claims.
//
//   describe.each(TEST_DATABASES)("settings on $name", ({ open }) => {
//     const server = serverHarness(open);
//     it("refuses viewers", async () => {
//       server.as("viewer");
//       expect(await setRetentionAction({ retentionDays: 30 })).toMatchObject({ ok: false });
//     });
//   });
//
// Test files still start with `vi.mock("server-only", () => ({}))` (vitest hoists mocks per file).
import { afterAll, beforeAll } from "vitest";
import type { Db } from "@/lib/db/client";
import { type Fixture, seedWorkspace } from "@/lib/db/fixtures";
import { createTestHost, type TestHost } from "@/lib/host-testing";
import { type SessionClaims, setServerContextForTests } from "./context";

export type TestDb = Db & { dispose(): Promise<void> };

type WithUsers = { workspaceId: string; users: Record<string, { userId: string }> };

export interface ServerHarness<F> {
  /** The test database (available from the first test on). */
  readonly db: TestDb;
  /** What the seed wrote. */
  readonly fx: F;
  /** The host the actions and routes run on (its engine, store, approvals). */
  readonly host: TestHost;
  /** Signs in as the fixture's member with this key (`null`: signed out). */
  as(who: (F extends WithUsers ? keyof F["users"] : string) | null): void;
  /** Signs in with these session claims (another workspace, a removed member…); null signs out. */
  signIn(claims: SessionClaims | null): void;
}

export function serverHarness<F = Fixture>(
  open: () => Promise<TestDb>,
  seed: (db: Db) => Promise<F> = seedWorkspace as unknown as (db: Db) => Promise<F>,
): ServerHarness<F> {
  let session: SessionClaims | null = null;
  let db: TestDb | undefined;
  let fx: F | undefined;
  let host: TestHost | undefined;

  beforeAll(async () => {
    db = await open();
    fx = await seed(db);
    const started = await createTestHost({ db });
    host = started;
    setServerContextForTests({ host: async () => started, readSession: async () => session });
  });
  afterAll(async () => {
    setServerContextForTests(null);
    await host?.dispose();
    await db?.dispose();
  });

  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`serverHarness: ${what} is not ready (use it inside a test or hook).`);
    return value;
  };

  return {
    get db() {
      return ready(db, "the database");
    },
    get fx() {
      return ready(fx, "the fixture");
    },
    get host() {
      return ready(host, "the host");
    },
    as(who) {
      if (who === null) {
        session = null;
        return;
      }
      const f = ready(fx, "the fixture") as unknown as WithUsers;
      const user = f.users?.[who as string];
      if (!user) throw new Error(`serverHarness: the fixture has no user "${String(who)}".`);
      session = { userId: user.userId, workspaceId: f.workspaceId };
    },
    signIn(claims) {
      session = claims;
    },
  };
}
