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
import Database from "better-sqlite3";
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

// Partial indexes (`where: raw("…")`): the WASM schema engine cannot describe them through the
// better-sqlite3 adapter (it looks the index up with a double-quoted string literal, which
// better-sqlite3's SQLite rejects), so they are checked here, outside the engine's diff: each
// one must exist in the migrated database with exactly its predicate; the engine's diff then
// compares everything else, with those indexes made plain on both sides.
const PARTIAL = /@@index\(\[([^\]]*)\](?:, map: "([^"]+)")?, where: raw\("((?:[^"\\]|\\.)*)"\)\)/g;

function partialIndexes(schemaText) {
  const found = [];
  for (const model of schemaText.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    for (const m of model[2].matchAll(PARTIAL)) {
      const columns = m[1].split(",").map((c) => c.trim());
      const name = m[2] ?? `${model[1]}_${columns.join("_")}_idx`;
      found.push({ table: model[1], name, columns, where: m[3].replace(/\\"/g, '"') });
    }
  }
  return found;
}

function checkPartialIndexes(file, expected) {
  const db = new Database(file);
  const problems = [];
  try {
    for (const index of expected) {
      const row = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").get(index.name);
      const predicate = row ? /\bWHERE\s+([\s\S]*)$/i.exec(row.sql)?.[1].trim() : undefined;
      if (predicate !== index.where)
        problems.push(
          `${index.name}: expected WHERE ${index.where}, the migrations give ${row ? (predicate ?? "no WHERE") : "no index"}`,
        );
    }
    // every partial index the migrations made, expected or not, becomes plain for the engine's diff
    const partial = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql LIKE '%WHERE%'").all();
    for (const { name, sql } of partial) {
      db.exec(`DROP INDEX "${name}"`);
      db.exec(sql.replace(/\s+WHERE\s+[\s\S]*$/i, ""));
    }
  } finally {
    db.close();
  }
  return problems;
}

async function diffAgainst(schemaFile, factory) {
  const content = readFileSync(join(root, schemaFile), "utf8").replace(PARTIAL, (whole) =>
    whole.replace(/, where: raw\("(?:[^"\\]|\\.)*"\)/, ""),
  );
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
  const partialProblems = checkPartialIndexes(
    file,
    partialIndexes(readFileSync(join(root, "prisma/schema.prisma"), "utf8")),
  );
  if (partialProblems.length) {
    failed = true;
    console.error(`schema drift (sqlite partial indexes):\n${partialProblems.join("\n")}`);
  }
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
  await client.query(`DROP SCHEMA IF EXISTS "${pgSchema}_jobs" CASCADE`); // the run queue's (lib/db/jobs.ts)
  await client.end();
}
if (failed) process.exit(1);
console.log("schema drift: none");
