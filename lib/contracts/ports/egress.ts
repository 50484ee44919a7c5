/**
 * The egress policy: which private addresses an outbound call may reach. Every outbound call —
 * the http node, model providers, notification webhooks, OTLP export — goes through the one guard
 * in lib/engine/egress.ts with a policy like this. Public addresses are always allowed;
 * loopback, private, link-local (cloud metadata) and other reserved addresses are refused unless
 * the policy allows them: all of them (`allowPrivateNetwork`, the installation's
 * SWITCHBOARD_ALLOW_PRIVATE_NETWORK=1) or one host explicitly (`allowHosts`, a workspace's
 * allow-list, e.g. a local model server on `127.0.0.1:11434`).
 */
export interface EgressPolicy {
  /** Any private, loopback or link-local address may be called. Default false. */
  allowPrivateNetwork?: boolean;
  /**
   * Hosts that may be on private addresses: `host` (any port) or `host:port`, where host is a
   * name or an IP literal (IPv6 in brackets), lower-case. Compared with the URL's host as written.
   */
  allowHosts?: readonly string[];
}

/** The policy of a workspace (the installation's switch merged with the workspace's allow-list). */
export type EgressPolicyResolver = (workspaceId: string | undefined) => Promise<EgressPolicy> | EgressPolicy;
