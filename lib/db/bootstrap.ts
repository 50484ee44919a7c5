// The one start-up path for every entry point (npm start, the CLI, workers): open the
// database (which applies pending migrations; a failing migration rolls back and says why),
// then seed it when it is empty unless seeding is off (SWITCHBOARD_SEED=0).
import { type DatabaseTarget, databaseTarget, readEnv } from "../env";
import { type Db, openDb } from "./client";
import { type SeedResult, seedIfEmpty } from "./seed";

export type BootstrapOptions = {
  /** seed an empty database (default: SWITCHBOARD_SEED != "0") */
  seed?: boolean;
  target?: DatabaseTarget;
  /** where first-run.json goes (default: SWITCHBOARD_DATA_DIR, ./data) */
  dataDir?: string;
  log?: (line: string) => void;
};

export async function bootstrap(options: BootstrapOptions = {}): Promise<{ db: Db; seeded: SeedResult | null }> {
  const env = readEnv();
  const target = options.target ?? databaseTarget(env);
  const db = await openDb(target);
  const seed = options.seed ?? env.SWITCHBOARD_SEED !== "0";
  try {
    const seeded = seed
      ? await seedIfEmpty(db, { dataDir: options.dataDir ?? env.SWITCHBOARD_DATA_DIR, log: options.log })
      : null;
    return { db, seeded };
  } catch (error) {
    await db.close();
    throw error;
  }
}
