// File modes of what Switchboard keeps on disk: the data directory is 0700 and the files in it
// that hold data or secrets (the SQLite database with its -wal/-shm/-journal companions,
// secrets.json, first-run.json, the vault key file) are 0600 — created so, and tightened at every
// start for installations that created them world-readable (0644 in a 0755 folder) before.
// No umask juggling: modes are given when creating and fixed with chmod afterwards.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, statSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** Files of the data directory that must be private, besides the database's own. */
export const PRIVATE_FILES = ["secrets.json", "first-run.json"];
const SQLITE_COMPANIONS = ["", "-wal", "-shm", "-journal"];

const supported = () => process.platform !== "win32";

/** chmod when the mode allows more than `mode` (and the file is ours); a failure is reported, not thrown. */
function tighten(path: string, mode: number, log: (line: string) => void): void {
  try {
    const st = statSync(path);
    if ((st.mode & 0o777 & ~mode) === 0) return;
    if (typeof process.getuid === "function" && st.uid !== process.getuid()) {
      log(`warning: ${path} belongs to another user and is readable by others; make it mode ${mode.toString(8)}`);
      return;
    }
    chmodSync(path, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    log(`warning: could not make ${path} mode ${mode.toString(8)}: ${(error as Error).message}`);
  }
}

/** Folders that are never made private wholesale: a data directory set to one of them is a mistake. */
function shared(dir: string): boolean {
  const cwd = process.cwd();
  return [resolve("/"), homedir(), cwd, dirname(cwd), tmpdir()].map((p) => resolve(p)).includes(resolve(dir));
}

/**
 * Creates the data directory (0700) or tightens it to 0700, and tightens the private files in it
 * to 0600: the database and its companions, secrets.json, first-run.json, and every other *.json
 * (the vault key file). A data directory that is the root, a home, the working directory or the
 * temporary folder is left as it is, with a warning.
 */
export function secureDataDirectory(dir: string, log: (line: string) => void = console.warn): void {
  const path = resolve(dir);
  mkdirSync(path, { recursive: true, mode: DIR_MODE });
  if (!supported()) return;
  if (shared(path)) {
    log(`warning: the data directory ${path} is a shared folder; set SWITCHBOARD_DATA_DIR to a dedicated one`);
  } else tighten(path, DIR_MODE, log);
  let names: string[] = [];
  try {
    names = readdirSync(path);
  } catch {
    return;
  }
  for (const name of names) {
    const isDatabase = /\.db(-wal|-shm|-journal)?$/.test(name);
    if (isDatabase || name.endsWith(".json") || PRIVATE_FILES.includes(name)) tighten(join(path, name), FILE_MODE, log);
  }
}

/**
 * Before SQLite opens `file`: its folder exists (created 0700 when new) and the file exists with
 * mode 0600 — SQLite gives the -wal and -shm files it creates the database file's mode. An
 * existing file and companions are tightened to 0600.
 */
export function prepareSqliteFile(file: string, log: (line: string) => void = console.warn): void {
  if (file === ":memory:" || file === "") return;
  mkdirSync(dirname(file), { recursive: true, mode: DIR_MODE });
  if (!existsSync(file)) closeSync(openSync(file, "a", FILE_MODE));
  tightenSqliteFiles(file, log);
}

/** The database file and its -wal/-shm/-journal companions, 0600 where they exist. */
export function tightenSqliteFiles(file: string, log: (line: string) => void = console.warn): void {
  if (!supported()) return;
  for (const suffix of SQLITE_COMPANIONS) tighten(`${file}${suffix}`, FILE_MODE, log);
}
