#!/usr/bin/env node
// `npm test` after `npm run check`: the unit/integration tests (vitest) and the production build the
// end-to-end tests need run side by side, then Playwright runs against that build.
//   - The build is `node bin/start.mjs --build-only`: it builds when the dist dir has no build or
//     one older than the sources (a fingerprint of app/, components/, lib/, … and the git commit;
//     a fresh clone, as in .ci/run, always builds). Playwright's server (`bin/start.mjs --fresh`)
//     runs the same check again before it serves, so a build the sources moved past since is
//     rebuilt there, never tested.
//   - The build runs at a lower CPU priority (nice 10): vitest's files mostly wait on databases,
//     timers and child processes, and the build takes the CPU they leave idle instead of slowing
//     them down.
// The first failure wins, like `a && b && c`: a failing vitest run stops the build and skips
// Playwright; a failing build skips Playwright after vitest has finished. The build's output is
// labelled [build]. `npm run test:unit` and `npm run test:e2e` still run one suite alone.
import { spawn } from "node:child_process";
import { setPriority } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules/.bin", name);
const started = Date.now();
const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;

/**
 * Runs a command; resolves with its exit code (a signal counts as a failure). With `prefix`, its
 * output is labelled line by line (it runs beside another command's); with `group`, it gets its own
 * process group, so stop() ends the command and everything it started (next build's workers).
 */
function run(label, command, args, { nice = 0, prefix = "", group = false } = {}) {
  const child = spawn(command, args, {
    cwd: root,
    env: process.env,
    stdio: prefix ? ["ignore", "pipe", "pipe"] : "inherit",
    detached: group,
  });
  if (nice) {
    try {
      setPriority(child.pid, nice);
    } catch {
      // not permitted here: the build simply competes at normal priority
    }
  }
  if (prefix) {
    for (const [from, to] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ]) {
      let rest = "";
      from.setEncoding("utf8");
      from.on("data", (chunk) => {
        const lines = (rest + chunk).split("\n");
        rest = lines.pop() ?? "";
        for (const line of lines) to.write(`${prefix} ${line}\n`);
      });
      from.on("end", () => rest && to.write(`${prefix} ${rest}\n`));
    }
  }
  const done = new Promise((resolve) => {
    child.on("error", (error) => {
      console.error(`[test] ${label} could not start: ${error.message}`);
      resolve(1);
    });
    child.on("exit", (code, signal) => {
      console.log(`[test] ${label} ${code === 0 ? "passed" : `failed (${signal ?? `exit ${code}`})`} at ${elapsed()}`);
      resolve(code ?? 1);
    });
  });
  const stop = () => {
    try {
      if (group) process.kill(-child.pid, "SIGTERM");
      else child.kill("SIGTERM");
    } catch {
      // already gone
    }
  };
  return { child, done, stop };
}

const build = run("next build (for Playwright)", process.execPath, [join(root, "bin/start.mjs"), "--build-only"], {
  nice: 10,
  prefix: "[build]",
  group: true,
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    build.stop();
    process.exit(130);
  });
}
const unit = run("vitest", bin("vitest"), ["run"]);

const unitCode = await unit.done;
if (unitCode !== 0) {
  build.stop();
  await build.done;
  process.exit(unitCode);
}
const buildCode = await build.done;
if (buildCode !== 0) process.exit(buildCode);

const e2e = run("playwright", bin("playwright"), ["test"]);
process.exit(await e2e.done);
