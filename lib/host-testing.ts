// A host for tests: the same wiring as the web server, the CLI and workers (lib/host.ts) over a
// fresh, migrated SQLite database (or one the test gives), with nothing running in the
// background until the test calls start(). dispose() closes the host and deletes the database.
import type { Db } from "./db/client";
import { openTestSqlite } from "./db/testing";
import { createHost, type Host, type HostOptions } from "./host";

export type TestHost = Host & { dispose(): Promise<void> };

export async function createTestHost(
  options: Omit<HostOptions, "role" | "db" | "target" | "seed"> & { db?: Db } = {},
): Promise<TestHost> {
  const own = options.db ? null : await openTestSqlite();
  const db = options.db ?? (own as Db);
  const host = await createHost({ ...options, role: "test", db, log: options.log ?? (() => {}) });
  return Object.assign(host, {
    async dispose() {
      await host.close();
      await own?.dispose();
    },
  });
}
