#!/usr/bin/env node
// Architecture rules that a formatter cannot check, run by `npm run lint`:
// 1. the engine (lib/engine, lib/nodes/*/{definition,executor}, lib/workflow, lib/expressions)
//    imports nothing from next, react, Prisma or lib/db, and never reads process.env;
// 2. only lib/db imports the generated Prisma clients or @prisma/*;
// 3. client components never import lib/db or server-only modules;
// 4. no eval, new Function or vm anywhere in app code.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const SKIP = new Set(["node_modules", ".next", "generated", "data", "test-results", ".git", "bench-results"]);

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name) || name.startsWith(".next")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (/\.(ts|tsx|mjs|js)$/.test(name)) yield path;
  }
}

const importRe =
  /(?:import|export)\s[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|require\(\s*["']([^"']+)["']\s*\)/g;
const problems = [];

function isEngineFile(file) {
  return (
    /^lib\/(engine|workflow|expressions)\//.test(file) || /^lib\/nodes\/[^/]+\/(definition|executor)\.ts$/.test(file)
  );
}

for (const path of [...walk(join(root, "lib")), ...walk(join(root, "app")), ...walk(join(root, "components"))]) {
  const file = relative(root, path);
  const text = readFileSync(path, "utf8");
  const isTest = /\.test\.tsx?$/.test(file) || file.includes("/testing/");
  const imports = [...text.matchAll(importRe)].map((m) => m[1] ?? m[2] ?? m[3]);
  const say = (message) => problems.push(`${file}: ${message}`);

  if (isEngineFile(file) && !isTest) {
    for (const spec of imports) {
      if (/^(next|react|react-dom)(\/|$)/.test(spec)) say(`the engine must not import ${spec}`);
      if (/@prisma\/|\/db\/|^@\/lib\/db/.test(spec)) say(`the engine must not import the database (${spec})`);
    }
    if (/process\.env/.test(text)) say("the engine must not read process.env; pass settings in");
  }
  if (!file.startsWith("lib/db/") && !isTest) {
    for (const spec of imports) {
      if (/^@prisma\/|generated\/(sqlite|postgres)/.test(spec)) say(`only lib/db may import Prisma (${spec})`);
    }
  }
  if (/^\s*["']use client["']/.test(text)) {
    for (const spec of imports) {
      if (/(^|\/)lib\/db(\/|$)|^@\/lib\/server\//.test(spec)) say(`a client component must not import ${spec}`);
    }
  }
  if (!isTest && /\beval\(|new Function\(|from ["'](node:)?vm["']/.test(text))
    say("eval / new Function / vm are forbidden");
}

if (problems.length) {
  console.error(`Import rules broken (${problems.length}):\n${problems.map((p) => `  ${p}`).join("\n")}`);
  process.exit(1);
}
console.log("import rules: ok");
