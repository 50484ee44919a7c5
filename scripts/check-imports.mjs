#!/usr/bin/env node
// Architecture rules that a formatter cannot check, run by `npm run lint` (so by `npm test`).
// docs/architecture.md draws the floors.
//
// 1. Floors. Every source file sits on one floor and imports only from its own floor and the
//    floors below it (bottom first):
//      contracts    lib/contracts: document schema, typed errors, records, ports, node contract,
//                   the JSON-Schema checker
//      expressions  lib/expressions (JSONata, templates), lib/canvas (the editor model)
//      nodes        lib/nodes: one folder per node type (definition, executor, canvas, inspector)
//      workflow     lib/workflow (validation, graph, published schema), lib/templates
//      engine       lib/engine (createEngine, the memory store and fakes in lib/engine/testing)
//      db           lib/db (the only Prisma user); configuration and secrets: lib/env.ts,
//                   lib/vault, lib/auth/secrets.ts; lib/auth/{roles,policy,password,scopes}.ts;
//                   lib/mcp/config.ts (what an MCP server registration holds)
//      runtime      the engine wired to the database: lib/runtime, lib/telemetry, lib/providers;
//                   lib/testing (the test kit: the engine wired to the built-in nodes);
//                   lib/mcp and lib/a2a (the MCP and A2A clients behind the engine's ports)
//      use-cases    lib/use-cases, lib/approvals, lib/runs, lib/notifications; lib/mcp/server and
//                   lib/a2a/server (Switchboard as an MCP server and as A2A agents)
//      host         the composition root lib/host.ts, and lib/worker (a process built on it)
//      server       lib/server, lib/auth (sessions, next-auth)
//      app          app, components, lib/cli, scripts, bin, e2e, tests, instrumentation.ts
//    A file under lib/ that is on no floor is an error (a new folder must be placed here).
//    Test files (*.test.ts, *.test.tsx) are exempt: nothing imports them, and a test wires the
//    code under test to higher floors (the test kit, the built-in nodes, an app action). Test
//    helpers (testing.ts, testing/) are not: they sit on their folder's floor.
// 2. The engine imports no node type (lib/nodes): `createEngine({ nodes })` receives them.
// 3. Nothing outside lib/db touches the Prisma client: no import of @prisma/* or the generated
//    clients, no `.prisma` property (`db.prisma.run…`), no `{ prisma }` destructuring. Exempt:
//    test files, e2e/ and tests/ (they seed and read rows to check what was stored), and the
//    Prisma tooling scripts/db-*.mjs.
// 4. The engine floors (contracts, expressions' JSONata, workflow, engine, node definitions and
//    executors) import nothing from next, react or lib/db and never read process.env.
// 5. Client components never import lib/db or server-only modules.
// 6. No eval, new Function or vm anywhere in app code.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const SKIP = new Set(["node_modules", ".next", "generated", "data", "test-results", ".git", "bench-results"]);

/** Floors, bottom first: [name, path prefixes]. The longest matching prefix wins. */
const FLOORS = [
  ["contracts", ["lib/contracts/"]],
  ["expressions", ["lib/expressions/", "lib/canvas/"]],
  ["nodes", ["lib/nodes/"]],
  ["workflow", ["lib/workflow/", "lib/templates/"]],
  ["engine", ["lib/engine/"]],
  [
    "db",
    [
      "lib/db/",
      "lib/env.ts",
      "lib/vault/",
      "lib/auth/secrets.ts",
      "lib/auth/roles.ts",
      "lib/auth/policy.ts",
      "lib/auth/password.ts",
      "lib/auth/scopes.ts",
      "lib/mcp/config.ts",
    ],
  ],
  ["runtime", ["lib/runtime/", "lib/telemetry/", "lib/providers/", "lib/testing/", "lib/mcp/", "lib/a2a/"]],
  [
    "use-cases",
    ["lib/use-cases/", "lib/approvals/", "lib/runs/", "lib/notifications/", "lib/mcp/server/", "lib/a2a/server/"],
  ],
  ["host", ["lib/host.ts", "lib/host-testing.ts", "lib/worker/"]],
  ["server", ["lib/server/", "lib/auth/"]],
  ["app", ["app/", "components/", "lib/cli/", "scripts/", "bin/", "e2e/", "tests/", "instrumentation.ts"]],
];

function* walk(dir) {
  if (!existsSync(dir)) return;
  if (statSync(dir).isFile()) {
    yield dir;
    return;
  }
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name) || name.startsWith(".next")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (/\.(ts|tsx|mjs|js)$/.test(name)) yield path;
  }
}

/** The floor index of a repository path, or -1. A test sits on the floor of what it tests (x.test.ts: x.ts). */
function floorOf(file) {
  const path = file.replace(/\.test(\.tsx?)$/, "$1");
  let best = -1;
  let bestLength = 0;
  FLOORS.forEach(([, prefixes], index) => {
    for (const prefix of prefixes) {
      const hit = prefix.endsWith("/") ? path.startsWith(prefix) : path === prefix || path.startsWith(`${prefix}/`);
      if (hit && prefix.length > bestLength) {
        best = index;
        bestLength = prefix.length;
      }
    }
  });
  return best;
}

/** The repository path a specifier points to (no extension needed), or null for a package. */
function target(file, spec) {
  if (spec.startsWith("@/")) return spec.slice(2);
  if (spec.startsWith(".")) return relative(root, resolve(root, dirname(file), spec));
  return null;
}

/** The file a resolved target names (for floor lookups of exact-file prefixes like lib/env.ts). */
function withExtension(path) {
  for (const ext of ["", ".ts", ".tsx", ".mjs", ".js"]) if (existsSync(join(root, path + ext))) return path + ext;
  return path;
}

const importRe =
  /(?:import|export)\s[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|require\(\s*["']([^"']+)["']\s*\)|^\s*import\s+["']([^"']+)["']/gm;
/** `x.prisma` (not a `schema.prisma` file name) or `{ prisma } =`. */
const prismaUseRe = /(?<!schema)\.prisma\b|\{[^{}]*\bprisma\b[^{}]*\}\s*=/;
const problems = [];

const sources = ["lib", "app", "components", "scripts", "bin", "e2e", "tests", "instrumentation.ts"];
for (const path of sources.flatMap((dir) => [...walk(join(root, dir))])) {
  const file = relative(root, path);
  const text = readFileSync(path, "utf8");
  const isTest = /\.test\.tsx?$/.test(file);
  const isTestHelper = /(^|\/)testing(\/|\.tsx?$)/.test(file);
  const imports = [...text.matchAll(importRe)].map((m) => m[1] ?? m[2] ?? m[3] ?? m[4]);
  const say = (message) => problems.push(`${file}: ${message}`);
  const floor = floorOf(file);

  // 1. floors
  if (file.startsWith("lib/") && floor < 0)
    say("is on no floor; add its folder to FLOORS in scripts/check-imports.mjs");
  if (!isTest && floor >= 0) {
    for (const spec of imports) {
      const to = target(file, spec);
      if (to === null) continue;
      const toFloor = floorOf(withExtension(to));
      if (toFloor > floor)
        say(`the ${FLOORS[floor][0]} floor must not import the ${FLOORS[toFloor][0]} floor (${spec})`);
      // 2. the engine receives its node types
      if (file.startsWith("lib/engine/") && /^lib\/nodes(\/|$)/.test(to))
        say(`the engine must not import a node type (${spec}); createEngine({ nodes }) receives them`);
    }
  }

  // 3. Prisma only in lib/db
  const prismaExempt =
    file.startsWith("lib/db/") || isTest || /^(e2e|tests)\//.test(file) || /^scripts\/db-[^/]+\.mjs$/.test(file);
  if (!prismaExempt && file !== "scripts/check-imports.mjs") {
    const why = [];
    for (const spec of imports)
      if (/^@prisma\/|(^|\/)generated\/(sqlite|postgres)(\/|$)/.test(spec)) why.push(`imports ${spec}`);
    if (prismaUseRe.test(text)) why.push("uses the Prisma client (db.prisma)");
    if (why.length > 0) say(`only lib/db may touch Prisma: ${why.join(", ")}`);
  }

  // 4. the engine floors are framework-free
  const engineFloor =
    /^lib\/(contracts|expressions|workflow|engine)\//.test(file) ||
    /^lib\/nodes\/([^/]+\/(definition|executor)|registry|executors|builtin|builtin-definitions)\.ts$/.test(file);
  if (engineFloor && !isTest && !isTestHelper) {
    for (const spec of imports) {
      if (/^(next|react|react-dom)(\/|$)/.test(spec)) say(`the engine must not import ${spec}`);
      if (/^@\/lib\/db(\/|$)|(^|\/)db\//.test(spec)) say(`the engine must not import the database (${spec})`);
    }
    if (/process\.env/.test(text)) say("the engine must not read process.env; pass settings in");
  }

  // 5. client components
  if (/^\s*["']use client["']/.test(text)) {
    for (const spec of imports) {
      if (/(^|\/)lib\/db(\/|$)|^@\/lib\/server\//.test(spec)) say(`a client component must not import ${spec}`);
    }
  }

  // 6. no code from strings
  if (!isTest && /\beval\(|new Function\(|from ["'](node:)?vm["']/.test(text))
    say("eval / new Function / vm are forbidden");
}

if (problems.length) {
  console.error(`Import rules broken (${problems.length}):\n${problems.map((p) => `  ${p}`).join("\n")}`);
  process.exit(1);
}
console.log("import rules: ok");
