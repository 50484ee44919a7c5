// For tests that run `switchboard` as child processes (and kill them): spawn the real
// executable on a database, collect its output, and poll the database until something holds.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { type Db, openDb } from "../db/client";
import { openTestPostgres } from "../db/testing";

export const SWITCHBOARD_BIN = join(process.cwd(), "bin/switchboard.mjs");

export interface CliDatabase {
  db: Db;
  /** The environment that points a child `switchboard` at this database. */
  env: Record<string, string>;
  dispose(): Promise<void>;
}

export async function cliSqlite(dir: string): Promise<CliDatabase> {
  const file = join(dir, "cli.db");
  const db = await openDb({ provider: "sqlite", file, url: `file:${file}` });
  return { db, env: { DATABASE_URL: `file:${file}` }, dispose: () => db.close() };
}

export async function cliPostgres(): Promise<CliDatabase> {
  const db = await openTestPostgres();
  if (db.target.provider !== "postgresql") throw new Error("expected PostgreSQL");
  return { db, env: { DATABASE_URL: db.target.url }, dispose: () => db.dispose() };
}

export const CLI_DATABASES = [
  { name: "sqlite", setup: cliSqlite },
  { name: "postgresql", setup: (_dir: string) => cliPostgres() },
] as const;

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export type CliChild = ChildProcess & { output: Promise<CliExit> };

export function spawnCli(args: string[], env: Record<string, string>, cwd: string): CliChild {
  const child = spawn(process.execPath, [SWITCHBOARD_BIN, ...args], {
    cwd,
    env: { ...process.env, ...env, SWITCHBOARD_SEED: "0", SWITCHBOARD_DATA_DIR: join(cwd, "data"), NODE_OPTIONS: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const output = new Promise<CliExit>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return Object.assign(child, { output });
}

export async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 60_000,
  everyMs = 50,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
