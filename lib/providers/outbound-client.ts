// What the clients that call out on a workspace's behalf (the MCP client, the A2A client) share:
// their options for egress, credentials and the fetch, and one egress fetch per policy.
import type { CredentialResolver, EgressPolicy, EgressPolicyResolver } from "@/lib/contracts/ports";
import { createEgressFetch, type FetchFunction } from "./egress-fetch";

export interface OutboundClientOptions {
  /** The workspace's egress policy (default: private addresses refused). */
  egress?: EgressPolicyResolver;
  /** Workspace credentials (bearer tokens), or a getter for them. */
  credentials?: CredentialResolver | (() => CredentialResolver | undefined);
  /** The fetch for a policy (tests wrap it; default: the egress guard). */
  fetchFor?: (policy: EgressPolicy & { maxResponseBytes: number }) => FetchFunction;
  /** Largest HTTP response (or stream) accepted, bytes. Default 8 MiB. */
  maxResponseBytes?: number;
}

export function credentialsOf(options: OutboundClientOptions): CredentialResolver | undefined {
  const c = options.credentials;
  return typeof c === "function" ? c() : c;
}

/**
 * Egress fetches kept one per distinct policy (so each keeps its pooled sockets across calls; at
 * most about 50); `options.fetchFor` (a test's) is asked instead of making one. `peer` names the
 * other side in errors ("the MCP server").
 */
export function egressFetchPerPolicy(
  options: OutboundClientOptions,
  peer: string,
): (policy: EgressPolicy) => FetchFunction {
  const maxResponseBytes = options.maxResponseBytes ?? 8 * 1024 * 1024;
  const fetches = new Map<string, FetchFunction>();
  return (policy) => {
    const full = { ...policy, maxResponseBytes };
    if (options.fetchFor) return options.fetchFor(full);
    const key = JSON.stringify(full);
    let f = fetches.get(key);
    if (!f) {
      f = createEgressFetch({ ...full, peer });
      if (fetches.size > 50) fetches.delete(fetches.keys().next().value as string);
      fetches.set(key, f);
    }
    return f;
  };
}
