// Wiring: the engine with the Prisma run store, the simulated model gateway, the real clock,
// the egress-guarded HTTP fetcher, published-version subworkflows and the runtime notifier.
// Every engine of a process is built here; the process's own (web server, CLI, worker) through
// its composition root, lib/host.ts. Tests and the benchmark call createRuntime() directly.
import { hostname } from "node:os";
import type {
  A2aGateway,
  BudgetLedger,
  Clock,
  EngineSettings,
  HttpFetcher,
  McpGateway,
  ModelGateway,
  PriceTable,
  RunNotifier,
  RunStore,
  SubworkflowResolver,
} from "@/lib/contracts/ports";
import type { WorkflowDocument } from "@/lib/contracts/workflow-document";
import { createBudgetLedger } from "../db/budgets";
import type { Db } from "../db/client";
import { PrismaRunStore } from "../db/run-store";
import { lastSeqOf } from "../db/runs";
import { loadPublishedVersion } from "../db/workflows-store";
import { createIdGenerator, systemClock } from "../engine/clock";
import { createEngine } from "../engine/engine";
import { createHttpFetcher } from "../engine/http";
import { createModelGateway } from "../engine/models/gateway";
import { createPriceTable } from "../engine/prices";
import type { Engine } from "../engine/types";
import { builtinNodes } from "../nodes/builtin";
import { countBudgetReservations } from "../telemetry/metrics";
import { EnqueueOnlyStore } from "./dispatch";
import { createRuntimeNotifier, type RuntimeNotifier } from "./notifier";
import { isLocalExecutorGone } from "./recovery";

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
  /** The price table (default: the engine's; the host passes the workspaces' provider prices). */
  prices?: PriceTable;
  /**
   * Stream model tokens to live watchers (the notifier's `publishLive`; models are called with
   * `onDelta`). Default: on for the web server (and tests), off for the CLI, workers and the bench,
   * whose processes have no live watchers (streaming costs CPU per call) — but lib/host.ts turns it
   * on for workers and the CLI on PostgreSQL, whose event relay sends the tokens to web servers.
   */
  liveEvents?: boolean;
  /** Monthly budgets (default: the database's ledger, lib/db/budgets.ts; false: none). */
  budgets?: BudgetLedger | false;
  http?: HttpFetcher;
  /** MCP servers and remote A2A agents (lib/mcp, lib/a2a; the host wires them). */
  mcp?: McpGateway;
  a2a?: A2aGateway;
  settings?: EngineSettings;
  /** The notifier the engine publishes into (default: the one of this Db client, processNotifier). */
  notifier?: RuntimeNotifier;
  /** Replace the store (tests wrap it to inject failures). */
  store?: RunStore;
  /** Wrap the runtime's own store (the worker hands over claimed leases this way); closed with the runtime. */
  wrapStore?: (store: PrismaRunStore) => RunStore;
  /** PrismaRunStore write path (default: direct where available; see lib/db/sql-exec.ts). */
  directWrites?: boolean;
  /**
   * PostgreSQL: the store adds each run's job to the run queue in the transaction that makes the
   * run runnable (lib/db/jobs.ts). Processes of a deployment whose runs workers execute, and the
   * workers themselves. Default false.
   */
  enqueue?: boolean;
  /**
   * false: this runtime's engine executes nothing — it takes no lease except to cancel
   * (EnqueueOnlyStore, lib/runtime/dispatch.ts); the workers execute. Default true.
   */
  execute?: boolean;
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
  return (runIds: string[]) => lastSeqOf(db, runIds);
}

// One notifier per database client in this module: runtimes built for the same Db (the CLI's,
// a test's producer and executor) share it, so a reader wakes on an in-process commit at once.
// The web server's engine and notifier come from its host (lib/host.ts), not from here.
const notifiers = new WeakMap<Db, RuntimeNotifier>();

/** The notifier for a database client: every runtime built on that client publishes into it. */
export function processNotifier(db: Db): RuntimeNotifier {
  let n = notifiers.get(db);
  if (!n) {
    n = createRuntimeNotifier({ readLastSeq: lastSeqReader(db) });
    notifiers.set(db, n);
  }
  return n;
}

/** Budget reservations are counted for the metrics (switchboard_budget_reservations_total). */
function countedLedger(ledger: BudgetLedger | undefined): BudgetLedger | undefined {
  return ledger ? countBudgetReservations(ledger) : undefined;
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
        enqueue: options.enqueue,
        onEvents: (runId, events, source) => {
          if (source === "decideApproval") notifier.publish(runId, events);
        },
      });
  const wired = options.store ?? (options.wrapStore ? options.wrapStore(ownStore!) : ownStore!);
  const store = options.execute === false ? new EnqueueOnlyStore(wired) : wired;
  const ledger = options.budgets === undefined ? createBudgetLedger(db) : null;
  const live = options.liveEvents ?? (options.role === undefined || options.role === "web" || options.role === "test");
  // Without live events the engine sees a notifier with no publishLive, so models are not streamed.
  const engineNotifier: RunNotifier = live ? notifier : { publish: (runId, events) => notifier.publish(runId, events) };
  const engine = createEngine({
    nodes: builtinNodes,
    store,
    clock,
    ids: createIdGenerator(),
    models: options.models ?? createModelGateway({ clock, providers: options.providers }),
    http: options.http ?? createHttpFetcher(),
    resolver: createSubworkflowResolver(db),
    prices: options.prices ?? createPriceTable(),
    budgets: countedLedger(ledger ?? (options.budgets || undefined)),
    notifier: engineNotifier,
    owner,
    leaseTtlMs: options.leaseTtlMs ?? 30_000,
    settings: options.settings ?? {},
    mcp: options.mcp,
    a2a: options.a2a,
    // A lease held by a process of this host that no longer exists is taken over at once.
    executorGone: isLocalExecutorGone,
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
      await ledger?.release();
    },
  };
}
