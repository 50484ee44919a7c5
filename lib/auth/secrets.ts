// Installation secrets: NEXTAUTH_SECRET signs/encrypts session tokens, SWITCHBOARD_SECRET_KEY
// seals stored credentials. Taken from the environment when set; otherwise generated once
// and kept in <data dir>/secrets.json (mode 600), so a fresh clone needs no configuration and
// restarts keep sessions valid. Several servers sharing one PostgreSQL must set both in the
// environment (each would otherwise generate its own).
// Not server-only: bin/start.mjs (through lib/db/bootstrap.ts), the CLI and workers use it.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { dataDirectory, type EnvSource, readEnv } from "../env";

const SecretsFile = z.object({
  NEXTAUTH_SECRET: z.string().min(32).optional(),
  SWITCHBOARD_SECRET_KEY: z.string().min(32).optional(),
});

export type Secrets = { NEXTAUTH_SECRET: string; SWITCHBOARD_SECRET_KEY: string };

export function dataDir(source?: EnvSource): string {
  return dataDirectory(readEnv(source));
}

export function secretsPath(dir = dataDir()): string {
  return join(/*turbopackIgnore: true*/ dir, "secrets.json");
}

/** Environment first, then secrets.json; missing ones are generated and persisted (mode 600). */
export function loadSecrets(
  from?: EnvSource,
  dir = dataDir(from),
): Secrets & { source: Record<keyof Secrets, "env" | "file" | "generated"> } {
  const env = readEnv(from);
  const file = secretsPath(dir);
  let stored: z.infer<typeof SecretsFile> = {};
  if (existsSync(file)) {
    const parsed = SecretsFile.safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (!parsed.success) throw new Error(`${file} is not a valid secrets file: ${parsed.error.issues[0]?.message}`);
    stored = parsed.data;
  }
  const source = {} as Record<keyof Secrets, "env" | "file" | "generated">;
  const out = {} as Secrets;
  let changed = false;
  for (const name of ["NEXTAUTH_SECRET", "SWITCHBOARD_SECRET_KEY"] as const) {
    if (env[name]) {
      out[name] = env[name] as string;
      source[name] = "env";
    } else if (stored[name]) {
      out[name] = stored[name] as string;
      source[name] = "file";
    } else {
      out[name] = randomBytes(32).toString("base64url");
      stored[name] = out[name];
      source[name] = "generated";
      changed = true;
    }
  }
  if (changed) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return { ...out, source };
}

let cached: Secrets | undefined;

/** The session secret for this process (cached after the first call). */
export function authSecret(): string {
  cached ??= loadSecrets();
  return cached.NEXTAUTH_SECRET;
}
