/**
 * createTestEngine(): an engine on the memory store with a fake clock (auto-advancing by default),
 * deterministic ids, a recording notifier and an optional stub HTTP fetcher and workflow resolver.
 */

import type { WorkflowDocument } from "@/lib/workflow/schema";
import { createEngine } from "../engine";
import { createRunEventHub, type RunEventHub } from "../notifier";
import type {
  EngineSettings,
  HttpFetcher,
  IdGenerator,
  ModelGateway,
  PriceTable,
  ResolvedWorkflow,
  RunEventRecord,
  RunStore,
  SubworkflowResolver,
} from "../ports";
import type { Engine } from "../types";
import { FakeClock } from "./fake-clock";
import { createMemoryStore, type MemoryRunStore } from "./memory-store";

export function createSequentialIds(prefix = ""): IdGenerator {
  const counters = { run: 0, step: 0, approval: 0 };
  return {
    id(kind) {
      counters[kind] += 1;
      return `${prefix}${kind}${counters[kind]}`;
    },
  };
}

export interface TestEngineOptions {
  store?: RunStore;
  clock?: FakeClock;
  autoAdvance?: boolean;
  models?: ModelGateway;
  http?: HttpFetcher;
  prices?: PriceTable;
  settings?: EngineSettings;
  owner?: string;
  leaseTtlMs?: number;
  /** Workflows a subworkflow node can call: id → document (version 1). */
  workflows?: Record<string, WorkflowDocument | unknown>;
  ids?: IdGenerator;
}

export interface TestEngine {
  engine: Engine & { readonly owner: string };
  store: MemoryRunStore;
  clock: FakeClock;
  hub: RunEventHub;
  /** Every event published, in order. */
  published: RunEventRecord[];
  /** A second engine on the same store and clock (a restarted process). */
  restart(options?: Partial<TestEngineOptions>): Engine & { readonly owner: string };
}

export function createTestEngine(options: TestEngineOptions = {}): TestEngine {
  const store = (options.store as MemoryRunStore) ?? createMemoryStore();
  const clock = options.clock ?? new FakeClock(undefined, { autoAdvance: options.autoAdvance ?? true });
  const hub = createRunEventHub();
  const published: RunEventRecord[] = [];
  hub.subscribeAll((_runId, events) => published.push(...events));
  const ids = options.ids ?? createSequentialIds();
  const resolver: SubworkflowResolver | undefined = options.workflows
    ? {
        async resolve({ workflow, version }): Promise<ResolvedWorkflow | null> {
          const doc = options.workflows![workflow];
          if (!doc || (version !== "latest" && version !== 1)) return null;
          return {
            workflowId: workflow,
            workflowVersionId: `${workflow}@1`,
            version: 1,
            document: doc as WorkflowDocument,
          };
        },
      }
    : undefined;
  const make = (o: Partial<TestEngineOptions>, owner: string) =>
    createEngine({
      store,
      clock,
      ids: o.ids ?? ids,
      models: o.models ?? options.models,
      http: o.http ?? options.http,
      prices: o.prices ?? options.prices,
      settings: o.settings ?? options.settings,
      resolver,
      notifier: hub,
      owner,
      leaseTtlMs: o.leaseTtlMs ?? options.leaseTtlMs ?? 30_000,
    });
  let restarts = 0;
  return {
    engine: make({}, options.owner ?? "test-engine"),
    store,
    clock,
    hub,
    published,
    restart(o = {}) {
      restarts += 1;
      return make(o, o.owner ?? `test-engine-${restarts + 1}`);
    },
  };
}
