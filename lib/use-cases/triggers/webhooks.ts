// Webhook triggers: a production URL per published workflow (/api/hooks/<token>) and a test URL
// the editor listens on for two minutes (/api/hooks/test/<token>). The token is the workflow id
// plus an HMAC of it under the installation's secret key: unguessable, nothing stored. The test
// URL's listening window and what it received are rows in the database (any server may answer).
//
// Optional signature verification in the Standard Webhooks scheme (https://www.standardwebhooks.com):
// headers webhook-id, webhook-timestamp, webhook-signature = space-separated `v1,<base64 HMAC-SHA256
// of "<id>.<timestamp>.<body>">`, the secret `whsec_<base64>` kept in the credentials vault.
// A delivery id (webhook-id, else Idempotency-Key) makes a redelivery answer with the first run.
import { createHmac, timingSafeEqual } from "node:crypto";
import { AppError } from "@/lib/contracts/app-errors";
import { InputValidationError } from "@/lib/contracts/errors";
import { createRateLimiter, type RateLimiter } from "@/lib/contracts/rate-limiter";
import type { Db } from "@/lib/db/client";
import { liveWorkflowWorkspace } from "@/lib/db/triggers";
import { findWebhookTestWindow, openWebhookTestWindow, recordWebhookTestRequest } from "@/lib/db/webhook-tests";
import { loadPublishedVersion } from "@/lib/db/workflows-store";
import { type TriggerConfig, triggerConfigSchema, WEBHOOK_DEFAULTS } from "@/lib/nodes/trigger/definition";
import { type StartedRun, startWorkflowRun, triggerCaller } from "../runs/start";
import type { TriggerStartDeps } from "./start";

// ---------------------------------------------------------------- Standard Webhooks signatures

function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith("whsec_") ? secret.slice(6) : secret, "base64");
}

/** `v1,<base64>` for a delivery (what a sender puts in webhook-signature). */
export function signStandardWebhook(secret: string, id: string, timestamp: number, body: string | Uint8Array): string {
  const mac = createHmac("sha256", secretBytes(secret));
  mac.update(`${id}.${timestamp}.`);
  mac.update(typeof body === "string" ? Buffer.from(body) : body);
  return `v1,${mac.digest("base64")}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** Checks the three headers against the body; refuses a timestamp older or newer than the tolerance. */
export function verifyStandardWebhook(input: {
  secret: string;
  headers: Headers;
  body: Uint8Array;
  now: Date;
  toleranceSeconds: number;
}): SignatureCheck {
  const id = input.headers.get("webhook-id");
  const ts = input.headers.get("webhook-timestamp");
  const sig = input.headers.get("webhook-signature");
  if (!id || !ts || !sig)
    return { ok: false, reason: "webhook-id, webhook-timestamp and webhook-signature are required." };
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: "webhook-timestamp must be Unix seconds." };
  const timestamp = Number(ts);
  if (Math.abs(input.now.getTime() / 1000 - timestamp) > input.toleranceSeconds)
    return { ok: false, reason: "webhook-timestamp is outside the accepted window (a stale or replayed delivery)." };
  const expected = Buffer.from(signStandardWebhook(input.secret, id, timestamp, input.body).slice(3), "base64");
  for (const part of sig.split(" ")) {
    const [version, value] = part.split(",", 2);
    if (version !== "v1" || !value) continue;
    const given = Buffer.from(value, "base64");
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, reason: "webhook-signature does not match." };
}

// ---------------------------------------------------------------- tokens and URLs

function tokenMac(linkSecret: string, workflowId: string): string {
  return createHmac("sha256", linkSecret).update(`switchboard:webhook:${workflowId}`).digest("base64url").slice(0, 32);
}

export function webhookToken(linkSecret: string, workflowId: string): string {
  return `${workflowId}.${tokenMac(linkSecret, workflowId)}`;
}

/** The workflow id a token names, or null when the token was not made with this secret. */
export function parseWebhookToken(linkSecret: string, token: string): string | null {
  const dot = token.lastIndexOf(".");
  if (dot <= 0 || token.length > 200) return null;
  const workflowId = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(tokenMac(linkSecret, workflowId));
  return given.length === expected.length && timingSafeEqual(given, expected) ? workflowId : null;
}

/** The trigger node's config when the document starts by webhook, else null. */
export function webhookTriggerOf(document: unknown, kind: TriggerConfig["kind"] = "webhook"): TriggerConfig | null {
  const nodes = (document as { nodes?: { type?: string; config?: unknown }[] } | null)?.nodes;
  const trigger = Array.isArray(nodes) ? nodes.find((n) => n?.type === "trigger") : undefined;
  if (!trigger) return null;
  const parsed = triggerConfigSchema.safeParse(trigger.config ?? {});
  return parsed.success && parsed.data.kind === kind ? parsed.data : null;
}

/** The production URL of a workflow whose (published) document starts by webhook; null otherwise. */
export function webhookUrlOf(
  baseUrl: string,
  linkSecret: string,
  workflow: { id: string },
  document: unknown,
  mode: "production" | "test" = "production",
): string | null {
  if (!webhookTriggerOf(document)) return null;
  const base = baseUrl.replace(/\/+$/, "");
  return `${base}/api/hooks/${mode === "test" ? "test/" : ""}${webhookToken(linkSecret, workflow.id)}`;
}

// ---------------------------------------------------------------- bodies

export class BodyTooLargeError extends Error {}

/** Reads at most `maxBytes` of the body, stopping (and throwing BodyTooLargeError) as soon as it is passed. */
export async function readBodyCapped(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > maxBytes) throw new BodyTooLargeError();
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** The run input from a body: JSON (an object), or a form; empty → {}. */
function inputFromBody(body: Uint8Array, contentType: string): { ok: true; input: unknown } | { ok: false } {
  const text = Buffer.from(body).toString("utf8");
  if (text.trim() === "") return { ok: true, input: {} };
  if (contentType.includes("application/x-www-form-urlencoded"))
    return { ok: true, input: Object.fromEntries(new URLSearchParams(text)) };
  try {
    return { ok: true, input: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

// ---------------------------------------------------------------- receiving

export interface WebhookDeps extends TriggerStartDeps {
  /** The installation's secret key (tokens). */
  linkSecret: string;
  /** A credential's value from the vault, for the workspace. */
  revealSecret(workspaceId: string, name: string): Promise<string | null>;
  now?: () => Date;
  /** Polls the run until it ends (with_output); default: loadRun every 200 ms. */
  sleep?: (ms: number) => Promise<void>;
  /** Requests a minute per webhook unless its trigger sets rateLimitPerMinute (SWITCHBOARD_WEBHOOK_RATE_LIMIT). */
  rateLimitPerMinute?: number;
}

/** The default of SWITCHBOARD_WEBHOOK_RATE_LIMIT. */
export const WEBHOOK_RATE_LIMIT_DEFAULT = 300;

// Per-webhook rate limit: a token bucket per workflow, in this process's memory (like the API's
// per-key limit: with N web servers a webhook accepts up to N times its rate). One limiter per
// rate, as triggers may set their own. Checked before the body is read.
const LIMIT_SLOT = Symbol.for("switchboard.webhook-rate-limiters");
const rateLimiters = (((globalThis as Record<symbol, unknown>)[LIMIT_SLOT] as Map<number, RateLimiter> | undefined) ??
  new Map<number, RateLimiter>()) as Map<number, RateLimiter>;
(globalThis as Record<symbol, unknown>)[LIMIT_SLOT] = rateLimiters;

function webhookRateLimiter(perMinute: number): RateLimiter {
  let limiter = rateLimiters.get(perMinute);
  if (!limiter) {
    limiter = createRateLimiter({ perMinute });
    rateLimiters.set(perMinute, limiter);
  }
  return limiter;
}

export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
  /** 429 only: seconds before a retry may succeed (the route sends Retry-After) */
  retryAfterSeconds?: number;
}

const answer = (status: number, body: Record<string, unknown>): WebhookAnswer => ({ status, body });
const refuse = (status: number, code: string, message: string) => answer(status, { error: { code, message } });

const MAX_TOKEN_BODY = 10240 * 1024;

/** The production URL: checks, starts (or replays) the run, answers with its id or output. */
export async function receiveWebhook(deps: WebhookDeps, token: string, request: Request): Promise<WebhookAnswer> {
  const now = deps.now ?? (() => new Date());
  const workflowId = parseWebhookToken(deps.linkSecret, token);
  if (!workflowId) return refuse(404, "not_found", "No webhook at this URL.");
  const workspaceId = await liveWorkflowWorkspace(deps.db, workflowId);
  if (!workspaceId) return refuse(404, "not_found", "No webhook at this URL.");
  const wf = { workspaceId };
  const published = await loadPublishedVersion(deps.db, wf.workspaceId, workflowId, "latest");
  const config = published ? webhookTriggerOf(published.document) : null;
  if (!published || !config)
    return refuse(404, "not_found", "This workflow's published version does not start by webhook.");
  const perMinute = config.rateLimitPerMinute ?? deps.rateLimitPerMinute ?? WEBHOOK_RATE_LIMIT_DEFAULT;
  const retryAfter = webhookRateLimiter(perMinute).take(workflowId);
  if (retryAfter !== null)
    return {
      ...refuse(429, "rate_limited", `This webhook accepts ${perMinute} requests a minute. Retry in ${retryAfter} s.`),
      retryAfterSeconds: retryAfter,
    };
  const maxBytes = (config.maxBodyKb ?? WEBHOOK_DEFAULTS.maxBodyKb) * 1024;
  let body: Uint8Array;
  try {
    body = await readBodyCapped(request, Math.min(maxBytes, MAX_TOKEN_BODY));
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      return refuse(413, "payload_too_large", `The body is larger than ${maxBytes / 1024} KB.`);
    throw error;
  }
  if (config.secret) {
    const secret = await deps.revealSecret(wf.workspaceId, config.secret);
    if (!secret) return refuse(500, "misconfigured", "The webhook's signing secret is missing from the vault.");
    const check = verifyStandardWebhook({
      secret,
      headers: request.headers,
      body,
      now: now(),
      toleranceSeconds: config.toleranceSeconds ?? WEBHOOK_DEFAULTS.toleranceSeconds,
    });
    if (!check.ok) return refuse(401, "invalid_signature", check.reason);
  }
  const parsed = inputFromBody(body, request.headers.get("content-type") ?? "");
  if (!parsed.ok) return refuse(400, "invalid_body", "The body must be JSON (or a urlencoded form).");
  const deliveryId = request.headers.get("webhook-id") ?? request.headers.get("idempotency-key") ?? undefined;
  let started: StartedRun;
  try {
    started = await startWorkflowRun(deps, triggerCaller(wf.workspaceId, "webhook"), {
      trigger: "webhook",
      source: {
        kind: "version",
        workflowId,
        workflowVersionId: published.workflowVersionId,
        version: published.version,
        document: published.document,
      },
      input: parsed.input,
      ...(deliveryId ? { deliveryKey: deliveryId.slice(0, 200) } : {}),
    });
  } catch (error) {
    if (error instanceof InputValidationError)
      return answer(422, { error: { code: "input_invalid", message: error.message, issues: error.issues } });
    // the workspace's cap on queued + running runs (lib/use-cases/runs/limits.ts)
    if (error instanceof AppError && error.code === "rate_limited")
      return { ...refuse(429, "rate_limited", error.message), retryAfterSeconds: error.retryAfterSeconds };
    throw error;
  }
  const base = { runId: started.runId, replayed: started.replayed };
  if ((config.respond ?? WEBHOOK_DEFAULTS.respond) !== "with_output")
    return answer(started.replayed ? 200 : 202, { ...base, status: "queued" });
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const until = Date.now() + (config.waitSeconds ?? WEBHOOK_DEFAULTS.waitSeconds) * 1000;
  for (;;) {
    const run = await deps.store.loadRun(started.runId);
    if (run && ["succeeded", "failed", "cancelled"].includes(run.status))
      return answer(200, { ...base, status: run.status, output: run.output ?? null, error: run.error ?? null });
    if (Date.now() >= until) return answer(202, { ...base, status: run?.status ?? "queued" });
    await sleep(200);
  }
}

// ---------------------------------------------------------------- the test URL

/** A request the test URL received, as the editor shows it. */
export interface CapturedRequest {
  at: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
  /** body text when it is not JSON */
  text: string | null;
  size: number;
}

export const TEST_LISTEN_MS = 2 * 60 * 1000;
const TEST_MAX_BYTES = 256 * 1024;

// The listening window lives in the database (lib/db/webhook-tests.ts), so the editor may poll
// one web server while the test request reaches another (a load balancer without sticky sessions).

/** The editor starts (or restarts) listening on the workflow's test URL for two minutes. */
export async function listenForTest(
  db: Db,
  workflow: { id: string; workspaceId: string },
  nowMs = Date.now(),
): Promise<{ until: number }> {
  const until = nowMs + TEST_LISTEN_MS;
  await openWebhookTestWindow(db, {
    workflowId: workflow.id,
    workspaceId: workflow.workspaceId,
    until: new Date(until),
  });
  return { until };
}

/** What the test URL received since listening began; `listening` false once it expired. */
export async function testRequests(
  db: Db,
  workflowId: string,
  nowMs = Date.now(),
): Promise<{ listening: boolean; until: number | null; requests: CapturedRequest[] }> {
  const w = await findWebhookTestWindow<CapturedRequest>(db, workflowId);
  if (!w) return { listening: false, until: null, requests: [] };
  return { listening: w.until.getTime() > nowMs, until: w.until.getTime(), requests: w.requests };
}

const SHOWN_HEADERS =
  /^(content-type|content-length|user-agent|webhook-id|webhook-timestamp|idempotency-key|x-[a-z0-9-]+)$/i;

/** The test URL: records the request for the listening editor; starts no run. */
export async function receiveTestWebhook(
  db: Db,
  linkSecret: string,
  token: string,
  request: Request,
  nowMs = Date.now(),
): Promise<WebhookAnswer> {
  const workflowId = parseWebhookToken(linkSecret, token);
  const window = workflowId ? await findWebhookTestWindow(db, workflowId) : null;
  const notListening = () =>
    refuse(
      404,
      "not_listening",
      "Nobody is listening on this test URL. Click “Listen for a test request” in the editor first.",
    );
  if (!workflowId || !window || window.until.getTime() <= nowMs) return notListening();
  let body: Uint8Array;
  try {
    body = await readBodyCapped(request, TEST_MAX_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return refuse(413, "payload_too_large", "The body is larger than 256 KB.");
    throw error;
  }
  const parsed = inputFromBody(body, request.headers.get("content-type") ?? "");
  const headers: Record<string, string> = {};
  request.headers.forEach((value, key) => {
    if (SHOWN_HEADERS.test(key)) headers[key] = key === "webhook-signature" ? "(hidden)" : value;
  });
  const captured: CapturedRequest = {
    at: new Date(nowMs).toISOString(),
    method: request.method,
    headers,
    body: parsed.ok ? parsed.input : null,
    text: parsed.ok ? null : Buffer.from(body).toString("utf8").slice(0, 4000),
    size: body.byteLength,
  };
  // the window may have closed while the body streamed in
  if (!(await recordWebhookTestRequest(db, workflowId, captured, new Date(nowMs)))) return notListening();
  return answer(200, { received: true, test: true });
}
