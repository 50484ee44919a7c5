// `switchboard` as a fresh clone runs it: the real command (bin/switchboard.mjs, a child process)
// in an empty folder, with a data directory that does not exist yet and nothing else set up.
// Every command creates the directory, migrates and seeds the database on its own.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RunResult } from "../engine/types";

const ROOT = process.cwd();
const BIN = join(ROOT, "bin/switchboard.mjs");

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function switchboard(args: string[], dataDir: string) {
  // Only what a user's shell would have: no DATABASE_URL, no seed switch, no project settings.
  const env: NodeJS.ProcessEnv = { ...process.env, SWITCHBOARD_DATA_DIR: dataDir, NODE_OPTIONS: "" };
  for (const name of ["DATABASE_URL", "SWITCHBOARD_SEED", "SWITCHBOARD_ROOT"]) delete env[name];
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, stdout, stderr })),
  );
}

describe("switchboard on an empty data directory", () => {
  it("`run <template> --json` creates, migrates and seeds the database, then the run succeeds", async () => {
    dir = mkdtempSync(join(tmpdir(), "switchboard-fresh-"));
    const dataDir = join(dir, "data");
    expect(existsSync(dataDir)).toBe(false);

    const run = await switchboard(["run", join(ROOT, "lib/templates/research-write-review.json"), "--json"], dataDir);
    expect(run.code, run.stderr).toBe(0);
    const result: RunResult = JSON.parse(run.stdout);
    expect(result.status).toBe("succeeded");
    expect(result.steps.length).toBeGreaterThan(2);
    expect(existsSync(join(dataDir, "switchboard.db"))).toBe(true);
    // The demo seed ran (its sign-ins go to stderr and first-run.json, never to the JSON on stdout).
    expect(existsSync(join(dataDir, "first-run.json"))).toBe(true);
    expect(run.stderr).toMatch(/admin@acme\.test/);

    const shown = await switchboard(["runs", "show", result.runId, "--json"], dataDir);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ runId: result.runId, status: "succeeded" });
  }, 120_000);

  it("`recover --json` on another empty data directory has nothing to do", async () => {
    dir = mkdtempSync(join(tmpdir(), "switchboard-fresh-"));
    const recovered = await switchboard(["recover", "--json"], join(dir, "state", "data"));
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(JSON.parse(recovered.stdout)).toEqual([]);
  }, 120_000);
});
