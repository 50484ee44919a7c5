import { NonRetryableError, RateLimitError, RetryableError } from "@/lib/contracts/errors";
import type { Executor } from "@/lib/contracts/node";
import { parseRetryAfter, type ResolvedCredential } from "@/lib/contracts/ports";
import type { HttpConfig } from "./definition";

export const DEFAULT_HTTP_MAX_BYTES = 1_000_000;
export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;

function parseBody(text: string, contentType: string | undefined, mode: HttpConfig["responseType"]): unknown {
  if (mode === "text") return text;
  const looksJson = /\bjson\b/i.test(contentType ?? "");
  if (mode === "json" || looksJson) {
    try {
      return text === "" ? null : JSON.parse(text);
    } catch {
      if (mode === "json") throw new NonRetryableError("The response is not valid JSON.");
      return text;
    }
  }
  return text;
}

/**
 * Puts a credential where its kind says: bearer (and a plain secret) → `Authorization: Bearer`,
 * basic → `Authorization: Basic base64(user:password)` (the value is `user:password`), header →
 * the credential's header (the node's `credentialHeader` wins), query → the credential's query
 * parameter. Returns the URL (query kind) and the header it set.
 */
export function applyCredential(
  credential: ResolvedCredential,
  name: string,
  url: string,
  headers: Record<string, string>,
  headerOverride?: string,
): { url: string; header: string | null } {
  const { value, kind } = credential;
  const field = credential.field?.trim() || null;
  if (headerOverride) {
    const header = headerOverride.toLowerCase();
    headers[header] = header === "authorization" && kind !== "header" ? `Bearer ${value}` : value;
    return { url, header };
  }
  if (kind === "basic") {
    headers.authorization = `Basic ${Buffer.from(value, "utf8").toString("base64")}`;
    return { url, header: "authorization" };
  }
  if (kind === "header") {
    if (!field) throw new NonRetryableError(`The credential "${name}" (kind header) names no header.`);
    headers[field.toLowerCase()] = value;
    return { url, header: field.toLowerCase() };
  }
  if (kind === "query") {
    if (!field) throw new NonRetryableError(`The credential "${name}" (kind query) names no query parameter.`);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new NonRetryableError(`"${url.slice(0, 200)}" is not a valid URL.`);
    }
    parsed.searchParams.set(field, value);
    return { url: parsed.toString(), header: null };
  }
  headers.authorization = `Bearer ${value}`;
  return { url, header: "authorization" };
}

/** The URL with `query` (rendered name → value rows) appended, each pair encoded. */
function withQuery(url: string, query: unknown): string {
  if (!query || typeof query !== "object" || Object.keys(query).length === 0) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new NonRetryableError(`"${url.slice(0, 200)}" is not a valid URL.`);
  }
  for (const [name, value] of Object.entries(query as Record<string, unknown>))
    parsed.searchParams.append(name, typeof value === "string" ? value : JSON.stringify(value));
  return parsed.toString();
}

export const httpExecutor: Executor<HttpConfig> = {
  async run(ctx) {
    const c = ctx.config;
    const { settings, http, credentials, clock } = ctx.services;
    const url = withQuery(String(await ctx.render(c.url)), c.query ? await ctx.render(c.query) : undefined);
    const rendered = (await ctx.render(c.headers)) as Record<string, unknown>;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(rendered))
      headers[k.toLowerCase()] = typeof v === "string" ? v : JSON.stringify(v);
    headers["idempotency-key"] ??= ctx.idempotencyKey;
    headers["user-agent"] ??= "Switchboard/1";
    let body: string | undefined;
    if (c.body !== undefined && c.method !== "GET" && c.method !== "HEAD") {
      const value = await ctx.render(c.body);
      if (typeof value === "string") body = value;
      else {
        body = JSON.stringify(value);
        headers["content-type"] ??= "application/json";
      }
    }
    let target = url;
    const sensitiveHeaders: string[] = [];
    if (c.credential) {
      let credential: ResolvedCredential | null = null;
      if (credentials?.resolve) credential = await credentials.resolve(ctx.workspaceId, c.credential);
      else if (credentials) {
        const value = await credentials.get(ctx.workspaceId, c.credential);
        credential = value === null ? null : { value, kind: "bearer" };
      }
      if (credential === null)
        throw new NonRetryableError(`The credential "${c.credential}" does not exist in this workspace.`);
      const applied = applyCredential(credential, c.credential, url, headers, c.credentialHeader);
      target = applied.url;
      if (applied.header) sensitiveHeaders.push(applied.header);
    }
    const maxResponseBytes = Math.min(
      c.maxResponseBytes ?? settings.httpMaxResponseBytes ?? DEFAULT_HTTP_MAX_BYTES,
      settings.httpMaxResponseBytes ?? 10_000_000,
    );
    const res = await http.fetch({
      method: c.method,
      url: target,
      headers,
      sensitiveHeaders,
      workspaceId: ctx.workspaceId,
      body,
      signal: ctx.signal,
      timeoutMs: ctx.node.timeoutMs ?? settings.httpTimeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS,
      maxResponseBytes,
      allowPrivateNetwork: settings.allowPrivateNetwork === true,
    });
    const snippet = res.body.slice(0, 500);
    if (res.status === 429) {
      throw new RateLimitError(`The server answered 429 Too Many Requests.`, {
        retryAfterMs: parseRetryAfter(res.headers["retry-after"], clock.now()),
      });
    }
    if (res.status >= 500) {
      throw new RetryableError(`The server answered ${res.status}.`, {
        retryAfterMs: parseRetryAfter(res.headers["retry-after"], clock.now()),
      });
    }
    if (res.status >= 400) {
      throw new NonRetryableError(`The server answered ${res.status}: ${snippet}`, {
        data: { status: res.status, body: snippet },
      });
    }
    return {
      kind: "done",
      input: { method: c.method, url },
      output: {
        status: res.status,
        headers: res.headers,
        body: parseBody(res.body, res.headers["content-type"], c.responseType),
      },
    };
  },
};
