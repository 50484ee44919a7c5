// Environment, parsed once and validated with zod. Engine code never reads this; the app,
// CLI and workers pass what the engine needs explicitly.
import { resolve } from "node:path";
import { z } from "zod";

const EnvSchema = z.object({
  DATABASE_URL: z.string().optional(),
  SWITCHBOARD_DATA_DIR: z.string().default("./data"),
  SWITCHBOARD_SEED: z.enum(["0", "1"]).default("1"),
  SWITCHBOARD_SECRET_KEY: z.string().optional(),
  NEXTAUTH_SECRET: z.string().optional(),
  NEXTAUTH_URL: z.string().optional(),
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().optional(),
  OIDC_CLIENT_SECRET: z.string().optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  PORT: z.coerce.number().int().positive().default(3000),
});

export type Env = z.infer<typeof EnvSchema>;

export function readEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid environment: ${problems}`);
  }
  return parsed.data;
}

export type DatabaseTarget =
  | { provider: "sqlite"; file: string; url: string }
  | { provider: "postgresql"; url: string; schema?: string };

/** Where the database is: DATABASE_URL (postgres://… or file:…) or the embedded default. */
export function databaseTarget(env: Env = readEnv()): DatabaseTarget {
  const url = env.DATABASE_URL;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const schema = new URL(url).searchParams.get("schema") ?? undefined;
    return { provider: "postgresql", url, schema };
  }
  const file = url?.startsWith("file:")
    ? resolve(url.slice("file:".length))
    : resolve(env.SWITCHBOARD_DATA_DIR, "switchboard.db");
  return { provider: "sqlite", file, url: `file:${file}` };
}
