/**
 * createTestEngine(): an engine on the memory store with a fake clock (auto-advancing by default),
 * deterministic ids, a recording notifier, the built-in node types (or the registry given) and an
 * optional stub HTTP fetcher and workflow resolver.
 *
 * It lives outside lib/engine because it wires the engine to the node types, which the engine
 * never imports: like the composition roots, the test kit sits on a floor above both.
 */

import type { NodeRegistry } from "@/lib/contracts/node-registry";
import type {
  A2aGateway,
  EngineSettings,
  HttpFetcher,
  IdGenerator,
  McpGateway,
  ModelGateway,
  PriceTable,
  ResolvedWorkflow,
  RunEventRecord,
  RunStore,
  SubworkflowResolver,
} from "@/lib/contracts/ports";
import type { WorkflowDocument } from "@/lib/contracts/workflow-document";
import { createEngine } from "@/lib/engine/engine";
import { createRunEventHub, type RunEventHub } from "@/lib/engine/notifier";
import { FakeClock } from "@/lib/engine/testing/fake-clock";
import { createMemoryStore, type MemoryRunStore } from "@/lib/engine/testing/memory-store";
import type { Engine } from "@/lib/engine/types";
import { builtinNodes } from "@/lib/nodes/builtin";

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
  /** Node types; default: the built-in ones. */
  nodes?: NodeRegistry;
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
  /** MCP servers and A2A agents the tool, agent and a2a nodes reach. */
  mcp?: McpGateway;
  a2a?: A2aGateway;
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
      nodes: o.nodes ?? options.nodes ?? builtinNodes,
      store,
      clock,
      ids: o.ids ?? ids,
      models: o.models ?? options.models,
      http: o.http ?? options.http,
      prices: o.prices ?? options.prices,
      settings: o.settings ?? options.settings,
      mcp: o.mcp ?? options.mcp,
      a2a: o.a2a ?? options.a2a,
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
