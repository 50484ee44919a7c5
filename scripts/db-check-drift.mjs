#!/usr/bin/env node
// Fails when the committed migrations do not produce exactly prisma/schema.prisma (and its
// derived PostgreSQL twin, see below): applies the migrations to a scratch database with the runtime's own
// migrator, then asks Prisma's WASM schema engine for the difference. Run by `npm run lint`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { SchemaEngine } from "@prisma/schema-engine-wasm";
import pg from "pg";

const root = new URL("..", import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), "sb-drift-"));
const pgBase = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const pgSchema = `drift_${Date.now().toString(36)}`;

function migrateWithRuntime(url) {
  execFileSync(process.execPath, ["--import", "tsx", join(root, "scripts/migrate.ts")], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

async function diffAgainst(schemaFile, factory) {
  const content = readFileSync(join(root, schemaFile), "utf8");
  const engine = await SchemaEngine.new(
    { datamodels: [[schemaFile, content]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(factory),
  );
  const files = [{ path: schemaFile, content }];
  const result = await engine.diff({
    from: { tag: "schemaDatasource", files, configDir: root },
    to: { tag: "schemaDatamodel", files },
    script: true,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
  return (result.stdout ?? "").trim();
}

let failed = false;
try {
  const file = join(scratch, "drift.db");
  migrateWithRuntime(`file:${file}`);
  const sqliteDiff = await diffAgainst("prisma/schema.prisma", new PrismaBetterSqlite3({ url: file }));
  // The WASM engine cannot introspect PostgreSQL through the adapter ("Column type 'char' could
  // not be deserialized"), so for PostgreSQL we check that its migrations apply cleanly and
  // that both providers have the same migration history; the schema itself is derived.
  migrateWithRuntime(`${pgBase}?schema=${pgSchema}`);
  const names = (dir) =>
    readdirSync(join(root, dir))
      .filter((d) => !d.endsWith(".toml"))
      .sort()
      .join(",");
  if (names("prisma/migrations") !== names("prisma/postgres/migrations")) {
    failed = true;
    console.error("schema drift: prisma/migrations and prisma/postgres/migrations hold different migrations");
  }
  for (const [label, diff] of [["sqlite", sqliteDiff]]) {
    if (diff && diff !== "-- This is an empty migration.") {
      failed = true;
      console.error(
        `schema drift (${label}): the migrations do not match the schema. Run npm run db:migration -- <name>.\n${diff}`,
      );
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: pgBase });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${pgSchema}" CASCADE`);
  await client.end();
}
if (failed) process.exit(1);
console.log("schema drift: none");
