// The one start-up path for every entry point (the web server, the CLI, workers; all through
// lib/host.ts, and bin/start.mjs before it starts Next): create the data directory, open the
// database (which applies pending migrations; a failing migration rolls back and says why), then
// seed it when it is empty unless seeding is off (SWITCHBOARD_SEED=0).
import { type DatabaseTarget, databaseTarget, type Env, readEnv } from "../env";
import { type Db, openDb } from "./client";
import { secureDataDirectory } from "./file-modes";
import { type SeedResult, seedIfEmpty } from "./seed";

export type BootstrapOptions = {
  /** the parsed environment (default: this process's) */
  env?: Env;
  /** seed an empty database (default: SWITCHBOARD_SEED != "0") */
  seed?: boolean;
  target?: DatabaseTarget;
  /** where first-run.json goes (default: SWITCHBOARD_DATA_DIR, ./data) */
  dataDir?: string;
  log?: (line: string) => void;
  /** print the seeded passwords through `log` (default: only when stdout and stderr are terminals) */
  showPasswords?: boolean;
};

export async function bootstrap(options: BootstrapOptions = {}): Promise<{ db: Db; seeded: SeedResult | null }> {
  const env = options.env ?? readEnv();
  const target = options.target ?? databaseTarget(env);
  const dataDir = options.dataDir ?? env.SWITCHBOARD_DATA_DIR;
  // 0700, and its database and secrets files 0600 — also where an older version left them readable.
  secureDataDirectory(dataDir, options.log);
  const db = await openDb(target);
  const seed = options.seed ?? env.SWITCHBOARD_SEED !== "0";
  try {
    const seeded = seed
      ? await seedIfEmpty(db, {
          dataDir,
          log: options.log,
          // Passwords go to an interactive terminal only, never into a process log; always to first-run.json.
          showPasswords: options.showPasswords ?? (process.stdout.isTTY === true && process.stderr.isTTY === true),
        })
      : null;
    return { db, seeded };
  } catch (error) {
    await db.close();
    throw error;
  }
}
