// Runs the `switchboard` command in-process (main() with its output captured) against a given
// database, for the CLI's tests: what a person would see on stdout and stderr, and the exit code.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { type Db, openDb } from "../db/client";
import type { DatabaseTarget } from "../env";
import { main } from "./main";

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
  /** The parsed stdout (as JSON.parse gives it: tests narrow it where they use it). */
  json: () => ReturnType<typeof JSON.parse>;
}

export async function runCliInProcess(target: DatabaseTarget, argv: string[]): Promise<CliOutcome> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    target,
    io: {
      stdout: (s) => {
        stdout += s;
      },
      stderr: (s) => {
        stderr += s;
      },
    },
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

/**
 * A fresh, unseeded SQLite file in a temporary folder for every test of the calling file (made in
 * beforeEach, removed in afterEach): `cli(...argv)` runs a command on it, `db()` opens it once per
 * test to check what was stored (closed after the test), `dir` is the test's folder.
 */
export function freshSqliteCli(prefix: string) {
  process.env.SWITCHBOARD_SEED = "0";
  let dir = "";
  let target: DatabaseTarget | null = null;
  let check: Db | null = null;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    const file = join(dir, "cli.db");
    target = { provider: "sqlite", file, url: `file:${file}` };
  });
  afterEach(async () => {
    await check?.close();
    check = null;
    rmSync(dir, { recursive: true, force: true });
  });
  const current = () => {
    if (!target) throw new Error("freshSqliteCli: used outside a test");
    return target;
  };
  return {
    /** The current test's temporary folder. */
    get dir() {
      return dir;
    },
    /** The current test's database. */
    get target() {
      return current();
    },
    cli: (...argv: string[]) => runCliInProcess(current(), argv),
    db: async () => {
      check ??= await openDb(current());
      return check;
    },
  };
}
