// Wiring: the engine with the Prisma run store, the simulated model gateway, the real clock,
// the egress-guarded HTTP fetcher, published-version subworkflows and the runtime notifier.
// The web app, the CLI, workers and the benchmark all build their engine here.
import { hostname } from "node:os";
import type { Db } from "../db/client";
import { PrismaRunStore } from "../db/run-store";
import { loadPublishedVersion } from "../db/workflows-store";
import { createIdGenerator, systemClock } from "../engine/clock";
import { createEngine } from "../engine/engine";
import { createHttpFetcher } from "../engine/http";
import { createModelGateway } from "../engine/models/gateway";
import type { Clock, EngineSettings, HttpFetcher, ModelGateway, RunStore, SubworkflowResolver } from "../engine/ports";
import { createPriceTable } from "../engine/prices";
import type { Engine } from "../engine/types";
import type { WorkflowDocument } from "../workflow/schema";
import { createRuntimeNotifier, type RuntimeNotifier } from "./notifier";

export type RuntimeRole = "web" | "cli" | "worker" | "bench" | "test";

export interface RuntimeOptions {
  /** Names this executor in leases: `<role>:<host>:<pid>` unless `owner` is given. */
  role?: RuntimeRole;
  owner?: string;
  /** Lease time-to-live (default 30 s; the engine renews it at a third). */
  leaseTtlMs?: number;
  clock?: Clock;
  /** Model providers besides the built-in simulated model (AI SDK providers plug in here). */
  providers?: Record<string, ModelGateway>;
  /** Replace the whole gateway (tests). */
  models?: ModelGateway;
  http?: HttpFetcher;
  settings?: EngineSettings;
  /** Share one notifier between engines of a process (default: the process-wide one). */
  notifier?: RuntimeNotifier;
  /** Replace the store (tests wrap it to inject failures; the worker wraps it to hand over claimed leases). */
  store?: RunStore;
  /** PrismaRunStore write path (default: direct where available; see lib/db/sql-exec.ts). */
  directWrites?: boolean;
}

export interface Runtime {
  db: Db;
  engine: Engine;
  store: RunStore;
  notifier: RuntimeNotifier;
  owner: string;
  /** Stops in-process executions (their runs stay recoverable) and releases the store. */
  close(): Promise<void>;
}

export function executorName(role: RuntimeRole = "web"): string {
  return `${role}:${hostname()}:${process.pid}`;
}

/** Published workflow versions for subworkflow nodes (a workflow id or name in the workspace). */
export function createSubworkflowResolver(db: Db): SubworkflowResolver {
  return {
    async resolve({ workspaceId, workflow, version }) {
      const found = await loadPublishedVersion(db, workspaceId, workflow, version);
      if (!found) return null;
      return {
        workflowId: found.workflowId,
        workflowVersionId: found.workflowVersionId,
        version: found.version,
        document: found.document as WorkflowDocument,
      };
    },
  };
}

/** Reads Run.lastSeq for the notifier's cross-process fallback. */
export function lastSeqReader(db: Db) {
  return async (runIds: string[]) => {
    const rows = await db.prisma.run.findMany({ where: { id: { in: runIds } }, select: { id: true, lastSeq: true } });
    return new Map(rows.map((r) => [r.id, r.lastSeq]));
  };
}

/**
 * Per-process registries live on globalThis: Next bundles instrumentation.ts, route handlers and
 * server actions separately, each with its own copy of this module, and they must still share one
 * engine and one notifier per database (getDb() already returns one Db per process).
 */
export function processRegistry<V>(name: string): WeakMap<Db, V> {
  const slot = globalThis as unknown as Record<symbol, WeakMap<Db, V> | undefined>;
  const key = Symbol.for(`switchboard.${name}`);
  slot[key] ??= new WeakMap<Db, V>();
  return slot[key];
}

const processNotifiers = processRegistry<RuntimeNotifier>("processNotifiers");

/** The process-wide notifier for a database: every engine of the process publishes into it. */
export function processNotifier(db: Db): RuntimeNotifier {
  let n = processNotifiers.get(db);
  if (!n) {
    n = createRuntimeNotifier({ readLastSeq: lastSeqReader(db) });
    processNotifiers.set(db, n);
  }
  return n;
}

export function createRuntime(db: Db, options: RuntimeOptions = {}): Runtime {
  const clock = options.clock ?? systemClock;
  const owner = options.owner ?? executorName(options.role);
  const notifier = options.notifier ?? processNotifier(db);
  // The engine publishes what its executions commit; decisions are stored outside an execution,
  // so the store forwards those to the notifier itself.
  const ownStore = options.store
    ? null
    : new PrismaRunStore(db, {
        direct: options.directWrites,
        onEvents: (runId, events, source) => {
          if (source === "decideApproval") notifier.publish(runId, events);
        },
      });
  const store = options.store ?? ownStore!;
  const engine = createEngine({
    store,
    clock,
    ids: createIdGenerator(),
    models: options.models ?? createModelGateway({ clock, providers: options.providers }),
    http: options.http ?? createHttpFetcher(),
    resolver: createSubworkflowResolver(db),
    prices: createPriceTable(),
    notifier,
    owner,
    leaseTtlMs: options.leaseTtlMs ?? 30_000,
    settings: options.settings ?? {},
  });
  return {
    db,
    engine,
    store,
    notifier,
    owner,
    async close() {
      await engine.shutdown();
      await ownStore?.close();
    },
  };
}

const sharedRuntimes = processRegistry<Runtime>("sharedRuntimes");

/**
 * The engine for a database. Without options it is the process's shared engine (one per Db:
 * the web app's actions and routes all use it, so in-process runs, leases and notifications are
 * shared); with options a new one is built.
 */
export async function createEngineFor(db: Db, options?: RuntimeOptions): Promise<Engine> {
  return options ? createRuntime(db, options).engine : sharedRuntime(db).engine;
}

/** The shared runtime of `createEngineFor(db)` (for the runner and SSE routes). */
export function sharedRuntime(db: Db): Runtime {
  let rt = sharedRuntimes.get(db);
  if (!rt) {
    rt = createRuntime(db, { role: "web" });
    sharedRuntimes.set(db, rt);
  }
  return rt;
}
