import "server-only";
// The one way to write a server action. authedAction() checks, in this order:
//   1. a session (else `unauthenticated`),
//   2. the input against the zod schema (else `invalid:input`, naming the field),
//   3. the target object, loaded by `resource` (missing, or in another workspace: `not_found:<type>`,
//      the same answer for both),
//   4. can(actor, action, resource): role and workspace (else `forbidden:<type>`),
// and only then runs the handler. Every refusal happens before the handler, so a refused call
// changes nothing. Errors become { ok: false, error } results; internals are logged, not sent.
// Handlers are one-liners over a use case (lib/use-cases) with a shared loader (./resources):
//
//   export const renameWorkflowAction = authedAction(
//     { action: "workflow.update", input: z.object({ id: z.string(), name: z.string().min(1) }),
//       resource: loadWorkflow },
//     ({ actor, input, db }) => renameWorkflow(db, scopeOf(actor), input.id, input.name),
//   );
import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import { type Action, type Actor, can, type PolicyResource } from "@/lib/auth/policy";
import {
  type ActionResult,
  APP_RESOURCES,
  AppError,
  type AppResource,
  invalidFromZod,
  toActionResult,
} from "@/lib/contracts/app-errors";
import { UNSAFE_TEXT_MESSAGE, unsafeTextIssues } from "@/lib/contracts/text";
import type { Db } from "@/lib/db/client";
import type { Host } from "@/lib/host";
import { clientAddress } from "./client-address";
import { serverContext } from "./context";
import { auditIfRefusal, OtherWorkspaceRefusal } from "./refusals";
import { actorFromClaims } from "./session";

export type { ActionResult } from "@/lib/contracts/app-errors";

/** The resource type named in errors: the action's prefix (workflow.update → workflow). */
export function resourceTypeOf(action: Action): AppResource {
  const prefix = action.split(".")[0] as AppResource;
  return (APP_RESOURCES as readonly string[]).includes(prefix) ? prefix : "workspace";
}

export type AuthedConfig<S extends z.ZodType, R extends PolicyResource> = {
  action: Action;
  input: S;
  /** Loads the object the action is about; null/undefined means it does not exist. */
  resource?: (input: z.output<S>, db: Db) => Promise<R | null | undefined>;
  /** Names the resource in error codes; defaults to the action's prefix. */
  resourceType?: AppResource;
  /**
   * Server actions: the largest request accepted, in bytes (default ACTION_MAX_BODY_BYTES, 1 MiB;
   * at most ACTION_LARGE_BODY_BYTES, Next's own cap in next.config.js); larger: `too_large`.
   */
  maxBodyBytes?: number;
};

/** Default request size limit of a server action: 1 MiB (like route handlers' MAX_BODY_BYTES). */
export const ACTION_MAX_BODY_BYTES = 1024 * 1024;
/**
 * Actions that carry a whole workflow (import, save, check, test a step): 10 MiB. It is also
 * `experimental.serverActions.bodySizeLimit` in next.config.js, which Next enforces while it
 * reads the body, before decoding anything (Next 16.4 answers that with a 500), and the limit
 * bin/peer-address.cjs answers 413 to from Content-Length alone: keep the three equal
 * (tests/security/action-size.test.ts checks).
 */
export const ACTION_LARGE_BODY_BYTES = 10 * 1024 * 1024;

/**
 * The size of an action's input in bytes (UTF-8 of every string and key, numbers as text), counted
 * only until it passes `limit` — so a huge input costs no more than `limit` to measure.
 */
export function inputBytesOver(raw: unknown, limit: number): boolean {
  let total = 0;
  const stack: unknown[] = [raw];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === "string") total += Buffer.byteLength(value);
    else if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
      total += String(value).length;
    else if (value instanceof Blob) total += value.size;
    else if (typeof FormData !== "undefined" && value instanceof FormData) {
      for (const [k, v] of value.entries()) {
        total += Buffer.byteLength(k);
        stack.push(v);
      }
    } else if (Array.isArray(value)) {
      total += value.length;
      for (const item of value) stack.push(item);
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        total += Buffer.byteLength(k) + 1;
        stack.push(v);
      }
    }
    if (total > limit) return true;
  }
  return false;
}

function tooLarge(limit: number): AppError {
  return new AppError("too_large", {
    message: `The request is larger than this action accepts (${Math.round(limit / 1024)} KiB).`,
  });
}

/** What a handler gets: who, the parsed input, the loaded resource, and the process's host (db, engine, approvals…). */
export type AuthedContext<I, R> = { actor: Actor; input: I; db: Db; host: Host; resource: R };

/** Shared by authedAction and authedRoute: validate, load, authorize. Throws AppError. */
export async function authorize<S extends z.ZodType, R extends PolicyResource>(
  config: AuthedConfig<S, R>,
  actor: Actor | null,
  raw: unknown,
  db: Db,
): Promise<{ actor: Actor; input: z.output<S>; resource: R | PolicyResource }> {
  if (!actor) throw new AppError("unauthenticated");
  const type = config.resourceType ?? resourceTypeOf(config.action);
  const ownWorkspace: PolicyResource = { workspaceId: actor.workspaceId };
  // Without a resource loader the role decides alone: refuse before even reading the input.
  if (!config.resource && !can(actor, config.action, ownWorkspace)) throw new AppError(`forbidden:${type}`);
  const parsed = config.input.safeParse(raw);
  if (!parsed.success) throw invalidFromZod(parsed.error);
  const input = parsed.data as z.output<S>;
  // Any text field (or string inside JSON) with NUL or half a surrogate pair: a field error on
  // every database (PostgreSQL cannot store them), whatever the schema says (lib/contracts/text).
  const unsafe = unsafeTextIssues(input);
  if (unsafe.length > 0)
    throw new AppError("invalid:input", {
      message: `${unsafe[0]?.path || "input"}: ${UNSAFE_TEXT_MESSAGE}`,
      fieldErrors: unsafe,
    });
  let resource: R | PolicyResource = ownWorkspace;
  if (config.resource) {
    const loaded = await config.resource(input, db);
    if (!loaded) throw new AppError(`not_found:${type}`);
    // Another workspace's object answers exactly like one that does not exist (no 403 that
    // confirms the id is real); the refusal is audited by the caller (./refusals.ts).
    if (loaded.workspaceId !== actor.workspaceId)
      throw new AppError(`not_found:${type}`, { cause: new OtherWorkspaceRefusal(loaded.workspaceId) });
    resource = loaded;
  }
  if (!can(actor, config.action, resource)) throw new AppError(`forbidden:${type}`);
  return { actor, input, resource };
}

export function authedAction<S extends z.ZodType, T, R extends PolicyResource = PolicyResource>(
  config: AuthedConfig<S, R>,
  handler: (ctx: AuthedContext<z.output<S>, R>) => Promise<T>,
): (raw: unknown) => Promise<ActionResult<T>> {
  return async (raw: unknown) => {
    let db: Db | undefined;
    let actor: Actor | null = null;
    try {
      // The size first, before the session, the database or the schema look at the input. Next
      // already refused anything over ACTION_LARGE_BODY_BYTES (next.config.js) before decoding.
      const limit = Math.min(config.maxBodyBytes ?? ACTION_MAX_BODY_BYTES, ACTION_LARGE_BODY_BYTES);
      const declared = Number((await actionRequestHeaders())?.get("content-length") ?? Number.NaN);
      if ((Number.isFinite(declared) && declared > limit) || inputBytesOver(raw, limit)) throw tooLarge(limit);
      const ctx = serverContext();
      db = await ctx.db();
      actor = await actorFromClaims(db, await ctx.readSession());
      const { input, resource } = await authorize(config, actor, raw, db);
      const host = await ctx.host();
      const data = await handler({ actor: actor as Actor, input, db, host, resource: resource as R });
      return { ok: true, data };
    } catch (error) {
      // redirect(), notFound() and friends are control flow for Next, not failures.
      unstable_rethrow(error);
      // forbidden roles and other workspaces' ids go on the record (rate limited, ./refusals.ts)
      if (db) await auditIfRefusal(db, error, actor, config.action, await actionClientAddress());
      return toActionResult(error);
    }
  };
}

/** The client's address of the server action being run (null outside a request, e.g. in tests). */
async function actionClientAddress(): Promise<string | null> {
  const headers = await actionRequestHeaders();
  return headers ? clientAddress(headers) : null;
}

/** The request headers of the server action being run (null outside a request, e.g. in tests). */
async function actionRequestHeaders(): Promise<Headers | null> {
  try {
    const { headers } = await import("next/headers");
    return (await headers()) as unknown as Headers;
  } catch {
    return null;
  }
}
