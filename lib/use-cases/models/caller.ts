// Who changes a workspace's providers, prices, credentials and egress allow-list: a signed-in
// admin (an Actor whose role the action client checked; checked again here) or the local CLI
// (a Scope naming the workspace, audited as "cli").

import { type Action, type Actor, can } from "@/lib/auth/policy";
import { AppError } from "@/lib/contracts/app-errors";
import type { AuditActor } from "@/lib/db/audit";
import type { Scope } from "../scope";

export type Caller = Actor | Scope;

const isActor = (c: Caller): c is Actor => "role" in c;

/** Refuses (forbidden:<resource>) an Actor whose role may not do `action`; the CLI may. */
export function requireAllowed(caller: Caller, action: Action, resource: "settings" | "credential"): void {
  if (isActor(caller) && !can(caller, action, { workspaceId: caller.workspaceId }))
    throw new AppError(`forbidden:${resource}`);
}

export function auditActorOf(caller: Caller): AuditActor {
  return isActor(caller) ? caller : caller.actor;
}

/** The user to store as creator: people only. */
export function creatorOf(caller: Caller): string | null {
  if (isActor(caller)) return caller.via === "session" ? caller.userId : null;
  return caller.userId ?? null;
}
