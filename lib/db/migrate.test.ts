import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { type Migration, MigrationError, migrate } from "./migrate";
import { TEST_POSTGRES_URL } from "./testing";

const migration = (name: string, sql: string): Migration => ({ name, sql, checksum: name });

const good = migration("001_widgets", `CREATE TABLE "Widget" ("id" TEXT PRIMARY KEY NOT NULL, "name" TEXT NOT NULL);`);
// Creates a table, then fails: the table must not survive.
const broken = migration(
  "002_broken",
  `CREATE TABLE "Gadget" ("id" TEXT PRIMARY KEY NOT NULL); INSERT INTO "Widget" ("id") VALUES ('missing-name');`,
);

describe("migrate on SQLite", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function scratchFile() {
    const dir = mkdtempSync(join(tmpdir(), "sb-migrate-"));
    dirs.push(dir);
    return join(dir, "m.db");
  }

  it("applies pending migrations once, in WAL mode, recording them like Prisma", async () => {
    const file = scratchFile();
    const target = { provider: "sqlite" as const, file, url: `file:${file}` };
    expect((await migrate(target, [good])).applied).toEqual(["001_widgets"]);
    const db = new Database(file);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    const rows = db.prepare(`SELECT migration_name FROM "_prisma_migrations"`).all();
    expect(rows).toEqual([{ migration_name: "001_widgets" }]);
    db.close();
  });

  it("rolls a failing migration back completely and names it", async () => {
    const file = scratchFile();
    const target = { provider: "sqlite" as const, file, url: `file:${file}` };
    const error = await migrate(target, [good, broken]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).migration).toBe("002_broken");
    expect((error as Error).message).toMatch(/002_broken failed and was rolled back: .*NOT NULL/);
    const db = new Database(file);
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all();
    expect(tables).toEqual([{ name: "Widget" }, { name: "_prisma_migrations" }]);
    expect(db.prepare(`SELECT migration_name FROM "_prisma_migrations"`).all()).toEqual([
      { migration_name: "001_widgets" },
    ]);
    db.close();
  });
});

describe("migrate on PostgreSQL", () => {
  it("rolls a failing migration back completely and names it", async () => {
    const schema = `mig_${Date.now().toString(36)}`;
    const url = `${TEST_POSTGRES_URL}?schema=${schema}`;
    const error = await migrate({ provider: "postgresql", url, schema }, [good, broken]).catch((e: unknown) => e);
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    try {
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).migration).toBe("002_broken");
      const tables = await client.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
        [schema],
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual(["Widget", "_prisma_migrations"]);
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  });
});
