/**
 * Where the vault's secret comes from: SWITCHBOARD_SECRET_KEY as the caller read it from its
 * environment (passed in: nothing here reads process.env), else the same entry of
 * `<data dir>/secrets.json` that lib/auth/secrets.ts keeps (mode 0600), generated there when
 * missing, so a fresh installation needs no configuration and restarts keep their key.
 * Several servers sharing one database must all be given the same SWITCHBOARD_SECRET_KEY.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MIN_SECRET_LENGTH, VaultError } from "./seal";

export const SECRETS_FILE = "secrets.json";
const ENTRY = "SWITCHBOARD_SECRET_KEY";

function readEntry(file: string): { stored: Record<string, unknown>; secret?: string } {
  if (!existsSync(file)) return { stored: {} };
  let stored: unknown;
  try {
    stored = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    throw new VaultError("malformed", `${file} is not valid JSON.`);
  }
  if (!stored || typeof stored !== "object" || Array.isArray(stored))
    throw new VaultError("malformed", `${file} is not a secrets file.`);
  const value = (stored as Record<string, unknown>)[ENTRY];
  return {
    stored: stored as Record<string, unknown>,
    secret: typeof value === "string" && value.length >= MIN_SECRET_LENGTH ? value : undefined,
  };
}

/** The vault secret: `secret` when given, else the data directory's (generated once, mode 0600). */
export function loadVaultSecret(options: { secret?: string; dataDir: string }): {
  secret: string;
  source: "env" | "file" | "generated";
} {
  if (options.secret) {
    if (options.secret.length < MIN_SECRET_LENGTH)
      throw new VaultError("weak_secret", `SWITCHBOARD_SECRET_KEY must be at least ${MIN_SECRET_LENGTH} characters.`);
    return { secret: options.secret, source: "env" };
  }
  const file = join(options.dataDir, SECRETS_FILE);
  const found = readEntry(file);
  if (found.secret) return { secret: found.secret, source: "file" };
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString("base64url");
  if (!existsSync(file)) {
    try {
      // `wx`: if another process created the file meanwhile, use what it wrote
      writeFileSync(file, `${JSON.stringify({ [ENTRY]: secret }, null, 2)}\n`, { mode: 0o600, flag: "wx" });
      return { secret, source: "generated" };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const again = readEntry(file);
      if (again.secret) return { secret: again.secret, source: "file" };
    }
  }
  const current = readEntry(file);
  if (current.secret) return { secret: current.secret, source: "file" };
  writeFileSync(file, `${JSON.stringify({ ...current.stored, [ENTRY]: secret }, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { secret, source: "generated" };
}
