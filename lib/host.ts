// The composition root: one host per process. The web server (instrumentation.ts, and every
// page, route and action through lib/server/context.ts), the CLI (lib/cli/commands.ts),
// `switchboard worker` (lib/worker/worker.ts) and tests get their database, engine, store,
// notifier, decision service, notifications and telemetry here, wired once.
//
// Creating a host prepares the data it needs (data directory, migrations, the demo seed on an
// empty database: lib/db/bootstrap.ts) and wires the parts; it starts no background work.
// start() does, explicitly, from a process's entry point: the web server's instrumentation and
// `switchboard worker`. Never from a page render or on first use.
//
// Next bundles server code into several chunks, each with its own copy of this module, so the
// web server's host lives in the process's one globalThis slot (getHost(); lib/contracts/process-slot.ts), beside the other per-process parts (metrics, the budgets cache).

import type { Clock, ModelGateway, RunStore } from "@/lib/contracts/ports";
import { dropProcessPart, processPart } from "@/lib/contracts/process-slot";
import { createA2aClient } from "./a2a";
import { type Approvals, createApprovals, createNotifications, type Notifications } from "./approvals/app";
import { loadSecrets } from "./auth/secrets";
import { bootstrap } from "./db/bootstrap";
import type { Db } from "./db/client";
import { queueStats } from "./db/jobs";
import type { SeedResult } from "./db/seed";
import { setPgPreparedStatements } from "./db/sql-exec";
import { systemClock } from "./engine/clock";
import { createHttpFetcher } from "./engine/http";
import type { Engine } from "./engine/types";
import { type DatabaseTarget, type Env, readEnv } from "./env";
import { createMcpClientForDb, type McpClient } from "./mcp";
import { createDispatcher, type Dispatcher, type ExecutionMode, executionMode } from "./runtime/dispatch";
import { createRuntime, type RuntimeOptions, type RuntimeRole } from "./runtime/engine";
import { type EventRelay, type EventRelayOptions, startEventRelay } from "./runtime/event-relay";
import { type Heartbeat, startHeartbeat } from "./runtime/heartbeat";
import type { RuntimeNotifier } from "./runtime/notifier";
import { type Runner, type RunnerOptions, startRunner } from "./runtime/runner";
import { type RunTelemetryHandle, startRunTelemetryFromEnv } from "./telemetry/export";
import { recordRunEvents, switchboardMetrics } from "./telemetry/metrics";
import { type MetricsExport, metricsExportFromEnv } from "./telemetry/metrics-export";
import { type DeliveryConfig, deliveryConfigFromEnv } from "./use-cases/approvals/notifications/settings";
import { createPlatform, type Platform } from "./use-cases/models/platform";
import { type ScheduleTicker, startScheduleTicker } from "./use-cases/triggers/schedules";
import { createVault } from "./vault/seal";

export type HostRole = RuntimeRole;

export interface HostOptions {
  /** Names this process's executor in run leases (`<role>:<host>:<pid>`). */
  role: HostRole;
  /** The parsed environment (default: this process's, lib/env.ts). */
  env?: Env;
  /** The database (default: DATABASE_URL / the embedded SQLite file under SWITCHBOARD_DATA_DIR). */
  target?: DatabaseTarget;
  /** An open, migrated database to use instead (tests, a worker given its Db); the host does not close it. */
  db?: Db;
  /** Seed an empty database with the demo workspace (default: SWITCHBOARD_SEED != "0"; not with `db`). */
  seed?: boolean;
  log?: (line: string) => void;
  /** Lease owner (default `<role>:<host>:<pid>`) and time-to-live (default 30 s). */
  owner?: string;
  leaseTtlMs?: number;
  clock?: Clock;
  /**
   * The model gateway the engine calls (default: the simulated model; `provider:model` names
   * fail as not configured). Real providers and the credentials vault plug in here.
   */
  models?: ModelGateway;
  /** Lower-level engine wiring (tests: an HTTP fetcher, engine settings, a wrapped store). */
  runtime?: Omit<RuntimeOptions, "role" | "owner" | "leaseTtlMs" | "clock" | "models" | "notifier" | "execute">;
  /**
   * Who executes this process's runs (lib/runtime/dispatch.ts). Default: SWITCHBOARD_EXECUTE for
   * web servers, inline for everyone else. Workers always execute, and on PostgreSQL enqueue what
   * they requeue.
   */
  execution?: ExecutionMode;
}

/** What start() runs. Each part is off unless asked for. */
export interface BackgroundOptions {
  /** Recovery at start, the reaper, approval deadlines, dashboard rollup, retention (lib/runtime/runner.ts). */
  runner?: (RunnerOptions & { sweepAtStart?: boolean }) | false;
  /** The notification outbox worker. */
  notifications?: { intervalMs?: number } | false;
  /** Export finished runs over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  telemetry?: boolean;
  /** PostgreSQL: announce this process's run events to other processes and/or hear theirs (lib/runtime/event-relay.ts). */
  relay?: Pick<EventRelayOptions, "publish" | "listen"> | false;
  /** Count runs, steps and lease takeovers of this process, and read the queue depth on a scrape (lib/telemetry/metrics.ts). */
  metrics?: boolean;
  /** Fire due schedule triggers (lib/use-cases/triggers/schedules.ts); safe on several servers at once. */
  schedules?: { intervalMs?: number } | false;
  /**
   * PostgreSQL: beat every second as this process's lease owner (lib/runtime/heartbeat.ts), so
   * its leases are taken over within seconds if it dies, wherever it ran. Processes that execute.
   */
  heartbeat?: boolean;
}

export interface Host {
  readonly role: HostRole;
  readonly env: Env;
  readonly db: Db;
  /** The lease owner name of this process's engine. */
  readonly owner: string;
  /** The process's engine: every run this process starts, resumes, decides or cancels goes through it. */
  readonly engine: Engine;
  /** inline: this process executes the runs it starts; workers: it only enqueues them (lib/runtime/dispatch.ts). */
  readonly execution: ExecutionMode;
  /** Carries a started, retried or requeued run on: executes it here (inline) or leaves it to the workers. */
  readonly dispatcher: Dispatcher;
  readonly store: RunStore;
  /** Wakes run-event readers (SSE streams) when this process commits, and polls for other processes. */
  readonly notifier: RuntimeNotifier;
  /** The engine's model gateway. */
  readonly models: ModelGateway;
  /**
   * Each workspace's model providers, prices, credentials and egress allow-list, cached, and the
   * engine ports built from them (lib/use-cases/models/platform.ts). Use cases take it.
   */
  readonly platform: Platform;
  /** The MCP client: the engine's tool calls, and administrators' tool discovery. */
  readonly mcp: McpClient;
  /** The decision service's dependencies (inbox, REST API, signed links). */
  readonly approvals: Approvals;
  readonly notifications: Notifications;
  /** The background loops, once start() started them; else null. */
  readonly runner: Runner | null;
  /** The OTLP exporter, once start() started it and when configured; else null. */
  readonly telemetry: RunTelemetryHandle | null;
  /** What the demo seed created when this host seeded an empty database. */
  readonly seeded: SeedResult | null;
  /** Starts background work (idempotent per part). */
  start(options: BackgroundOptions): Promise<void>;
  /** Stops background work; the engine stays usable. */
  stop(): Promise<void>;
  /** stop(), then shuts the engine down (interrupted runs stay recoverable) and closes what the host opened. */
  close(): Promise<void>;
}

const prefixed = (line: string) => console.log(`[switchboard] ${line}`);

export async function createHost(options: HostOptions): Promise<Host> {
  const env = options.env ?? readEnv();
  setPgPreparedStatements(env.SWITCHBOARD_PG_PREPARED !== "0");
  // Log lines leave with every loaded workspace's secrets redacted.
  const baseLog = options.log ?? prefixed;
  let platformRef: Platform | null = null;
  const log = (line: string) => baseLog(platformRef ? platformRef.redactText(line) : line);
  let db: Db;
  let seeded: SeedResult | null = null;
  if (options.db) db = options.db;
  else ({ db, seeded } = await bootstrap({ env, target: options.target, seed: options.seed, log }));

  const clock = options.clock ?? systemClock;
  // Providers, prices, credentials (sealed with SWITCHBOARD_SECRET_KEY), egress allow-lists and
  // secret redaction, per workspace; the engine's ports below are built from it.
  const platform = createPlatform({
    db,
    clock,
    allowPrivateNetwork: env.SWITCHBOARD_ALLOW_PRIVATE_NETWORK === "1",
    allowHosts: env.SWITCHBOARD_EGRESS_ALLOW,
    vault: () => createVault(loadSecrets(env).SWITCHBOARD_SECRET_KEY),
    log,
  });
  platformRef = platform;
  const models = options.models ?? platform.models;
  let execution: ExecutionMode;
  try {
    execution = executionMode(
      options.execution ?? (options.role === "web" ? env.SWITCHBOARD_EXECUTE : "inline"),
      db.provider,
    );
  } catch (error) {
    if (!options.db) await db.close();
    throw error;
  }
  // Workers on PostgreSQL add the jobs of the runs they leave runnable (a decision they apply, a
  // shutdown); processes whose runs workers execute add them for everything they queue.
  const enqueue = db.provider === "postgresql" && (options.role === "worker" || execution === "workers");
  // MCP servers (tool node, agents' tools): connections only when a run reaches such a node or an
  // administrator asks for a server's tools; every HTTP call through the workspace's egress policy.
  const mcp = createMcpClientForDb(db, {
    egress: (workspaceId) => platform.egressPolicy(workspaceId),
    credentials: platform.credentialResolver,
  });
  // Remote A2A agents (the a2a node): the card and every URL it names through the egress policy.
  const a2a = createA2aClient({
    egress: (workspaceId) => platform.egressPolicy(workspaceId),
    credentials: platform.credentialResolver,
  });
  const runtime = createRuntime(db, {
    mcp: mcp.gateway,
    a2a,
    ...options.runtime,
    enqueue,
    execute: options.role === "worker" || execution === "inline",
    http: options.runtime?.http ?? createHttpFetcher({ policy: (workspaceId) => platform.egressPolicy(workspaceId) }),
    prices: options.runtime?.prices ?? platform.prices,
    // Workers and the CLI stream too on PostgreSQL: their event relay carries the tokens to the
    // web servers' streams (lib/runtime/event-relay.ts). On SQLite nobody could watch them live.
    liveEvents:
      options.runtime?.liveEvents ??
      (env.SWITCHBOARD_STREAM_TOKENS === undefined
        ? db.provider === "postgresql" && (options.role === "worker" || options.role === "cli")
          ? true
          : undefined
        : env.SWITCHBOARD_STREAM_TOKENS === "1"),
    settings: {
      allowPrivateNetwork: env.SWITCHBOARD_ALLOW_PRIVATE_NETWORK === "1",
      credentials: platform.credentialResolver,
      redaction: platform.redaction,
      ...options.runtime?.settings,
    },
    role: options.role,
    owner: options.owner,
    leaseTtlMs: options.leaseTtlMs,
    clock,
    models,
  });

  // Secrets are read (or generated into the data directory) only when something needs them.
  let secret: string | undefined;
  const linkSecret = () => {
    secret ??= loadSecrets(env).SWITCHBOARD_SECRET_KEY;
    return secret;
  };
  let delivery: DeliveryConfig | undefined;
  const deliveryConfig = () => {
    delivery ??= { ...deliveryConfigFromEnv(env), linkSecret: linkSecret() };
    return delivery;
  };
  const notifications = createNotifications(db, deliveryConfig, log, (workspaceId) =>
    platform.fetchFor(workspaceId, "the webhook"),
  );
  const approvals = createApprovals({
    db,
    engine: runtime.engine,
    store: runtime.store,
    notifications,
    linkSecret,
    log,
  });

  let runner: Runner | null = null;
  let telemetry: RunTelemetryHandle | null = null;
  let relay: EventRelay | null = null;
  let heartbeat: Heartbeat | null = null;
  let metricsExport: MetricsExport | null = null;
  let stopMetrics: (() => void) | null = null;
  let schedules: ScheduleTicker | null = null;
  let closed: Promise<void> | null = null;

  const host: Host = {
    role: options.role,
    env,
    db,
    owner: runtime.owner,
    engine: runtime.engine,
    execution,
    dispatcher: createDispatcher(execution, runtime.engine, log),
    store: runtime.store,
    notifier: runtime.notifier,
    models,
    platform,
    mcp,
    approvals,
    notifications,
    get runner() {
      return runner;
    },
    get telemetry() {
      return telemetry;
    },
    seeded,
    async start(background) {
      if (closed) throw new Error("This host is closed.");
      if (background.telemetry && !telemetry) {
        try {
          telemetry = startRunTelemetryFromEnv(db, runtime.notifier, env, {
            egress: { allowPrivateNetwork: platform.allowPrivateNetwork, allowHosts: env.SWITCHBOARD_EGRESS_ALLOW },
            redaction: platform.redaction,
          });
          if (telemetry) log("exporting finished runs over OTLP");
        } catch (error) {
          log(
            `not exporting runs over OTLP: ${error instanceof Error ? error.message : String(error)} (allow the collector with SWITCHBOARD_EGRESS_ALLOW=host:port)`,
          );
        }
      }
      if (background.runner && !runner) {
        const { sweepAtStart, ...runnerOptions } = background.runner;
        runner = startRunner(runtime, { log, ...runnerOptions });
        // The first sweep now rather than after the first timer tick.
        if (sweepAtStart) void runner.sweep().catch((error: unknown) => log(`start-up sweep failed: ${String(error)}`));
      }
      if (background.notifications) await notifications.start(background.notifications);
      if (background.schedules && !schedules) {
        schedules = startScheduleTicker(
          { db, engine: runtime.engine, dispatcher: host.dispatcher, store: runtime.store },
          { intervalMs: background.schedules.intervalMs, now: () => clock.now(), log },
        );
      }
      if (background.metrics && !stopMetrics) {
        const metrics = switchboardMetrics();
        stopMetrics = runtime.notifier.subscribeAll(recordRunEvents(metrics));
        if (db.provider === "postgresql") metrics.setQueueDepthSource(() => queueStats(db));
        try {
          metricsExport = metricsExportFromEnv(env, {
            instance: runtime.owner,
            egress: { allowPrivateNetwork: platform.allowPrivateNetwork, allowHosts: env.SWITCHBOARD_EGRESS_ALLOW },
            metrics,
            log,
          });
          if (metricsExport) log(`exporting metrics over OTLP to ${metricsExport.url}`);
        } catch (error) {
          log(
            `not exporting metrics over OTLP: ${error instanceof Error ? error.message : String(error)} (allow the collector with SWITCHBOARD_EGRESS_ALLOW=host:port)`,
          );
        }
      }
      if (background.heartbeat && !heartbeat && db.provider === "postgresql") {
        try {
          heartbeat = await startHeartbeat(db, runtime.owner, { log });
        } catch (error) {
          log(`not beating: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      if (background.relay && !relay && db.provider === "postgresql") {
        try {
          relay = await startEventRelay(db, runtime.notifier, { ...background.relay, log });
        } catch (error) {
          // the notifier's poll still carries other processes' events, a little later
          log(
            `run events from other processes arrive by polling: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
    },
    async stop() {
      const r = runner;
      runner = null;
      notifications.stop();
      await r?.stop();
      const sc = schedules;
      schedules = null;
      await sc?.stop();
      const t = telemetry;
      telemetry = null;
      await t?.stop();
      const rl = relay;
      relay = null;
      await rl?.close();
      const hb = heartbeat;
      heartbeat = null;
      await hb?.stop();
      stopMetrics?.();
      stopMetrics = null;
      const me = metricsExport;
      metricsExport = null;
      await me?.shutdown();
    },
    close() {
      closed ??= (async () => {
        await host.stop();
        await runtime.close();
        if (!options.db) await db.close();
      })();
      return closed;
    },
  };
  return host;
}

/**
 * What the web server runs in the background (instrumentation.ts): everything, unless turned off
 * by SWITCHBOARD_RUNNER=0 (recovery, reaper, deadlines, maintenance) or SWITCHBOARD_NOTIFICATIONS=0.
 * With SWITCHBOARD_EXECUTE=workers the workers recover runs, reap and apply approval deadlines;
 * the web server keeps the maintenance (rollup, retention). On PostgreSQL it hears the run events
 * other processes commit (and announces its own).
 */
export function webBackground(env: Env): BackgroundOptions {
  const workers = env.SWITCHBOARD_EXECUTE === "workers";
  return {
    runner:
      env.SWITCHBOARD_RUNNER === "0"
        ? false
        : workers
          ? { recoverOnStart: false, recoverIntervalMs: 0, sweepIntervalMs: 0, maintenanceIntervalMs: 5000 }
          : { sweepAtStart: true },
    relay: { publish: true, listen: true },
    heartbeat: true,
    metrics: true,
    schedules: env.SWITCHBOARD_RUNNER === "0" ? false : {},
    notifications: env.SWITCHBOARD_NOTIFICATIONS === "0" ? false : { intervalMs: env.SWITCHBOARD_NOTIFY_INTERVAL_MS },
    telemetry: true,
  };
}

/**
 * The web server's host: created on first use (role "web", from the environment), then shared
 * by every chunk of the Next server through the process's one globalThis slot. Starts nothing:
 * the web server's instrumentation calls start(). A failed creation is retried on the next call.
 */
export function getHost(): Promise<Host> {
  return processPart("host", () =>
    createHost({ role: "web" }).catch((error: unknown) => {
      dropProcessPart("host");
      throw error;
    }),
  );
}
