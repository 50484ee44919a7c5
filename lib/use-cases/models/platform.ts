// What one process knows about each workspace's outbound configuration — its model providers,
// prices, egress allow-list and credential values — and the engine ports built from it: the
// model gateway (simulated + the workspace's providers over the AI SDK), the price table, the
// egress policy, the credential resolver and secret redaction.
//
// Caching: a workspace's configuration is loaded once and kept. Every change bumps
// Workspace.configRevision in the same transaction (lib/db/workspace-config.ts); a cached copy
// older than `maxAgeMs` (default 1 s) checks the revision with one small read before it is used
// again and reloads when it moved. Changes made through this process invalidate at once. So a
// change made in another process (the web server, a worker, the CLI) is seen within a second,
// and the steady state costs one primary-key read per workspace per second, not one per call.
// A credential revealed for a call joins the workspace's redactor at once, whatever the cache's
// age, so nothing a call used can be stored unredacted.

import { NonRetryableError } from "@/lib/contracts/errors";
import type {
  Clock,
  CredentialResolver,
  EgressPolicy,
  ModelGateway,
  ModelPrice,
  PriceTable,
  SecretRedaction,
} from "@/lib/contracts/ports";
import type { Db } from "@/lib/db/client";
import { type CredentialStore, createCredentialStore } from "@/lib/db/credentials";
import { listModelPrices, listModelProviders, type ModelProviderRow } from "@/lib/db/model-providers";
import type { DbOrTx } from "@/lib/db/tx";
import { egressAllowHostsOf, workspaceConfigHead } from "@/lib/db/workspace-config";
import { systemClock } from "@/lib/engine/clock";
import { createSimulatedModel } from "@/lib/engine/models/simulated";
import {
  createEgressFetch,
  createProviderGateway,
  createProviderPriceTable,
  type FetchFunction,
  type ProviderConfig,
  type ProviderGateway,
  type ProviderKind,
  providerConfigSchema,
} from "@/lib/providers";
import type { ProviderFactory } from "@/lib/providers/registry";
import { createRedactor, type Redactor } from "@/lib/vault/redact";
import type { Vault } from "@/lib/vault/seal";

export interface PlatformOptions {
  db: Db;
  /** The vault credentials are sealed with (called on first use: the key is read lazily). */
  vault: () => Vault;
  /** The installation's switch (SWITCHBOARD_ALLOW_PRIVATE_NETWORK=1): every private address allowed. */
  allowPrivateNetwork: boolean;
  /** The installation's allow-list (SWITCHBOARD_EGRESS_ALLOW), added to every workspace's. */
  allowHosts?: string[];
  clock?: Clock;
  /** How long a cached configuration is used before its revision is checked again. Default 1000 ms. */
  maxAgeMs?: number;
  /** Default limit of one model call (the gateway's; default 5 minutes). */
  modelTimeoutMs?: number;
  /** Tests: build AI SDK providers with mocks. */
  providerFactory?: ProviderFactory;
  log?: (line: string) => void;
}

/** One workspace's configuration as this process last loaded it. */
export interface WorkspaceSnapshot {
  workspaceId: string;
  revision: number;
  /** performance.now() of the last revision check */
  checkedAt: number;
  providers: ModelProviderRow[];
  /** provider configs the gateway uses (rows that parse) */
  configs: ProviderConfig[];
  overrides: Record<string, ModelPrice>;
  allowHosts: string[];
  secrets: Set<string>;
  redactor: Redactor;
  prices: PriceTable;
  gateway: ProviderGateway | null;
}

export interface Platform {
  readonly db: Db;
  /** Sealed credentials (write-only; values leave through revealForUse/resolveForUse). */
  readonly credentials: CredentialStore;
  /** The same store inside a transaction (a change and its audit entry commit together). */
  credentialsIn(tx: DbOrTx): CredentialStore;
  readonly allowPrivateNetwork: boolean;
  /** The workspace's configuration (cached; see the file comment). Throws not found for an unknown workspace. */
  snapshot(workspaceId: string): Promise<WorkspaceSnapshot>;
  /** Forget a workspace's cached configuration (after a change made in this process). */
  invalidate(workspaceId: string): void;
  /** The egress policy of a workspace: the installation's switch plus its allow-list. */
  egressPolicy(workspaceId: string | undefined): Promise<EgressPolicy>;
  /** A fetch through the egress guard with the workspace's policy (webhooks, provider admin calls). */
  fetchFor(workspaceId: string | undefined, peer?: string): Promise<FetchFunction>;
  /** The engine's model gateway: `simulated` and `PROVIDER:MODEL` of the request's workspace. */
  readonly models: ModelGateway;
  /** The engine's price table: a workspace's overrides, then its providers' defaults, then the engine's table. */
  readonly prices: PriceTable;
  /** The engine's credential resolver (revealed values join the workspace's redactor). */
  readonly credentialResolver: CredentialResolver;
  /** The engine's redaction hook. */
  readonly redaction: SecretRedaction;
  /** A log line with the secrets of every workspace this process has loaded redacted. */
  redactText(text: string): string;
  /** Adds a value to a workspace's redactor (a key about to be used or shown). */
  addSecret(workspaceId: string, value: string): void;
  /** Workspace snapshots loaded (for tests and diagnostics). */
  readonly stats: { loads: number; checks: number };
}

const DEFAULT_MAX_AGE_MS = 1000;
/** How long a provider key revealed for a call is reused by the next calls (ms). */
const KEY_REVEAL_MS = 60_000;

/** A stored provider row as the gateway's config (null when it no longer parses). */
export function providerConfigOf(row: ModelProviderRow): ProviderConfig | null {
  const parsed = providerConfigSchema.safeParse({
    name: row.name,
    kind: row.kind,
    ...(row.baseUrl ? { baseUrl: row.baseUrl } : {}),
    ...(row.credential ? { credential: row.credential } : {}),
    ...(row.api ? { api: row.api } : {}),
  });
  return parsed.success ? parsed.data : null;
}

export function createPlatform(options: PlatformOptions): Platform {
  const { db } = options;
  const clock = options.clock ?? systemClock;
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const log = options.log ?? (() => {});
  const installationHosts = options.allowHosts ?? [];
  let opened: Vault | null = null;
  const vaultOf = () => {
    opened ??= options.vault();
    return opened;
  };
  // The key is read (or generated into the data directory) only when a value is sealed or opened,
  // not for a workspace without credentials.
  const vault: Vault = {
    get keyId() {
      return vaultOf().keyId;
    },
    seal: (value, context) => vaultOf().seal(value, context),
    open: (sealed, context) => vaultOf().open(sealed, context),
    keyIdOf: (sealed) => vaultOf().keyIdOf(sealed),
    isCurrent: (sealed) => vaultOf().isCurrent(sealed),
  };
  let store: CredentialStore | null = null;
  const credentials = (): CredentialStore => {
    store ??= createCredentialStore(db, vault);
    return store;
  };
  const cache = new Map<string, WorkspaceSnapshot>();
  const loading = new Map<string, Promise<WorkspaceSnapshot>>();
  const stats = { loads: 0, checks: 0 };
  const simulated = createSimulatedModel(clock);
  const fallbackPrices = createProviderPriceTable({ providers: [] });

  function pricesOf(configs: { name: string; kind: ProviderKind }[], overrides: Record<string, ModelPrice>) {
    return createProviderPriceTable({ providers: configs, overrides });
  }

  async function load(workspaceId: string): Promise<WorkspaceSnapshot> {
    stats.checks += 1;
    const head = await workspaceConfigHead(db, workspaceId);
    if (!head) throw new NonRetryableError(`There is no workspace with id ${workspaceId}.`);
    const cached = cache.get(workspaceId);
    if (cached && cached.revision === head.revision) {
      cached.checkedAt = performance.now();
      cached.allowHosts = egressAllowHostsOf(head.settings);
      return cached;
    }
    stats.loads += 1;
    const [providers, priceRows] = await Promise.all([
      listModelProviders(db, workspaceId),
      listModelPrices(db, workspaceId),
    ]);
    let values: string[] = [];
    try {
      values = await credentials().secretValues(workspaceId);
    } catch (e) {
      // A value that cannot be opened cannot be revealed either, so it cannot leak.
      log(`credentials of workspace ${workspaceId} could not all be opened: ${(e as Error).message}`);
    }
    const secrets = new Set(values);
    // values revealed meanwhile (or a placeholder's) stay redacted
    for (const s of cached?.secrets ?? []) secrets.add(s);
    const configs: ProviderConfig[] = [];
    for (const row of providers) {
      const config = providerConfigOf(row);
      if (config) configs.push(config);
      else log(`model provider "${row.name}" of workspace ${workspaceId} is not a valid configuration; skipped`);
    }
    const overrides = Object.fromEntries(
      priceRows.map((p) => [p.model, { inputPerMTok: p.inputPerMTok, outputPerMTok: p.outputPerMTok }]),
    );
    const snapshot: WorkspaceSnapshot = {
      workspaceId,
      revision: head.revision,
      checkedAt: performance.now(),
      providers,
      configs,
      overrides,
      allowHosts: egressAllowHostsOf(head.settings),
      secrets,
      redactor: createRedactor(secrets),
      prices: pricesOf(configs, overrides),
      gateway: null,
    };
    cache.set(workspaceId, snapshot);
    return snapshot;
  }

  function snapshot(workspaceId: string): Promise<WorkspaceSnapshot> {
    const cached = cache.get(workspaceId);
    if (cached && cached.revision >= 0 && performance.now() - cached.checkedAt < maxAgeMs)
      return Promise.resolve(cached);
    let pending = loading.get(workspaceId);
    if (!pending) {
      pending = load(workspaceId).finally(() => loading.delete(workspaceId));
      loading.set(workspaceId, pending);
    }
    return pending;
  }

  function addSecret(workspaceId: string, value: string) {
    if (!value) return;
    let s = cache.get(workspaceId);
    if (!s) {
      // a placeholder: redacts what was revealed until the real configuration is loaded
      s = {
        workspaceId,
        revision: -1,
        checkedAt: 0,
        providers: [],
        configs: [],
        overrides: {},
        allowHosts: [],
        secrets: new Set(),
        redactor: createRedactor([]),
        prices: fallbackPrices,
        gateway: null,
      };
      cache.set(workspaceId, s);
    }
    if (s.secrets.has(value)) return;
    s.secrets.add(value);
    s.redactor = createRedactor(s.secrets);
  }

  async function egressPolicy(workspaceId: string | undefined): Promise<EgressPolicy> {
    if (!workspaceId) return { allowPrivateNetwork: options.allowPrivateNetwork, allowHosts: installationHosts };
    const s = await snapshot(workspaceId);
    return { allowPrivateNetwork: options.allowPrivateNetwork, allowHosts: [...installationHosts, ...s.allowHosts] };
  }

  const fetches = new Map<string, { hosts: string; fetch: FetchFunction }>();
  async function fetchFor(workspaceId: string | undefined, peer?: string): Promise<FetchFunction> {
    const policy = await egressPolicy(workspaceId);
    const key = `${workspaceId ?? ""}|${peer ?? ""}`;
    const hosts = (policy.allowHosts ?? []).join(",");
    const hit = fetches.get(key);
    if (hit && hit.hosts === hosts) return hit.fetch;
    const fetch = createEgressFetch({ ...policy, ...(peer ? { peer } : {}) });
    fetches.set(key, { hosts, fetch });
    return fetch;
  }

  function gatewayOf(s: WorkspaceSnapshot): ProviderGateway {
    if (s.gateway) return s.gateway;
    const policy: EgressPolicy = {
      allowPrivateNetwork: options.allowPrivateNetwork,
      allowHosts: [...installationHosts, ...s.allowHosts],
    };
    const keys = new Map<string, { value: string; at: number }>();
    s.gateway = createProviderGateway({
      providers: s.configs,
      prices: s.prices,
      timeoutMs: options.modelTimeoutMs,
      providerFactory: options.providerFactory,
      now: () => clock.now(),
      fetchFor: () => createEgressFetch(policy),
      revealSecret: async (name) => {
        // A provider's key is opened (a read and an AES-GCM open) once per minute, not per call:
        // the gateway lives as long as this configuration revision, and replacing or removing a
        // credential bumps the revision. Re-revealing each minute keeps lastUsedAt as fresh as
        // the store writes it (at most once a minute).
        const now = clock.now().getTime();
        const hit = keys.get(name);
        if (hit && now - hit.at < KEY_REVEAL_MS) return hit.value;
        const value = await credentials().revealForUse(s.workspaceId, name);
        if (value) {
          addSecret(s.workspaceId, value);
          keys.set(name, { value, at: now });
        } else keys.delete(name);
        return value;
      },
    });
    return s.gateway;
  }

  const models: ModelGateway = {
    async generate(req) {
      if (req.model === "simulated") return simulated.generate(req);
      if (!req.workspaceId)
        throw new NonRetryableError(
          `The model request for "${req.model}" names no workspace, so no provider can be chosen.`,
        );
      const s = await snapshot(req.workspaceId);
      return gatewayOf(s).generate(req);
    },
  };

  const prices: PriceTable = {
    price(model, workspaceId) {
      const s = workspaceId ? cache.get(workspaceId) : undefined;
      return (s ? s.prices : fallbackPrices).price(model);
    },
    async ready(workspaceId) {
      await snapshot(workspaceId);
    },
  };

  const credentialResolver: CredentialResolver = {
    async get(workspaceId, name) {
      const value = await credentials().resolver().get(workspaceId, name);
      if (value) addSecret(workspaceId, value);
      return value;
    },
    async resolve(workspaceId, name) {
      const found = await credentials().resolver().resolve!(workspaceId, name);
      if (found) addSecret(workspaceId, found.value);
      return found;
    },
  };

  const redaction: SecretRedaction = {
    async prepare(workspaceId) {
      await snapshot(workspaceId);
    },
    redact(workspaceId, value) {
      const r = cache.get(workspaceId)?.redactor;
      return r && r.size > 0 ? r.redact(value) : value;
    },
    redactDelta(workspaceId, pending, text) {
      const r = cache.get(workspaceId)?.redactor;
      return r && r.size > 0 ? r.redactChunk(pending, text) : { text: pending + text, pending: "" };
    },
    addSecrets(workspaceId, values) {
      for (const v of values) addSecret(workspaceId, v);
    },
  };

  return {
    db,
    get credentials() {
      return credentials();
    },
    credentialsIn: (tx) => createCredentialStore(tx, vault),
    allowPrivateNetwork: options.allowPrivateNetwork,
    snapshot,
    invalidate(workspaceId) {
      const s = cache.get(workspaceId);
      if (s) s.checkedAt = Number.NEGATIVE_INFINITY;
    },
    egressPolicy,
    fetchFor,
    models,
    prices,
    credentialResolver,
    redaction,
    redactText(text) {
      let out = text;
      for (const s of cache.values()) if (s.redactor.size > 0) out = s.redactor.redactText(out);
      return out;
    },
    addSecret,
    stats,
  };
}
