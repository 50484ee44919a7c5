#!/usr/bin/env node
// `npm start`: everything a fresh clone needs, then the server.
//   1. secrets: NEXTAUTH_SECRET and SWITCHBOARD_SECRET_KEY from the environment, else from
//      <data dir>/secrets.json, generated there (mode 600) on first start;
//   2. the database: migrate and, when empty, seed (lib/db/bootstrap.ts, the same start-up path
//      as the server's own host, the CLI and workers; SWITCHBOARD_SEED=0 skips the seed);
//   3. a production build when the dist dir has none or it is older than the sources;
//   4. `next start` on 0.0.0.0:$PORT (default 3000).
// Flags: --dev runs `next dev` instead (no build); --fresh wipes SWITCHBOARD_DATA_DIR first
// (the e2e server uses it); --rebuild forces the build; --build-only builds (if needed) and exits
// (no database, no server: for CI caches and images).
// SWITCHBOARD_REBUILD=auto (default: build when missing or stale) | missing (only when there is
// no build at all, e.g. while other people edit the sources) | always.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = new Set(process.argv.slice(2));
for (const arg of args) {
  if (!["--dev", "--fresh", "--rebuild", "--build-only", "--help", "-h"].includes(arg)) {
    console.error(`Unknown option ${arg}. Usage: node bin/start.mjs [--dev] [--fresh] [--rebuild] [--build-only]`);
    process.exit(2);
  }
}
if (args.has("--help") || args.has("-h")) {
  console.log(
    [
      "Usage: node bin/start.mjs [--dev] [--fresh] [--rebuild] [--build-only]",
      "  --dev         run `next dev` (no build)",
      "  --fresh       delete SWITCHBOARD_DATA_DIR first (a brand-new database and secrets)",
      "  --rebuild     build even when the build looks current",
      "  --build-only  build if needed, then exit (SWITCHBOARD_REBUILD=auto|missing|always)",
    ].join("\n"),
  );
  process.exit(0);
}
const dev = args.has("--dev");
const buildOnly = args.has("--build-only");

const log = (line) => console.log(`[switchboard] ${line}`);

// TypeScript modules (the same code the app, CLI and workers run) through tsx.
const { register } = await import("tsx/esm/api");
register({ tsconfig: join(root, "tsconfig.json") });
const importTs = (path) => import(pathToFileURL(join(root, path)).href);

// The environment is read and checked by lib/env.ts, like everywhere else. What this script
// writes back into process.env is what it hands to the Next server it starts (a child process).
const { readEnv, dataDirectory } = await importTs("lib/env.ts");
let env;
try {
  env = readEnv();
} catch (error) {
  console.error(`[switchboard] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
const rebuildPolicy = args.has("--rebuild") ? "always" : env.SWITCHBOARD_REBUILD;

// Paths are resolved against the directory the command was run from, then we work in the project.
const dataDir = dataDirectory(env);
process.env.SWITCHBOARD_DATA_DIR = dataDir;
process.env.SWITCHBOARD_ROOT = env.SWITCHBOARD_ROOT ?? root;
if (env.DATABASE_URL?.startsWith("file:")) {
  process.env.DATABASE_URL = `file:${resolve(env.DATABASE_URL.slice("file:".length))}`;
}
process.chdir(root);
const port = String(env.PORT);
process.env.PORT = port;

if (args.has("--fresh") && !buildOnly) {
  const forbidden = [root, "/", homedir(), dirname(root)].map((p) => resolve(p));
  if (forbidden.includes(dataDir)) {
    console.error(`Refusing to wipe ${dataDir}: set SWITCHBOARD_DATA_DIR to a dedicated folder.`);
    process.exit(2);
  }
  log(`--fresh: deleting ${dataDir}`);
  rmSync(dataDir, { recursive: true, force: true });
}
if (!buildOnly) mkdirSync(dataDir, { recursive: true, mode: 0o700 });

async function prepareData() {
  // 1. secrets
  const { loadSecrets } = await importTs("lib/auth/secrets.ts");
  const secrets = loadSecrets(readEnv(), dataDir);
  process.env.NEXTAUTH_SECRET = secrets.NEXTAUTH_SECRET;
  process.env.SWITCHBOARD_SECRET_KEY = secrets.SWITCHBOARD_SECRET_KEY;
  for (const [name, source] of Object.entries(secrets.source)) {
    if (source === "generated") log(`generated ${name} into ${join(dataDir, "secrets.json")} (mode 600)`);
  }
  // Without NEXTAUTH_URL, next-auth builds its URLs from the request's Host header.
  if (!env.NEXTAUTH_URL) process.env.AUTH_TRUST_HOST ??= "1";

  // 2. database
  try {
    const { bootstrap } = await importTs("lib/db/bootstrap.ts");
    const { db, seeded } = await bootstrap({ env: readEnv(), dataDir });
    const where = db.provider === "sqlite" ? db.target.file : "PostgreSQL (DATABASE_URL)";
    log(`database ready: ${where}${seeded ? " (seeded the demo workspace)" : ""}`);
    await db.close();
  } catch (error) {
    console.error(
      `[switchboard] could not prepare the database: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  }
}

if (!buildOnly) await prepareData();

const nextBin = join(root, "node_modules/next/dist/bin/next");
const distDir = env.NEXT_DIST_DIR;

// 3. build when missing or stale
if (!dev) {
  const stampFile = join(root, distDir, "switchboard-build.json");
  const fingerprint = sourceFingerprint();
  const hasBuild = existsSync(join(root, distDir, "BUILD_ID"));
  let stamp = null;
  try {
    stamp = JSON.parse(readFileSync(stampFile, "utf8"));
  } catch {
    stamp = null;
  }
  const stale = stamp?.fingerprint !== fingerprint;
  if (rebuildPolicy === "always" || !hasBuild || (rebuildPolicy === "auto" && stale)) {
    log(
      hasBuild
        ? "sources changed since the last build: building…"
        : "no build yet: building (a few minutes on a small machine)…",
    );
    const started = Date.now();
    const result = spawnSync(process.execPath, [nextBin, "build"], {
      stdio: "inherit",
      env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    });
    if (result.status !== 0) {
      console.error("[switchboard] next build failed; see the output above.");
      process.exit(result.status ?? 1);
    }
    writeFileSync(stampFile, JSON.stringify({ fingerprint, builtAt: new Date().toISOString() }));
    log(`built in ${Math.round((Date.now() - started) / 1000)} s`);
  }
}

if (buildOnly) process.exit(0);

// 4. serve
log(`${dev ? "dev server" : "server"} on http://localhost:${port} (listening on 0.0.0.0)`);
// bin/peer-address.cjs stamps each request with its TCP peer's address (x-switchboard-peer), which
// route handlers cannot see otherwise: sign-in throttling and the audit log count the real client
// (lib/server/client-address.ts). NODE_OPTIONS carries it into a forked dev server too.
const peerPreload = join(root, "bin/peer-address.cjs");
const nodeOptions = [process.env.NODE_OPTIONS, `--require=${JSON.stringify(peerPreload)}`].filter(Boolean).join(" ");
const child = spawn(process.execPath, [nextBin, dev ? "dev" : "start", "-H", "0.0.0.0", "-p", port], {
  stdio: "inherit",
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_OPTIONS: nodeOptions },
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

/** A hash over what goes into the build (paths, sizes, mtimes): any source change means rebuild. */
function sourceFingerprint() {
  const hash = createHash("sha256");
  const inputs = [
    "app",
    "components",
    "lib",
    "public",
    "instrumentation.ts",
    "next.config.js",
    "postcss.config.mjs",
    "tsconfig.json",
    "package-lock.json",
  ];
  const skip = /(^|\/)(node_modules|\.next[^/]*|data|test-results)(\/|$)|\.test\.tsx?$|(^|\/)testing(\/|\.ts$)/;
  const visit = (path) => {
    if (!existsSync(path)) return;
    const rel = relative(root, path);
    if (skip.test(rel)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(path, name));
    } else {
      hash.update(`${rel}\0${stat.size}\0${Math.floor(stat.mtimeMs)}\n`);
    }
  };
  for (const input of inputs) visit(join(root, input));
  const head = spawnSync("git", ["rev-parse", "HEAD"], { cwd: root, encoding: "utf8" });
  if (head.status === 0) hash.update(`git:${head.stdout.trim()}`);
  return hash.digest("hex");
}
