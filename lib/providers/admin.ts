/**
 * What the Settings page and the CLI need for a provider before any workflow uses it: the models
 * it lists, and a connection test. Listing costs no tokens, so the test lists; where a server has
 * no listing (404/405) and a model is named, it asks that model for one token instead.
 * Calls go through the same egress fetch as the gateway; errors are the engine's typed errors.
 */
import { APICallError, generateText } from "ai";
import { type EngineError, NonRetryableError, type SerializedError, TimeoutError } from "@/lib/contracts/errors";
import type { ProviderConfig } from "./config";
import { createEgressFetch, type FetchFunction } from "./egress-fetch";
import { toEngineError } from "./errors";
import { baseUrlOf, resolveLanguageModel } from "./registry";

export interface AdminCallOptions {
  /** The key, already revealed (configs with `credential`); defaults to `config.apiKey`. */
  apiKey?: string;
  /** Default: the egress guard (private addresses only with `allowPrivateNetwork`). */
  fetch?: FetchFunction;
  allowPrivateNetwork?: boolean;
  signal?: AbortSignal;
  /** Default 15 000 ms. */
  timeoutMs?: number;
}

export interface ListedModel {
  id: string;
  name?: string;
}

const MAX_PAGES = 20;

function headersFor(config: ProviderConfig, apiKey: string | undefined): Record<string, string> {
  if (config.kind === "anthropic") return { "x-api-key": apiKey ?? "", "anthropic-version": "2023-06-01" };
  if (config.kind === "google") return { "x-goog-api-key": apiKey ?? "" };
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {};
}

async function withLimits<T>(
  config: ProviderConfig,
  options: AdminCallOptions,
  fn: (fetch: FetchFunction, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const timer = new AbortController();
  let timedOut = false;
  const t = setTimeout(() => {
    timedOut = true;
    timer.abort(new TimeoutError(`${config.name} did not answer within ${timeoutMs} ms.`, { timeoutMs }));
  }, timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timer.signal]) : timer.signal;
  const fetch =
    options.fetch ??
    createEgressFetch({ allowPrivateNetwork: options.allowPrivateNetwork || config.allowPrivateNetwork });
  try {
    return await fn(fetch, signal);
  } catch (e) {
    throw toEngineError(e, {
      provider: config.name,
      model: "(models)",
      signal: options.signal,
      timedOutAfterMs: timedOut ? timeoutMs : undefined,
    });
  } finally {
    clearTimeout(t);
  }
}

async function getJson(fetch: FetchFunction, url: string, headers: Record<string, string>, signal: AbortSignal) {
  const res = await fetch(url, { headers: { accept: "application/json", ...headers }, signal });
  const text = await res.text();
  if (!res.ok) {
    const responseHeaders: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      responseHeaders[k] = v;
    });
    let message = text.slice(0, 300);
    try {
      const body = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
      message = (typeof body.error === "object" ? body.error?.message : body.error) ?? body.message ?? message;
    } catch {}
    throw new APICallError({
      message,
      url,
      requestBodyValues: undefined,
      statusCode: res.status,
      responseHeaders,
      responseBody: text.slice(0, 2000),
    });
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new NonRetryableError(`${url} did not answer with JSON.`);
  }
}

/** Models the provider lists (ids as the model part of `<provider>:<model>`), sorted. */
export function listModels(config: ProviderConfig, options: AdminCallOptions = {}): Promise<ListedModel[]> {
  const apiKey = options.apiKey ?? config.apiKey;
  const base = baseUrlOf(config);
  const headers = headersFor(config, apiKey);
  return withLimits(config, options, async (fetch, signal) => {
    const out: ListedModel[] = [];
    if (config.kind === "google") {
      let token: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const url = `${base}/models?pageSize=1000${token ? `&pageToken=${encodeURIComponent(token)}` : ""}`;
        const body = await getJson(fetch, url, headers, signal);
        for (const m of (body.models ?? []) as {
          name?: string;
          displayName?: string;
          supportedGenerationMethods?: string[];
        }[]) {
          if (!m.name) continue;
          if (m.supportedGenerationMethods && !m.supportedGenerationMethods.includes("generateContent")) continue;
          out.push({ id: m.name.replace(/^models\//, ""), name: m.displayName });
        }
        token = typeof body.nextPageToken === "string" && body.nextPageToken ? body.nextPageToken : undefined;
        if (!token) break;
      }
    } else if (config.kind === "anthropic") {
      let after: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const url = `${base}/models?limit=1000${after ? `&after_id=${encodeURIComponent(after)}` : ""}`;
        const body = await getJson(fetch, url, headers, signal);
        for (const m of (body.data ?? []) as { id?: string; display_name?: string }[])
          if (m.id) out.push({ id: m.id, name: m.display_name });
        after = body.has_more === true && typeof body.last_id === "string" ? body.last_id : undefined;
        if (!after) break;
      }
    } else {
      const body = await getJson(fetch, `${base}/models`, headers, signal);
      for (const m of (body.data ?? []) as { id?: string }[]) if (m.id) out.push({ id: m.id });
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  });
}

export type ConnectionResult =
  | { ok: true; latencyMs: number; via: "models" | "generate"; models: number | null }
  | { ok: false; latencyMs: number; error: SerializedError };

/**
 * Checks the base URL and the key: lists the models; when the server has no listing and `model`
 * is given, asks that model for one token. Never throws for a provider's refusal: the result says.
 */
export async function testConnection(
  config: ProviderConfig,
  options: AdminCallOptions & { model?: string } = {},
): Promise<ConnectionResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const models = await listModels(config, options);
    return { ok: true, latencyMs: elapsed(), via: "models", models: models.length };
  } catch (e) {
    const err = e as EngineError;
    const status = (err as { data?: { status?: number } }).data?.status;
    if (!options.model || (status !== 404 && status !== 405))
      return { ok: false, latencyMs: elapsed(), error: err.toJSON() };
  }
  try {
    const model = options.model!;
    await withLimits(config, options, (fetch, signal) =>
      generateText({
        model: resolveLanguageModel(config, model, { apiKey: options.apiKey ?? config.apiKey, fetch }),
        prompt: "ping",
        maxOutputTokens: 1,
        maxRetries: 0,
        abortSignal: signal,
      }),
    );
    return { ok: true, latencyMs: elapsed(), via: "generate", models: null };
  } catch (e) {
    return { ok: false, latencyMs: elapsed(), error: (e as EngineError).toJSON() };
  }
}
