import "server-only";
// The one way to write a route handler (REST API, SSE streams). Same checks as authedAction,
// authenticated by EITHER the browser session cookie OR `Authorization: Bearer <api key>`
// (the key's own role and workspace; revoked keys refused). Cookie-authenticated requests that
// change state must come from our own origin (CSRF). Errors are JSON `{ error: { code,
// message, fieldErrors? } }` with the code's HTTP status.
//
//   export const GET = authedRoute(
//     { action: "run.read", input: z.object({ limit: z.coerce.number().optional() }), resource: runOfPath },
//     ({ actor, db, params }) => getRunDetail(db, actor.workspaceId, String(params.id)),   // → 200 JSON
//   );
//
// A handler may return a Response (streams, other statuses); anything else is sent as JSON.
import { z } from "zod";
import type { Actor, PolicyResource } from "@/lib/auth/policy";
import { AppError, toResponse } from "@/lib/contracts/app-errors";
import { authenticateApiKey } from "@/lib/db/api-keys";
import type { Db } from "@/lib/db/client";
import type { Host } from "@/lib/host";
import { type AuthedConfig, authorize } from "./action";
import { serverContext } from "./context";
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
};

export type AuthedRouteContext<I, R> = {
  actor: Actor;
  input: I;
  db: Db;
  host: Host;
  resource: R;
  request: Request;
  params: RouteParams;
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
    if (!key) throw new AppError("unauthenticated", { message: "The API key is not valid or was revoked." });
    return {
      userId: `apikey:${key.id}`,
      email: "",
      name: `API key “${key.name}”`,
      workspaceId: key.workspaceId,
      role: key.role,
      via: "apiKey",
    };
  }
  const actor = await actorFromClaims(db, await serverContext().readSession());
  if (actor && !SAFE_METHODS.has(request.method.toUpperCase())) assertSameOrigin(request);
  return actor;
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

async function readInput(request: Request): Promise<unknown> {
  if (QUERY_METHODS.has(request.method.toUpperCase())) {
    return Object.fromEntries(new URL(request.url).searchParams);
  }
  const text = await request.text();
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

export function authedRoute<S extends z.ZodType = z.ZodUnknown, T = unknown, R extends PolicyResource = PolicyResource>(
  config: AuthedRouteConfig<S, R>,
  handler: (ctx: AuthedRouteContext<z.output<S>, R>) => Promise<T | Response>,
): (request: Request, context?: RouteContext) => Promise<Response> {
  return async (request, context) => {
    try {
      const ctx = serverContext();
      const db = await ctx.db();
      const params = (await context?.params) ?? {};
      const actor = await actorFromRequest(request, db);
      if (!actor) throw new AppError("unauthenticated");
      const raw = await readInput(request);
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
      const result = await handler({ actor, input, db, host, resource: resource as R, request, params });
      if (result instanceof Response) return result;
      return Response.json(result ?? null, { headers: { "cache-control": "no-store" } });
    } catch (error) {
      return toResponse(error);
    }
  };
}
