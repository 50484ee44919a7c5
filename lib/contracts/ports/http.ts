/** The outbound HTTP port (the http node, tools). The egress-guarded fetcher is lib/engine/http.ts. */

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  timeoutMs: number;
  maxResponseBytes: number;
  /** Admin setting: allow loopback/private/link-local addresses. */
  allowPrivateNetwork: boolean;
  /**
   * The run's workspace: the fetcher asks the host's egress policy for it (the workspace's
   * allow-list of private hosts), on top of `allowPrivateNetwork`.
   */
  workspaceId?: string;
  /** Headers that carry a credential: dropped (with Authorization and Cookie) when a redirect leaves the origin. */
  sensitiveHeaders?: string[];
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  bytes: number;
  url: string;
}

export interface HttpFetcher {
  /** Throws EgressDeniedError for forbidden addresses, RetryableError for network errors, TimeoutError. */
  fetch(request: HttpRequest): Promise<HttpResponse>;
}

/** Retry-After (seconds or an HTTP date) in ms, or undefined. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.min(Math.round(Number(trimmed) * 1000), 3_600_000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.min(at - now.getTime(), 3_600_000));
}
