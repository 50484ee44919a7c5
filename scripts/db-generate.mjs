#!/usr/bin/env node
// Derives the PostgreSQL schema from prisma/schema.prisma and generates both clients.
// The Prisma CLI would download a native schema engine it never calls during generate;
// pointing PRISMA_SCHEMA_ENGINE_BINARY at any file keeps generate offline.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const sqliteSchema = join(root, "prisma/schema.prisma");
const postgresSchema = join(root, "prisma/postgres/schema.prisma");

export function derivePostgresSchema(text) {
  return text
    .replace(/(output\s*=\s*)"\.\.\/lib\/db\/generated\/sqlite"/, '$1"../../lib/db/generated/postgres"')
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace(
      /^\/\/ Switchboard data model\..*?\n\n/s,
      "// GENERATED from prisma/schema.prisma by scripts/db-generate.mjs. Do not edit.\n\n",
    );
}

// Run as a script (npm postinstall, db:generate); imported, it only lends derivePostgresSchema.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  mkdirSync(dirname(postgresSchema), { recursive: true });
  writeFileSync(postgresSchema, derivePostgresSchema(readFileSync(sqliteSchema, "utf8")));

  const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: "1" };
  for (const schema of [sqliteSchema, postgresSchema]) {
    execFileSync(
      process.execPath,
      [join(root, "node_modules/prisma/build/index.js"), "generate", `--schema=${schema}`],
      {
        cwd: root,
        env,
        stdio: process.argv.includes("--verbose") ? "inherit" : ["ignore", "ignore", "inherit"],
      },
    );
  }
}
