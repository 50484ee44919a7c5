// Test helpers for the data layer: a fresh SQLite file or a fresh PostgreSQL schema per call,
// migrated and ready. PostgreSQL tests use the real server (TEST_POSTGRES_URL, default
// postgres://postgres@127.0.0.1:5432/test), never a mock.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { readEnv } from "../env";
import { type Db, openDb } from "./client";

export const TEST_POSTGRES_URL = readEnv().TEST_POSTGRES_URL;

export async function openTestSqlite(): Promise<Db & { dispose(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-test-"));
  const file = join(dir, "test.db");
  const db = await openDb({ provider: "sqlite", file, url: `file:${file}` });
  return {
    ...db,
    async dispose() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function openTestPostgres(): Promise<Db & { dispose(): Promise<void> }> {
  const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const url = `${TEST_POSTGRES_URL}${TEST_POSTGRES_URL.includes("?") ? "&" : "?"}schema=${schema}`;
  const db = await openDb({ provider: "postgresql", url, schema });
  return {
    ...db,
    async dispose() {
      await db.close();
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      // graphile-worker's schema for this one (lib/db/jobs.ts)
      await client.query(`DROP SCHEMA IF EXISTS "${schema}_jobs" CASCADE`);
      await client.end();
    },
  };
}

/** Both providers, for `describe.each(DATABASES)` style tests. */
export const TEST_DATABASES = [
  { name: "sqlite", open: openTestSqlite },
  { name: "postgresql", open: openTestPostgres },
] as const;
