#!/usr/bin/env node
// Replays the Dockerfile without Docker, for machines that have no Docker engine: builds the
// image's /app in a scratch folder step by step and starts it the way the image would.
//
//   node scripts/dockerfile-replay.mjs [--dir DIR] [--keep] [--port N] [--health-port N]
//                                      [--postgres URL | --no-postgres] [--skip-build]
//
// 1. The build context: a snapshot of the project folder less what .dockerignore excludes
//    (Docker's rules: patterns anchored at the context root, `*`, `?`, `**`, `!` exceptions, a
//    match on a folder excludes what is inside it).
// 2. Each stage of the Dockerfile in turn, into DIR/root (the stage's `/`): WORKDIR, ENV, COPY
//    (from the context, or `--from=<stage>`, with `--chown`) and RUN with /bin/sh, in the stage's
//    environment. Skipped: `apt-get` (this machine's system packages are used) and
//    `npm install -g npm@X` (checked: this machine's npm must be X). Every stage works at the same
//    path, so paths baked into the build are those of the final stage. The base image's Node
//    major must be this machine's (checked).
// 3. The final stage's CMD with its ENV, as its USER (uid/gid 1000, the node images' `node` user,
//    when this runs as root): once on the embedded SQLite default, once as compose.yaml's web-1 and
//    worker-1 on a fresh PostgreSQL database (created through --postgres, default
//    $TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/postgres; dropped at the end). Each
//    time: the web server's /api/health (live and ready), sign-in with a seeded password, an API
//    key made with the image's CLI, a run started through the REST API that ends `succeeded` (on
//    PostgreSQL executed by the worker, whose /live, /ready and /metrics are checked too), a
//    `docker stop` (SIGTERM to the main process) that ends every process, and that nothing under
//    /app was written at run time.
//
// Slow (a clean `npm ci` and a production build: 10 to 20 minutes on 2 cores): not part of
// `npm test`. Exit 0 when every check passed. --keep leaves DIR in place; --skip-build reruns the
// checks on a kept DIR. docs/deploy.md ("How the Dockerfile is verified").
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join, posix, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const project = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: opts } = parseArgs({
  options: {
    dir: { type: "string" },
    keep: { type: "boolean", default: false },
    port: { type: "string" },
    "health-port": { type: "string" },
    postgres: { type: "string" },
    "no-postgres": { type: "boolean", default: false },
    "skip-build": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (opts.help) {
  const header = readFileSync(fileURLToPath(import.meta.url), "utf8")
    .split("\n")
    .slice(1);
  writeSync(
    1,
    `${header
      .slice(
        0,
        header.findIndex((l) => !l.startsWith("//")),
      )
      .join("\n")}\n`,
  );
  process.exit(0);
}

const scratch = opts.dir ? resolve(opts.dir) : mkdtempSync(join(tmpdir(), "switchboard-dockerfile-"));
if (opts.dir) {
  if (opts["skip-build"]) {
    if (!existsSync(join(scratch, "root"))) fail(`--skip-build: ${scratch} holds no earlier replay (--keep)`);
  } else if (existsSync(scratch) && readdirSync(scratch).length > 0) fail(`${scratch} is not empty`);
  mkdirSync(scratch, { recursive: true });
}
const fsRoot = join(scratch, "root");
const contextDir = join(scratch, "context");
const stagesDir = join(scratch, "stages");
const isRoot = process.getuid?.() === 0;
/** The node images' `node` user. */
const NODE_USER = { uid: 1000, gid: 1000 };
const log = (line) => console.log(`[replay] ${line}`);
const failures = [];
const check = (ok, what, detail = "") => {
  log(`${ok ? "ok  " : "FAIL"} ${what}${detail ? ` — ${detail}` : ""}`);
  if (!ok) failures.push(what);
  return ok;
};
function fail(message) {
  console.error(`[replay] ${message}`);
  process.exit(1);
}

const children = new Set();
let database = null;
let adminUrl = null;
async function cleanUp() {
  for (const child of children) killGroup(child, "SIGKILL");
  if (database) await dropDatabase(database).catch((e) => log(`could not drop ${database}: ${e.message}`));
  if (!opts.keep) rmSync(scratch, { recursive: true, force: true });
  else log(`kept ${scratch}`);
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => void cleanUp().finally(() => process.exit(130)));
}

try {
  chmod755(scratch);
  const context = opts["skip-build"] ? [] : buildContext();
  const image = await replayBuild(context, opts["skip-build"]);
  await runChecks(image);
} catch (error) {
  failures.push(error instanceof Error ? error.message : String(error));
  console.error(error);
} finally {
  await cleanUp();
}
if (failures.length > 0) {
  console.error(`[replay] ${failures.length} check(s) failed:\n  - ${failures.join("\n  - ")}`);
  process.exit(1);
}
log("every check passed");

// ---------------------------------------------------------------------------------------------
// 1. the build context (.dockerignore)

function dockerignorePatterns() {
  const file = join(project, ".dockerignore");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const exclude = !line.startsWith("!");
      const pattern = posix
        .normalize((exclude ? line : line.slice(1)).trim())
        .replace(/^\/+/, "")
        .replace(/\/+$/, "");
      return { exclude, pattern, regex: patternRegex(pattern) };
    });
}

/** Docker's pattern syntax (Go's filepath.Match plus `**`) as a RegExp over the relative path. */
function patternRegex(pattern) {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*" && pattern[i + 1] === "*") {
      i++;
      if (pattern[i + 1] === "/") {
        i++;
        out += "(?:.*/)?";
      } else out += ".*";
    } else if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i);
      out += end > i ? pattern.slice(i, end + 1).replace(/^\[!/, "[^") : "\\[";
      if (end > i) i = end;
    } else if (c === "\\" && i + 1 < pattern.length) out += `\\${pattern[++i]}`;
    else out += c.replace(/[.+^${}()|\]\\]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}

/** Relative paths of the files (and symlinks) Docker would send as the build context. */
function buildContext() {
  const patterns = dockerignorePatterns();
  if (patterns.length === 0) log("no .dockerignore: the whole folder is the build context");
  // an excluded folder is entered only when an exception could match inside it
  const exceptions = patterns.filter((p) => !p.exclude).map((p) => p.pattern);
  const mayHaveExceptions = (dir) => exceptions.some((e) => e.startsWith(`${dir}/`) || /^[*?[]/.test(e));
  const excluded = (rel) => {
    const parts = rel.split("/");
    let out = false;
    for (const p of patterns) {
      // a pattern matches the path or one of its parent folders
      for (let n = 1; n <= parts.length; n++) {
        if (p.regex.test(parts.slice(0, n).join("/"))) {
          out = p.exclude;
          break;
        }
      }
    }
    return out;
  };
  // a snapshot, as Docker sends the context once: later edits in the project do not reach the build
  const files = [];
  let bytes = 0;
  const gone = (error) => error?.code === "ENOENT";
  const visit = (rel) => {
    let names;
    try {
      names = readdirSync(join(project, rel)).sort();
    } catch (error) {
      if (gone(error)) return;
      throw error;
    }
    for (const name of names) {
      const path = rel ? `${rel}/${name}` : name;
      try {
        const stat = lstatSync(join(project, path));
        const out = excluded(path);
        if (stat.isDirectory()) {
          if (!out || mayHaveExceptions(path)) visit(path);
        } else if (!out) {
          const target = join(contextDir, path);
          mkdirSync(dirname(target), { recursive: true });
          cpSync(join(project, path), target, { preserveTimestamps: true, verbatimSymlinks: true });
          files.push(path);
          bytes += stat.size;
        }
      } catch (error) {
        if (!gone(error)) throw error; // removed while the snapshot was taken
      }
    }
  };
  visit("");
  log(`build context: ${files.length} files, ${(bytes / 1e6).toFixed(1)} MB (a snapshot of the folder)`);
  for (const leak of ["node_modules", ".next", "data", "test-results", ".team", ".git", ".env"]) {
    check(!files.some((f) => f === leak || f.startsWith(`${leak}/`)), `the build context leaves out ${leak}`);
  }
  return files;
}

// ---------------------------------------------------------------------------------------------
// 2. the stages

function dockerfileInstructions() {
  const lines = readFileSync(join(project, "Dockerfile"), "utf8").split("\n");
  const out = [];
  let current = "";
  for (const raw of lines) {
    if (/^\s*#/.test(raw) && current === "") continue;
    if (/^\s*#/.test(raw)) continue; // a comment inside a continued instruction
    const line = raw.replace(/\s+$/, "");
    if (line.endsWith("\\")) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim()) {
      const m = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(current);
      if (!m) fail(`cannot read the Dockerfile line: ${current}`);
      out.push({ op: m[1].toUpperCase(), rest: m[2].trim() });
    }
    current = "";
  }
  return out;
}

/** ENV a=b c="d e" (and the old ENV a b form). */
function parseEnv(rest) {
  const out = {};
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(rest)) {
    const [k, ...v] = rest.split(/\s+/);
    out[k] = v.join(" ");
    return out;
  }
  const re = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (const m of rest.matchAll(re)) out[m[1]] = m[2].startsWith('"') ? JSON.parse(m[2]) : m[2];
  return out;
}

/** COPY [--from=x] [--chown=u:g] src… dest (shell form; the JSON form too). */
function parseCopy(rest) {
  const flags = {};
  let words = rest.startsWith("[") ? JSON.parse(rest) : rest.split(/\s+/);
  while (words[0]?.startsWith("--")) {
    const [k, v] = words[0].slice(2).split("=");
    flags[k] = v;
    words = words.slice(1);
  }
  if (words.some((w) => /[*?[]/.test(w))) fail(`COPY with wildcards is not replayed: ${rest}`);
  return { flags, sources: words.slice(0, -1), dest: words.at(-1) };
}

function machinePath(containerPath) {
  return join(fsRoot, containerPath);
}

function chownTree(path, { uid, gid }) {
  if (!isRoot) return;
  const visit = (p) => {
    const stat = lstatSync(p);
    if (stat.isSymbolicLink()) {
      execFileSync("chown", ["-h", `${uid}:${gid}`, p]);
      return;
    }
    chownSync(p, uid, gid);
    if (stat.isDirectory()) for (const name of readdirSync(p)) visit(join(p, name));
  };
  visit(path);
}

function chmod755(path) {
  execFileSync("chmod", ["755", path]);
}

function userIds(user) {
  if (!user || user === "root" || user === "0") return null;
  if (user === "node" || user === "1000") return NODE_USER;
  fail(`USER ${user} is not known to the replay (only root and node)`);
}

async function replayBuild(contextFiles, readOnly = false) {
  const instructions = dockerfileInstructions();
  const stages = new Map();
  let stage = null;
  const finishStage = () => {
    if (!stage || readOnly) return;
    const saved = join(stagesDir, stage.name);
    mkdirSync(stagesDir, { recursive: true });
    renameSync(fsRoot, saved);
    stages.set(stage.name, saved);
  };
  let index = 0;
  for (const { op, rest } of instructions) {
    if (op === "FROM") {
      finishStage();
      const [base, , alias] = rest.split(/\s+/);
      stage = { name: alias ?? String(index), env: {}, workdir: "/", user: null, cmd: null };
      index++;
      if (readOnly) continue;
      mkdirSync(fsRoot, { recursive: true });
      chmod755(fsRoot);
      for (const dir of ["tmp", "home/node"]) mkdirSync(join(fsRoot, dir), { recursive: true });
      execFileSync("chmod", ["1777", join(fsRoot, "tmp")]);
      if (isRoot) chownSync(join(fsRoot, "home/node"), NODE_USER.uid, NODE_USER.gid);
      log(`FROM ${base}${alias ? ` AS ${alias}` : ""}`);
      const major = /^node:(\d+)/.exec(base)?.[1];
      const here = process.versions.node.split(".")[0];
      check(major === here, `the base image's Node major is this machine's (${here})`, `${base}`);
      continue;
    }
    if (!stage) fail(`${op} before FROM`);
    if (readOnly && (op === "COPY" || op === "RUN")) continue;
    if (op === "WORKDIR") {
      stage.workdir = posix.resolve(stage.workdir, rest);
      if (!readOnly) mkdirSync(machinePath(stage.workdir), { recursive: true });
    } else if (op === "ENV") {
      Object.assign(stage.env, parseEnv(rest));
    } else if (op === "USER") {
      stage.user = rest;
    } else if (op === "CMD") {
      stage.cmd = JSON.parse(rest);
    } else if (op === "COPY") {
      const { flags, sources, dest } = parseCopy(rest);
      const destPath = posix.resolve(stage.workdir, dest);
      const intoDir = dest.endsWith("/") || dest === "." || sources.length > 1;
      const owner = flags.chown ? userIds(flags.chown.split(":")[0]) : null;
      log(`COPY ${rest}`);
      for (const src of sources) {
        if (flags.from) {
          const from = stages.get(flags.from);
          if (!from) fail(`COPY --from=${flags.from}: no such stage`);
          const target = machinePath(destPath);
          rmSync(target, { recursive: true, force: true });
          execFileSync("cp", ["-a", join(from, src), target]);
          if (owner) chownTree(target, owner);
          continue;
        }
        const rel = posix
          .normalize(src)
          .replace(/^\.\/?/, "")
          .replace(/\/$/, "");
        const matches = contextFiles.filter((f) => rel === "" || f === rel || f.startsWith(`${rel}/`));
        if (matches.length === 0) fail(`COPY ${src}: not in the build context`);
        const isDir = rel === "" || statSync(join(contextDir, rel)).isDirectory();
        for (const f of matches) {
          let target;
          if (isDir) target = join(machinePath(destPath), rel === "" ? f : f.slice(rel.length + 1));
          else target = intoDir ? join(machinePath(destPath), basename(f)) : machinePath(destPath);
          mkdirSync(dirname(target), { recursive: true });
          cpSync(join(contextDir, f), target, { preserveTimestamps: true, verbatimSymlinks: true });
          if (owner) chownTree(target, owner);
        }
      }
    } else if (op === "RUN") {
      if (/^\s*apt-get\b/.test(rest)) {
        log(`RUN ${rest.slice(0, 60)}… — skipped (system packages; this machine's are used)`);
        continue;
      }
      const npmPin = /^npm (?:install|i) -g npm@(\S+)/.exec(rest);
      if (npmPin) {
        const here = execFileSync("npm", ["--version"], { encoding: "utf8" }).trim();
        check(here === npmPin[1], `this machine's npm is the image's (${npmPin[1]})`, here);
        continue;
      }
      const ids = userIds(stage.user);
      // container paths in the command → the stage's folder; the node user → its uid:gid
      const command = rest
        .replace(/(^|[\s=:])\/(app|data|home\/node)(?=$|[\s/;&|])/g, (_m, pre, p) => `${pre}${machinePath(p)}`)
        .replace(/\bchown (-R )?node:node\b/g, (_m, r) => (isRoot ? `chown ${r ?? ""}1000:1000` : "true"));
      log(`RUN ${rest}`);
      const started = Date.now();
      await run("/bin/sh", ["-c", command], {
        cwd: machinePath(stage.workdir),
        env: containerEnv(stage.env, ids),
        ids,
      });
      log(`    done in ${Math.round((Date.now() - started) / 1000)} s`);
    } else if (["EXPOSE", "VOLUME", "LABEL", "ARG", "SHELL", "STOPSIGNAL", "HEALTHCHECK", "ENTRYPOINT"].includes(op)) {
      if (op === "ENTRYPOINT") fail("ENTRYPOINT is not replayed");
      log(`${op} ${rest} — recorded, nothing to replay`);
    } else {
      fail(`the replay does not know ${op}`);
    }
  }
  if (!stage?.cmd) fail("the final stage has no CMD");
  return { ...stage, user: userIds(stage.user) };
}

/** The environment of a process in the container: PATH and HOME, the image's ENV, then extras. */
function containerEnv(imageEnv, ids, extra = {}) {
  const env = {
    PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: ids ? machinePath("/home/node") : (process.env.HOME ?? "/root"),
    // the machine's npm cache and settings (a container's are empty: this only saves downloads)
    ...(process.env.npm_config_cache ? { npm_config_cache: process.env.npm_config_cache } : {}),
  };
  if (!ids && process.env.HOME) env.npm_config_cache ??= join(process.env.HOME, ".npm");
  for (const [k, v] of Object.entries({ ...imageEnv, ...extra })) {
    env[k] = v.startsWith("/") && /^\/(data|app|home\/node)(\/|$)/.test(v) ? machinePath(v) : v;
  }
  return env;
}

function run(cmd, args, { cwd, env, ids }) {
  return new Promise((resolveRun, rejectRun) => {
    // a process group of its own, so that an interrupted replay ends it with everything it started
    const child = spawn(cmd, args, { cwd, env, stdio: "inherit", detached: true, ...(ids && isRoot ? ids : {}) });
    children.add(child);
    child.on("error", rejectRun);
    child.on("exit", (code) => {
      children.delete(child);
      if (code === 0) resolveRun();
      else rejectRun(new Error(`${args.at(-1).slice(0, 80)} exited ${code}`));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// 3. the image, started

function startProcess(name, command, env, cwd, ids) {
  const [bin, ...args] = command;
  const child = spawn(bin === "node" ? process.execPath : bin, args, {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
    ...(ids && isRoot ? ids : {}),
  });
  children.add(child);
  let output = "";
  const append = (d) => {
    output += d.toString();
    if (output.length > 400_000) output = output.slice(-200_000);
  };
  child.stdout.on("data", append);
  child.stderr.on("data", append);
  const exited = new Promise((r) => child.on("exit", (code, signal) => r({ code, signal })));
  return {
    name,
    child,
    exited,
    output: () => output,
    /** `docker stop`: SIGTERM to the main process only, SIGKILL to all after the grace period. */
    async stop(graceMs = 20_000) {
      child.kill("SIGTERM");
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        killGroup(child, "SIGKILL");
      }, graceMs);
      const result = await exited;
      // what the main process started must be gone with it (the container's processes die with it)
      const deadline = Date.now() + 5_000;
      while (groupAlive(child) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const orphans = groupAlive(child);
      killGroup(child, "SIGKILL");
      clearTimeout(timer);
      children.delete(child);
      return { ...result, killed, orphans };
    },
  };
}

function groupAlive(child) {
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // gone
  }
}

async function until(what, fn, timeoutMs, proc) {
  const start = Date.now();
  let last = null;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (error) {
      last = error;
    }
    if (proc && proc.child.exitCode !== null) {
      throw new Error(`${proc.name} exited (${proc.child.exitCode}) while waiting for ${what}:\n${tail(proc)}`);
    }
    if (Date.now() - start > timeoutMs) {
      throw new Error(
        `timed out waiting for ${what}${last ? ` (${last.message})` : ""}${proc ? `:\n${tail(proc)}` : ""}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * fetch, again when a kept-alive connection was closed by the server just as it was reused (a
 * client-side race, not a server failure; the run start carries an Idempotency-Key).
 */
async function request(url, init) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (error) {
      const reused = error.cause?.code === "UND_ERR_SOCKET" || error.cause?.code === "ECONNRESET";
      if (!reused || attempt === 3) throw error;
    }
  }
}

function errorText(error) {
  return `${error.message}${error.cause ? ` (${error.cause.message ?? error.cause})` : ""}`;
}

function tail(proc) {
  return proc.output().slice(-4000);
}

/** The web-1 and worker-1 services of compose.yaml: command and environment (KEY: "value" lines). */
function composeService(name) {
  const lines = readFileSync(join(project, "compose.yaml"), "utf8").split("\n");
  const service = { command: null, environment: {} };
  let inService = false;
  let inEnv = false;
  for (const line of lines) {
    const header = /^ {2}([a-z0-9-]+):\s*$/.exec(line);
    if (header || /^\S/.test(line)) {
      inService = header?.[1] === name;
      inEnv = false;
      continue;
    }
    if (!inService) continue;
    const key = /^ {4}([a-z_]+):\s*(.*)$/.exec(line);
    if (key) {
      inEnv = key[1] === "environment";
      if (key[1] === "command") service.command = JSON.parse(key[2]);
      continue;
    }
    const env = /^ {6}([A-Z0-9_]+):\s*"(.*)"\s*$/.exec(line);
    if (inEnv && env) service.environment[env[1]] = env[2];
  }
  if (!service.command) fail(`compose.yaml has no command for ${name}`);
  return service;
}

function resolveCompose(env, values) {
  const out = {};
  for (const [k, v] of Object.entries(env)) {
    out[k] = v.replace(/\$\{([A-Z0-9_]+)(?::([?-])([^}]*))?\}/g, (_m, name, op, rest) => {
      if (values[name] !== undefined) return values[name];
      if (op === "-") return rest ?? "";
      throw new Error(`compose.yaml needs ${name}`);
    });
  }
  return out;
}

async function freePort() {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** The app's own `pg` (a production dependency, so it is in the pruned tree). */
function pgModule(app) {
  return createRequire(join(app, "package.json"))("pg");
}

async function dropDatabase(name) {
  const pg = pgModule(machinePath("/app"));
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Signs in like the sign-in form (next-auth credentials); returns the session cookie. */
async function signIn(base, email, password) {
  const csrf = await request(`${base}/api/auth/csrf`);
  const { csrfToken } = await csrf.json();
  const cookies = csrf.headers.getSetCookie().map((c) => c.split(";")[0]);
  const res = await request(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies.join("; ") },
    body: new URLSearchParams({ csrfToken, email, password, callbackUrl: base, json: "true" }),
  });
  const session = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .find((c) => /session-token=/.test(c));
  if (!session) return null;
  const me = await request(`${base}/api/auth/session`, { headers: { cookie: session } }).then((r) => r.json());
  return me?.user?.email === email ? session : null;
}

/** A workflow with one simulated model call (no provider, no network). */
function workflowDocument() {
  return {
    format: "switchboard.workflow/v1",
    name: "Image replay",
    nodes: [
      { id: "start", type: "trigger", name: "start", position: { x: 0, y: 0 }, config: { kind: "manual" } },
      {
        id: "agent",
        type: "agent",
        name: "agent",
        position: { x: 0, y: 0 },
        config: { model: "simulated", prompt: "hello", simulate: { output: "replayed", latencyMs: 50 } },
      },
      {
        id: "done",
        type: "end",
        name: "done",
        position: { x: 0, y: 0 },
        config: { output: "{{ nodes.agent.output }}" },
      },
    ],
    edges: [
      { id: "e0", source: "start", target: "agent" },
      { id: "e1", source: "agent", target: "done" },
    ],
  };
}

/** Imports and publishes a workflow, starts a run through the API and waits for its end. */
async function runThroughApi(base, apiKey, proc) {
  const headers = { authorization: `Bearer ${apiKey}`, "content-type": "application/json" };
  const imported = await request(`${base}/api/v1/workflows/import`, {
    method: "POST",
    headers,
    body: JSON.stringify({ document: workflowDocument(), publish: true }),
  });
  const workflow = await imported.json();
  if (!imported.ok) throw new Error(`import: HTTP ${imported.status} ${JSON.stringify(workflow)}`);
  const workflowId = workflow.id ?? workflow.workflowId ?? workflowDocument().name;
  const started = await request(`${base}/api/v1/runs`, {
    method: "POST",
    headers: { ...headers, "idempotency-key": `replay-${randomBytes(6).toString("hex")}` },
    body: JSON.stringify({ workflowId, input: {} }),
  });
  const body = await started.json();
  if (started.status !== 201) throw new Error(`start: HTTP ${started.status} ${JSON.stringify(body)}`);
  return until(
    `run ${body.runId} to end`,
    async () => {
      const r = await request(`${base}/api/v1/runs/${body.runId}`, { headers }).then((x) => x.json());
      const status = r.status ?? r.run?.status;
      return ["succeeded", "failed", "cancelled"].includes(status) ? { status, run: r } : null;
    },
    60_000,
    proc,
  );
}

/** `switchboard keys create` with the image's CLI, in the service's environment. */
function createApiKey(image, env) {
  const out = execFileSync(
    process.execPath,
    ["bin/switchboard.mjs", "keys", "create", "--name", "replay", "--scopes", "runs:write,workflows:write", "--json"],
    {
      cwd: machinePath(image.workdir),
      env,
      encoding: "utf8",
      ...(image.user && isRoot ? image.user : {}),
    },
  );
  return JSON.parse(out).key;
}

/** Files under /app changed since `marker` (the image's tree should be left as it was built). */
function writtenUnderApp(image, since) {
  const changed = [];
  const skip = /^\.next\/cache(\/|$)/;
  const visit = (rel) => {
    for (const name of readdirSync(join(machinePath(image.workdir), rel))) {
      const path = rel ? `${rel}/${name}` : name;
      if (skip.test(path) || path.startsWith("node_modules/")) continue;
      const stat = lstatSync(join(machinePath(image.workdir), path));
      if (stat.mtimeMs > since) changed.push(path);
      if (stat.isDirectory()) visit(path);
    }
  };
  visit("");
  return changed;
}

async function runChecks(image) {
  const app = machinePath(image.workdir);
  log(`image: ${image.cmd.join(" ")} in ${image.workdir} as ${image.user ? "node (uid 1000)" : "root"}`);
  const devOnly = ["vitest", "@biomejs/biome", "jsdom"].filter((p) => existsSync(join(app, "node_modules", p)));
  check(devOnly.length === 0, "devDependencies pruned (no vitest, biome, jsdom)", devOnly.join(", "));
  check(existsSync(join(app, "node_modules/tsx")), "tsx (bin/start.mjs and the CLI load TypeScript with it) is there");
  check(existsSync(join(app, ".next/BUILD_ID")), "the production build is in the image");
  for (const generated of ["lib/db/generated/sqlite", "lib/db/generated/postgres"]) {
    check(existsSync(join(app, generated)), `the Prisma client ${generated} is in the image`);
  }
  const dataRoot = machinePath(image.env.SWITCHBOARD_DATA_DIR ?? "/data");
  const port = Number(opts.port ?? (await freePort()));
  const healthPort = Number(opts["health-port"] ?? (await freePort()));
  const base = `http://127.0.0.1:${port}`;
  const since = Date.now();

  // ---- embedded SQLite: the image on its own
  {
    log("--- the image alone (embedded SQLite)");
    // the image's empty /data (a kept replay may hold an earlier database)
    for (const name of readdirSync(dataRoot)) rmSync(join(dataRoot, name), { recursive: true, force: true });
    const env = containerEnv(image.env, image.user, { PORT: String(port) });
    const web = startProcess("web (SQLite)", image.cmd, env, app, image.user);
    try {
      await until(
        "/api/health?probe=live",
        async () => (await request(`${base}/api/health?probe=live`)).ok,
        120_000,
        web,
      );
      check(true, "web: /api/health?probe=live 200");
      const health = await until(
        "/api/health ready",
        async () => {
          const r = await request(`${base}/api/health`);
          return r.ok ? r.json() : null;
        },
        60_000,
        web,
      );
      check(health.ready === true, "web: /api/health ready", JSON.stringify(health.database));
      const firstRun = JSON.parse(readFileSync(join(dataRoot, "first-run.json"), "utf8"));
      const admin = firstRun.users.find((u) => u.role === "admin") ?? firstRun.users[0];
      check(Boolean(await signIn(base, admin.email, admin.password)), `sign-in as ${admin.email}`);
      check(!(await signIn(base, admin.email, "wrong-password")), "sign-in with a wrong password is refused");
      const key = createApiKey(image, env);
      check(key?.startsWith("sb_"), "the CLI creates an API key");
      const ended = await runThroughApi(base, key, web);
      check(ended.status === "succeeded", "a run started through the API succeeds", ended.status);
      const secrets = statSync(join(dataRoot, "secrets.json"));
      check(!image.user || !isRoot || secrets.uid === image.user.uid, "secrets.json belongs to the image's user");
    } catch (error) {
      check(false, "the image alone", errorText(error));
      log(`the web server's output:\n${tail(web)}`);
    } finally {
      const { code, signal, killed, orphans } = await web.stop();
      check(
        !killed && !orphans,
        "web: SIGTERM stops it and its Next server within the grace period",
        `exit code ${code}, signal ${signal}`,
      );
    }
  }

  // ---- compose.yaml's web-1 and worker-1 on PostgreSQL
  if (!opts["no-postgres"]) {
    log("--- compose.yaml's web-1 and worker-1 (PostgreSQL, SWITCHBOARD_EXECUTE=workers)");
    adminUrl = opts.postgres ?? process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
    const pg = pgModule(app);
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    database = `switchboard_replay_${randomBytes(4).toString("hex")}`;
    await admin.query(`CREATE DATABASE "${database}"`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    const secrets = {
      NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
      SWITCHBOARD_SECRET_KEY: randomBytes(32).toString("hex"),
      SWITCHBOARD_PUBLIC_URL: base,
    };
    const webService = composeService("web-1");
    const workerService = composeService("worker-1");
    // fresh /data for each "container"
    const dataFor = (name) => {
      const dir = join(scratch, "volumes", name);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      if (image.user) chownTree(dir, image.user);
      return dir;
    };
    const webEnv = {
      ...containerEnv(image.env, image.user, resolveCompose(webService.environment, secrets)),
      DATABASE_URL: url.href,
      PORT: String(port),
      SWITCHBOARD_DATA_DIR: dataFor("web-1"),
    };
    const workerEnv = {
      ...containerEnv(image.env, image.user, resolveCompose(workerService.environment, secrets)),
      DATABASE_URL: url.href,
      SWITCHBOARD_DATA_DIR: dataFor("worker-1"),
    };
    const workerCommand = workerService.command.map((a, i, all) =>
      all[i - 1] === "--health-port" ? String(healthPort) : a,
    );
    const worker = startProcess("worker-1", workerCommand, workerEnv, app, image.user);
    const web = startProcess("web-1", webService.command, webEnv, app, image.user);
    const workerBase = `http://127.0.0.1:${healthPort}`;
    try {
      await until("web-1 /api/health", async () => (await request(`${base}/api/health`)).ok, 120_000, web);
      const health = await request(`${base}/api/health`).then((r) => r.json());
      check(
        health.ready === true && health.execution === "workers",
        "web-1: /api/health ready, execution workers",
        JSON.stringify(health),
      );
      check((await request(`${base}/api/health?probe=live`)).ok, "web-1: /api/health?probe=live 200");
      await until("worker-1 /ready", async () => (await request(`${workerBase}/ready`)).ok, 60_000, worker);
      check((await request(`${workerBase}/live`)).ok, "worker-1: /live 200");
      check(true, "worker-1: /ready 200");
      const firstRun = JSON.parse(readFileSync(join(webEnv.SWITCHBOARD_DATA_DIR, "first-run.json"), "utf8"));
      const adminUser = firstRun.users.find((u) => u.role === "admin") ?? firstRun.users[0];
      check(Boolean(await signIn(base, adminUser.email, adminUser.password)), `web-1: sign-in as ${adminUser.email}`);
      const key = createApiKey(image, webEnv);
      check(key?.startsWith("sb_"), "the CLI creates an API key on PostgreSQL");
      const ended = await runThroughApi(base, key, web);
      check(ended.status === "succeeded", "a run started through web-1's API succeeds", ended.status);
      const metrics = await request(`${workerBase}/metrics`).then((r) => r.text());
      const executed = /switchboard_jobs_executed_total\{[^}]*result="executed"[^}]*\}\s+(\d+)/.exec(metrics);
      check(
        Number(executed?.[1] ?? 0) >= 1,
        "worker-1: /metrics counts the run's job as executed",
        executed?.[0] ?? "no such series",
      );
    } catch (error) {
      check(false, "compose's web-1 and worker-1", errorText(error));
      log(`web-1's output:\n${tail(web)}\nworker-1's output:\n${tail(worker)}`);
    } finally {
      const w = await worker.stop();
      check(w.code === 0 && !w.orphans, "worker-1: exits 0 on SIGTERM", `exit code ${w.code}, signal ${w.signal}`);
      const s = await web.stop();
      check(
        !s.killed && !s.orphans,
        "web-1: SIGTERM stops it and its Next server within the grace period",
        `exit code ${s.code}`,
      );
    }
  }

  const written = writtenUnderApp(image, since);
  check(
    written.length === 0,
    "nothing under /app was written at run time (but .next/cache)",
    written.slice(0, 10).join(", "),
  );
}
