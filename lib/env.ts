// Environment: every variable Switchboard reads, parsed and validated here with zod, and read
// from `process.env` here only. Engine code never reads this; the host (lib/host.ts), the CLI
// and bin/start.mjs read it once and pass what each part needs explicitly. docs/configuration.md
// lists every variable and where it is used.
//
// Not read here, on purpose (each is a tool's own config, loaded before any of our code):
// next.config.js (NEXT_DIST_DIR), instrumentation.ts (NEXT_RUNTIME, which Next sets and which
// must be tested inline so the edge bundle drops the Node-only imports), prisma.config.ts
// (DATABASE_URL for the Prisma CLI), playwright.config.ts and e2e/ (the test harness), and
// scripts/*.mjs (developer tools). next-auth also reads NEXTAUTH_URL, NEXTAUTH_SECRET and
// AUTH_TRUST_HOST from process.env itself.
import { isIP } from "node:net";
import { resolve } from "node:path";
import { z } from "zod";
import { parseAllowEntry } from "./engine/egress";

/** An environment to parse: process.env, a test's record, or an already parsed Env. */
export type EnvSource = Readonly<Record<string, unknown>>;

const flag = z.enum(["0", "1"]);

const EnvSchema = z.object({
  // -- data
  /** postgres://… (PostgreSQL) or file:… (a SQLite file); unset: <data dir>/switchboard.db */
  DATABASE_URL: z.string().optional(),
  /** embedded database, secrets.json, first-run.json */
  SWITCHBOARD_DATA_DIR: z.string().default("./data"),
  /** 0: do not seed an empty database with the demo workspace */
  SWITCHBOARD_SEED: flag.default("1"),
  /** the project folder (migrations, templates); set by bin/*.mjs, else the current folder */
  SWITCHBOARD_ROOT: z.string().optional(),
  // -- secrets and sign-in
  SWITCHBOARD_SECRET_KEY: z.string().optional(),
  NEXTAUTH_SECRET: z.string().optional(),
  NEXTAUTH_URL: z.string().url().optional(),
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().optional(),
  OIDC_CLIENT_SECRET: z.string().optional(),
  OIDC_NAME: z.string().default("single sign-on"),
  // -- background work of the web server (lib/host.ts)
  /** 0: the web server does not run recovery, the reaper, approval deadlines or maintenance */
  SWITCHBOARD_RUNNER: flag.default("1"),
  /** 0: no notification delivery (outbox worker) in this process */
  SWITCHBOARD_NOTIFICATIONS: flag.default("1"),
  SWITCHBOARD_NOTIFY_INTERVAL_MS: z.coerce.number().int().positive().default(5000),
  /**
   * inline: a web server executes the runs it starts, resumes and decides (the only mode on the
   * embedded SQLite database); workers (PostgreSQL): web servers only enqueue and
   * `switchboard worker` processes execute (lib/runtime/dispatch.ts)
   */
  SWITCHBOARD_EXECUTE: z.enum(["inline", "workers"]).default("inline"),
  /**
   * 1: model calls of the runs this process executes stream their tokens to live watchers (the run
   * event stream's `event: live`); 0: they do not. Default: on in the web server, and in the CLI and
   * workers on PostgreSQL (their event relay carries the tokens to the web servers); off in the CLI
   * on SQLite (nobody could watch it live)
   */
  SWITCHBOARD_STREAM_TOKENS: flag.optional(),
  /** requests per minute one API key may make to the REST API, per web server process (lib/server/rate-limit.ts) */
  SWITCHBOARD_API_RATE_LIMIT: z.coerce.number().int().positive().default(600),
  /** runs one member may start a minute, per web server process (lib/use-cases/runs/limits.ts) */
  SWITCHBOARD_RUN_START_RATE: z.coerce.number().int().positive().default(30),
  /** runs one API key may start a minute, per web server process (lib/use-cases/runs/limits.ts) */
  SWITCHBOARD_RUN_START_RATE_PER_KEY: z.coerce.number().int().positive().default(60),
  /** queued + running runs one workspace may have at once; more starts are refused (every entry point) */
  SWITCHBOARD_MAX_ACTIVE_RUNS: z.coerce.number().int().positive().default(200),
  /** requests per minute one webhook accepts, per web server process, unless its trigger sets rateLimitPerMinute (lib/use-cases/triggers/webhooks.ts) */
  SWITCHBOARD_WEBHOOK_RATE_LIMIT: z.coerce.number().int().positive().default(300),
  /** refused attempts audited per actor and kind a minute; the rest are counted in the next entry (lib/server/refusals.ts) */
  SWITCHBOARD_REFUSAL_AUDIT_LIMIT: z.coerce.number().int().positive().default(10),
  /**
   * comma-separated IPs or CIDRs of the reverse proxies in front of the web server: only a request
   * whose direct peer is one of them may name the client in X-Forwarded-For / X-Real-IP (lib/server/client-address.ts)
   */
  SWITCHBOARD_TRUSTED_PROXIES: z
    .string()
    .default("")
    .superRefine((list, ctx) => {
      for (const entry of list.split(",").map((e) => e.trim())) {
        if (!entry) continue;
        const [address = "", prefix] = entry.split("/");
        const family = isIP(address.replace(/^\[|\]$/g, ""));
        const okPrefix = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
        if (!family || !okPrefix)
          ctx.addIssue({
            code: "custom",
            message: `"${entry}" is not an IP address or CIDR (e.g. 10.0.0.1, 10.0.0.0/8, ::1)`,
          });
      }
    }),
  /** 0: no named (server-side prepared) statements on PostgreSQL, e.g. behind a pooler in transaction mode */
  SWITCHBOARD_PG_PREPARED: flag.default("1"),
  /** a bearer token that may read /api/metrics (Prometheus), besides an admin's session or API key */
  SWITCHBOARD_METRICS_TOKEN: z.string().min(16).optional(),
  // -- egress
  /**
   * 1: every outbound call (http nodes, model providers, webhooks, OTLP export) of every workspace
   * may reach loopback, private and link-local addresses (an administrator's choice)
   */
  SWITCHBOARD_ALLOW_PRIVATE_NETWORK: flag.default("0"),
  /**
   * comma-separated host[:port] list allowed on private addresses for the whole installation
   * (every workspace, and OTLP export), e.g. "localhost:4318,127.0.0.1:11434"
   */
  SWITCHBOARD_EGRESS_ALLOW: z
    .union([z.string(), z.array(z.string())])
    .default([])
    .transform((v) => (Array.isArray(v) ? v : v.split(",")).map((h) => h.trim()).filter(Boolean))
    .superRefine((hosts, ctx) => {
      for (const h of hosts) {
        const parsed = parseAllowEntry(h);
        if (!parsed.ok) ctx.addIssue({ code: "custom", message: `"${h}" ${parsed.error}` });
      }
    }),
  // -- notifications
  SMTP_URL: z.string().optional(),
  SMTP_FROM: z.string().default("Switchboard <switchboard@localhost>"),
  /** where links in messages point; default NEXTAUTH_URL, else http://localhost:$PORT */
  SWITCHBOARD_PUBLIC_URL: z.string().url().optional(),
  // -- telemetry
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  /** the metrics' full OTLP/HTTP URL (default: $OTEL_EXPORTER_OTLP_ENDPOINT/v1/metrics; lib/telemetry/metrics-export.ts) */
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: z.string().url().optional(),
  /** milliseconds between two metric exports over OTLP (the OpenTelemetry default: 60000) */
  OTEL_METRIC_EXPORT_INTERVAL: z.coerce.number().int().positive().default(60_000),
  OTEL_SERVICE_NAME: z.string().default("switchboard"),
  // -- serving (bin/start.mjs)
  PORT: z.coerce.number().int().positive().max(65_535).default(3000),
  SWITCHBOARD_REBUILD: z.enum(["auto", "missing", "always"]).default("auto"),
  NEXT_DIST_DIR: z.string().default(".next"),
  // -- tools
  /** any value: the CLI prints stack traces */
  SWITCHBOARD_DEBUG: z.string().optional(),
  /** PostgreSQL for tests and `switchboard bench --postgres` */
  TEST_POSTGRES_URL: z.string().default("postgres://postgres@127.0.0.1:5432/test"),
});

export type Env = z.infer<typeof EnvSchema>;

/**
 * Parses an environment (default: this process's); throws naming every bad variable. An empty
 * value counts as unset. Parsing an Env again gives the same Env.
 */
export function readEnv(source: EnvSource = process.env): Env {
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid environment: ${problems}`);
  }
  return parsed.data;
}

/** The data directory as an absolute path (relative values resolve against the current folder). */
export function dataDirectory(env: Pick<Env, "SWITCHBOARD_DATA_DIR"> = readEnv()): string {
  return resolve(/*turbopackIgnore: true*/ env.SWITCHBOARD_DATA_DIR);
}

/** The project folder: migrations and templates are read from here. */
export function projectRoot(env: Pick<Env, "SWITCHBOARD_ROOT"> = readEnv()): string {
  return env.SWITCHBOARD_ROOT ?? process.cwd();
}

export type DatabaseTarget =
  | { provider: "sqlite"; file: string; url: string }
  | { provider: "postgresql"; url: string; schema?: string };

/** Where the database is: DATABASE_URL (postgres://… or file:…) or the embedded default. */
export function databaseTarget(env: Pick<Env, "DATABASE_URL" | "SWITCHBOARD_DATA_DIR"> = readEnv()): DatabaseTarget {
  const url = env.DATABASE_URL;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const schema = new URL(url).searchParams.get("schema") ?? undefined;
    return { provider: "postgresql", url, schema };
  }
  const file = url?.startsWith("file:")
    ? resolve(/*turbopackIgnore: true*/ url.slice("file:".length))
    : resolve(/*turbopackIgnore: true*/ env.SWITCHBOARD_DATA_DIR, "switchboard.db");
  return { provider: "sqlite", file, url: `file:${file}` };
}
