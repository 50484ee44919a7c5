import "server-only";
// The one way to write a server action. authedAction() checks, in this order:
//   1. a session (else `unauthenticated`),
//   2. the input against the zod schema (else `invalid:input`, naming the field),
//   3. the target object, loaded by `resource` (missing: `not_found:<type>`),
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
import { serverContext } from "./context";
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
};

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
    try {
      const ctx = serverContext();
      const db = await ctx.db();
      const actor = await actorFromClaims(db, await ctx.readSession());
      const { input, resource } = await authorize(config, actor, raw, db);
      const host = await ctx.host();
      const data = await handler({ actor: actor as Actor, input, db, host, resource: resource as R });
      return { ok: true, data };
    } catch (error) {
      // redirect(), notFound() and friends are control flow for Next, not failures.
      unstable_rethrow(error);
      return toActionResult(error);
    }
  };
}
