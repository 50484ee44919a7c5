import "server-only";
// The one way to write a route handler (REST API, SSE streams). Same checks as authedAction,
// authenticated by EITHER the browser session cookie OR `Authorization: Bearer <api key>`.
// In this order:
//   1. who: an API key (its workspace, its role capped at its creator's; revoked, expired or
//      orphaned keys refused) or the session cookie; cookie writes must come from our own origin;
//   2. API keys only: the per-key rate limit (429 + Retry-After, ./rate-limit.ts) and the key's
//      scope for the action (403; lib/auth/scopes.ts — sessions are judged by their role alone);
//   3. the body, read as a stream and cut off at `maxBodyBytes` (default 1 MiB; 413) — never
//      trusting Content-Length — then parsed as JSON (or the query string for GET/HEAD/DELETE);
//   4. authorize(): the input schema (400 naming the field), the resource (404), the role (403).
// Every error is one problem+json document (RFC 9457), `problemResponse`:
//   { type, title, status, detail, code, errors: [{ path, message }], error: { code, message, fieldErrors? } }
// (`error` is the shape the API had before problem+json, kept for existing clients.)
//
//   export const GET = authedRoute(
//     { action: "run.read", input: z.object({ limit: z.coerce.number().optional() }), resource: runOfPath },
//     ({ actor, db, params }) => getRunDetail(db, actor.workspaceId, String(params.id)),   // → 200 JSON
//   );
//
// A handler may return a Response (streams, other statuses); anything else is sent as JSON.
import { z } from "zod";
import { type Action, type Actor, can, type PolicyResource } from "@/lib/auth/policy";
import { type ApiKeyScope, keyAllowsScope, scopesForAction } from "@/lib/auth/scopes";
import { AppError, toAppError } from "@/lib/contracts/app-errors";
import { authenticateApiKey } from "@/lib/db/api-keys";
import type { Db } from "@/lib/db/client";
import type { Host } from "@/lib/host";
import { type AuthedConfig, authorize } from "./action";
import { clientAddress } from "./client-address";
import { serverContext } from "./context";
import { apiKeyRateLimiter } from "./rate-limit";
import { auditIfRefusal, RefusalContext } from "./refusals";
import { actorFromClaims } from "./session";

export type RouteParams = Record<string, string | string[] | undefined>;
export type RouteContext = { params: Promise<RouteParams> };

export type AuthedRouteConfig<S extends z.ZodType, R extends PolicyResource> = Omit<
  AuthedConfig<S, R>,
  "input" | "resource"
> & {
  /** Validates the query string (GET/HEAD/DELETE) or the JSON body (other methods). Default: anything. */
  input?: S;
  resource?: (input: z.output<S>, db: Db, params: RouteParams) => Promise<R | null | undefined>;
  /** The API-key scope(s), any one of which suffices; default: scopesForAction(action). */
  scope?: ApiKeyScope | readonly ApiKeyScope[];
  /** Largest request body accepted, in bytes (default MAX_BODY_BYTES); larger: 413. */
  maxBodyBytes?: number;
};

/** The Idempotency-Key header (at most 200 printable characters), or undefined. 400 naming the header otherwise. */
export function idempotencyKeyOf(request: Request): string | undefined {
  const value = request.headers.get("idempotency-key");
  if (value === null) return undefined;
  const key = value.trim();
  if (!key || key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) {
    const message = "Idempotency-Key must be 1-200 printable ASCII characters without spaces.";
    throw new AppError("invalid:input", { message, fieldErrors: [{ path: "header.Idempotency-Key", message }] });
  }
  return key;
}

/** Default request body limit of every route: 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

export type AuthedRouteContext<I, R> = {
  actor: Actor;
  input: I;
  db: Db;
  host: Host;
  resource: R;
  request: Request;
  params: RouteParams;
  /**
   * For long-lived responses (event streams): is the caller still allowed? Re-checks the session
   * record (revoked by sign-out, password change, removal) and the membership, or the API key
   * (revoked, expired, creator removed), and the role for this action. One or two indexed reads.
   */
  stillAllowed: () => Promise<boolean>;
};

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const QUERY_METHODS = new Set(["GET", "HEAD", "DELETE"]);

/** Who is calling: the API key in Authorization, else the session cookie. */
export async function actorFromRequest(request: Request, db: Db): Promise<Actor | null> {
  const header = request.headers.get("authorization");
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match) throw new AppError("unauthenticated", { message: "Authorization must be `Bearer <api key>`." });
    const key = await authenticateApiKey(db, match[1] as string);
    if (!key)
      throw new AppError("unauthenticated", {
        message: "The API key is not valid, was revoked or expired, or its creator is no longer a member.",
        // audited (rate limited) by authedRoute, in the chain of no workspace (./refusals.ts)
        cause: new RefusalContext("invalid_api_key", { label: "anonymous (invalid API key)" }, null),
      });
    return {
      userId: `apikey:${key.id}`,
      email: "",
      name: `API key “${key.name}”`,
      workspaceId: key.workspaceId,
      role: key.role,
      via: "apiKey",
      scopes: key.scopes,
    };
  }
  const actor = await actorFromClaims(db, await serverContext().readSession());
  if (actor && !SAFE_METHODS.has(request.method.toUpperCase())) {
    try {
      assertSameOrigin(request);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      throw new AppError(error.code, {
        message: error.message,
        cause: new RefusalContext("csrf", actor, actor.workspaceId),
      });
    }
  }
  return actor;
}

/** How an open response re-checks its caller later (see AuthedRouteContext.stillAllowed). */
async function reauthenticator(
  request: Request,
  db: Db,
  actor: Actor,
  action: Action,
  resource: PolicyResource,
): Promise<() => Promise<boolean>> {
  const still = (again: Actor | null) =>
    !!again && again.workspaceId === actor.workspaceId && again.userId === actor.userId && can(again, action, resource);
  if (actor.via === "apiKey") {
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization")?.trim() ?? "")?.[1] ?? "";
    return async () => {
      const key = await authenticateApiKey(db, token);
      return !!key && `apikey:${key.id}` === actor.userId && still({ ...actor, role: key.role });
    };
  }
  // Claims are read now, inside the request (cookies() is not available once the stream runs on).
  const claims = await serverContext().readSession();
  return async () => still(await actorFromClaims(db, claims));
}

/** Cookie-authenticated writes must carry an Origin (or Referer) of this very host. */
export function assertSameOrigin(request: Request): void {
  const origin = request.headers.get("origin") ?? request.headers.get("referer");
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  let originHost: string | null = null;
  try {
    originHost = origin ? new URL(origin).host : null;
  } catch {
    originHost = null;
  }
  if (!originHost || !host || originHost !== host) {
    throw new AppError("forbidden:session", { message: "Cross-site request refused." });
  }
}

/**
 * API keys must hold (one of) the scope(s); sessions, the CLI and approval links are judged by
 * their role alone (no-op). Throws `forbidden:apikey` (403). For /api/mcp, /api/a2a and any
 * entry point that authenticates a key itself.
 */
export function requireScope(actor: Actor, scope: ApiKeyScope | readonly ApiKeyScope[]): void {
  if (actor.via !== "apiKey") return;
  const wanted: readonly ApiKeyScope[] = typeof scope === "string" ? [scope] : scope;
  const key = { scopes: actor.scopes ?? null };
  if (wanted.some((s) => keyAllowsScope(key, s))) return;
  throw new AppError("forbidden:apikey", {
    message: `This API key lacks the scope ${wanted.map((s) => `\`${s}\``).join(" or ")}.`,
  });
}

/** API keys: one token from the key's bucket, else 429 with Retry-After. */
export function requireRateLimit(actor: Actor): void {
  if (actor.via !== "apiKey") return;
  const wait = apiKeyRateLimiter().take(actor.userId);
  if (wait !== null)
    throw new AppError("rate_limited", {
      message: `This API key made too many requests. Retry in ${wait} s.`,
      retryAfterSeconds: wait,
    });
}

function tooLarge(maxBytes: number): AppError {
  return new AppError("too_large", { message: `The request body is larger than ${maxBytes} bytes.` });
}

/** The body as text, read as a stream and refused (413) as soon as it passes `maxBytes`. */
export async function readBodyText(request: Request, maxBytes: number = MAX_BODY_BYTES): Promise<string> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

async function readInput(request: Request, maxBytes: number): Promise<unknown> {
  if (QUERY_METHODS.has(request.method.toUpperCase())) {
    // A body on GET/HEAD/DELETE is not read, but must not be huge either.
    if (request.body) await readBodyText(request, maxBytes);
    return Object.fromEntries(new URL(request.url).searchParams);
  }
  const text = await readBodyText(request, maxBytes);
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("invalid:input", {
      message: "The request body is not valid JSON.",
      fieldErrors: [{ path: "", message: "Not valid JSON" }],
    });
  }
}

const TITLES: Record<number, string> = {
  400: "Invalid request",
  401: "Unauthenticated",
  403: "Forbidden",
  404: "Not found",
  409: "Conflict",
  413: "Request body too large",
  429: "Too many requests",
  500: "Internal error",
};

/** The problem+json body of an error (RFC 9457); see the file comment. */
export function problemOf(error: unknown) {
  const e = toAppError(error);
  const errors = e.fieldErrors ?? [];
  return {
    type: `urn:switchboard:problem:${e.code}`,
    title: TITLES[e.status] ?? "Error",
    status: e.status,
    detail: e.message,
    code: e.code,
    errors,
    error: e.toJSON(),
  };
}

/** THE error response of every route: problem+json with the code's status (+ Retry-After on 429). */
export function problemResponse(error: unknown): Response {
  const e = toAppError(error);
  const headers: Record<string, string> = {
    "content-type": "application/problem+json",
    "cache-control": "no-store",
  };
  if (e.retryAfterSeconds) headers["retry-after"] = String(e.retryAfterSeconds);
  return new Response(JSON.stringify(problemOf(e)), { status: e.status, headers });
}

export function authedRoute<S extends z.ZodType = z.ZodUnknown, T = unknown, R extends PolicyResource = PolicyResource>(
  config: AuthedRouteConfig<S, R>,
  handler: (ctx: AuthedRouteContext<z.output<S>, R>) => Promise<T | Response>,
): (request: Request, context?: RouteContext) => Promise<Response> {
  return async (request, context) => {
    let db: Db | undefined;
    let actor: Actor | null = null;
    try {
      const ctx = serverContext();
      db = await ctx.db();
      const params = (await context?.params) ?? {};
      actor = await actorFromRequest(request, db);
      if (!actor) throw new AppError("unauthenticated");
      requireRateLimit(actor);
      requireScope(actor, config.scope ?? scopesForAction(config.action));
      const raw = await readInput(request, config.maxBodyBytes ?? MAX_BODY_BYTES);
      const resourceLoader = config.resource;
      const { input, resource } = await authorize(
        {
          action: config.action,
          resourceType: config.resourceType,
          input: (config.input ?? z.unknown()) as S,
          resource: resourceLoader ? (i, d) => resourceLoader(i, d, params) : undefined,
        },
        actor,
        raw,
        db,
      );
      const host = await ctx.host();
      const stillAllowed = await reauthenticator(request, db, actor, config.action, resource);
      const result = await handler({
        actor,
        input,
        db,
        host,
        resource: resource as R,
        request,
        params,
        stillAllowed,
      });
      if (result instanceof Response) return result;
      return Response.json(result ?? null, { headers: { "cache-control": "no-store" } });
    } catch (error) {
      // forbidden roles, other workspaces' ids, CSRF and invalid API keys go on the record (./refusals.ts)
      if (db)
        await auditIfRefusal(
          db,
          error,
          actor,
          `${request.method.toUpperCase()} ${new URL(request.url).pathname}`,
          clientAddress(request.headers),
        );
      return problemResponse(error);
    }
  };
}

/**
 * A REST v1 route from its operation (./api-v1.ts): the action, input schema and body limit come
 * from the one description the OpenAPI document is generated from.
 *
 *   export const POST = v1Route(API_V1.cancelRun, { resource: runOfPath }, ({ actor, host, params }) => …);
 */
export function v1Route<S extends z.ZodType = z.ZodUnknown, T = unknown, R extends PolicyResource = PolicyResource>(
  op: { action?: Action; input?: S; maxBodyBytes?: number },
  extra: Omit<AuthedRouteConfig<S, R>, "action" | "input">,
  handler: (ctx: AuthedRouteContext<z.output<S>, R>) => Promise<T | Response>,
): (request: Request, context?: RouteContext) => Promise<Response> {
  const action = op.action;
  if (!action) throw new Error("v1Route: a public operation has no action; write its handler directly.");
  const config: AuthedRouteConfig<S, R> = {
    ...extra,
    action,
    input: op.input,
    maxBodyBytes: extra.maxBodyBytes ?? op.maxBodyBytes,
  };
  return authedRoute(config, handler);
}
