import { NonRetryableError, RateLimitError, RetryableError } from "@/lib/engine/errors";
import { parseRetryAfter } from "@/lib/engine/http";
import type { Executor } from "../types";
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

export const httpExecutor: Executor<HttpConfig> = {
  async run(ctx) {
    const c = ctx.config;
    const { settings, http, credentials, clock } = ctx.services;
    const url = String(await ctx.render(c.url));
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
    if (c.credential) {
      const secret = credentials ? await credentials.get(ctx.workspaceId, c.credential) : null;
      if (secret === null)
        throw new NonRetryableError(`The credential "${c.credential}" does not exist in this workspace.`);
      const header = (c.credentialHeader ?? "authorization").toLowerCase();
      headers[header] = header === "authorization" ? `Bearer ${secret}` : secret;
    }
    const maxResponseBytes = Math.min(
      c.maxResponseBytes ?? settings.httpMaxResponseBytes ?? DEFAULT_HTTP_MAX_BYTES,
      settings.httpMaxResponseBytes ?? 10_000_000,
    );
    const res = await http.fetch({
      method: c.method,
      url,
      headers,
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
