// Refused attempts on the record: a role that may not do something, another workspace's ids, a
// cross-site (CSRF) write, an invalid API key, a throttled sign-in. Each becomes an audit entry
// `security.refused` (data.kind names which) in the hash chain of the workspace it concerns — the
// target's workspace for another workspace's ids (its admins see the probing), the actor's for a
// role refusal, none (the chain of entries without a workspace) for an unknown API key.
//
// Rate limited so an attacker cannot flood the audit log: at most SWITCHBOARD_REFUSAL_AUDIT_LIMIT
// entries a minute per actor and kind, in this process's memory; the refusals not written are
// counted and the next entry written for that actor and kind says how many (`data.suppressed`).
// Writing the entry never changes the answer: a failure to write is logged and swallowed.
import { AppError } from "@/lib/contracts/app-errors";
import type { AuditActor } from "@/lib/db/audit";
import { recordAudit } from "@/lib/db/audit";
import type { DbOrTx } from "@/lib/db/tx";
import { readEnv } from "@/lib/env";

export type RefusalKind = "forbidden" | "other_workspace" | "csrf" | "invalid_api_key" | "signin_throttled";

/** Put on an AppError's `cause` by authorize(): the object exists, in this other workspace. */
export class OtherWorkspaceRefusal extends Error {
  constructor(readonly workspaceId: string) {
    super("the object belongs to another workspace");
    this.name = "OtherWorkspaceRefusal";
  }
}

/** Put on an AppError's `cause` where the refusal knows who asked before the actor is returned (CSRF). */
export class RefusalContext extends Error {
  constructor(
    readonly kind: RefusalKind,
    readonly actor: AuditActor | null,
    readonly workspaceId: string | null,
  ) {
    super(`refused: ${kind}`);
    this.name = "RefusalContext";
  }
}

export type Refusal = {
  kind: RefusalKind;
  /** whose chain the entry joins (null: no workspace) */
  workspaceId: string | null;
  actor: AuditActor;
  /** the action that was refused (run.cancel, POST /api/v1/runs, auth.signin…) */
  attempted: string;
  targetType?: string;
  targetId?: string | null;
  /** the error code answered (not_found:run, forbidden:settings…) */
  code?: string;
  /** the client's address, when known */
  ip?: string | null;
  data?: Record<string, unknown>;
};

type Window = { start: number; written: number; suppressed: number };

export interface RefusalLimiter {
  /** null: do not write (counted); else the number suppressed since the last entry written. */
  admit(key: string): number | null;
}

export function createRefusalLimiter(options: {
  perMinute: number;
  now?: () => number;
  maxKeys?: number;
}): RefusalLimiter {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 10_000;
  const windows = new Map<string, Window>();
  return {
    admit(key) {
      const t = now();
      let w = windows.get(key);
      windows.delete(key);
      if (!w) w = { start: t, written: 0, suppressed: 0 };
      if (t - w.start >= 60_000) w = { start: t, written: 0, suppressed: w.suppressed };
      windows.set(key, w);
      if (windows.size > maxKeys) windows.delete(windows.keys().next().value as string);
      if (w.written >= options.perMinute) {
        w.suppressed++;
        return null;
      }
      w.written++;
      const suppressed = w.suppressed;
      w.suppressed = 0;
      return suppressed;
    },
  };
}

let shared: RefusalLimiter | null = null;

function limiter(): RefusalLimiter {
  shared ??= createRefusalLimiter({ perMinute: readEnv().SWITCHBOARD_REFUSAL_AUDIT_LIMIT });
  return shared;
}

/** Tests: another limiter (null: the environment's, fresh). */
export function setRefusalLimiterForTests(next: RefusalLimiter | null): void {
  shared = next;
}

function actorKey(actor: AuditActor, ip: string | null | undefined): string {
  if ("label" in actor) return actor.userId ? `user:${actor.userId}` : `anon:${actor.label}|${ip ?? "-"}`;
  return `user:${actor.userId}`;
}

function actorLabel(actor: AuditActor): string {
  if ("label" in actor) return actor.label;
  return actor.via === "apiKey" ? actor.name : actor.email || actor.name;
}

const SUMMARIES: Record<RefusalKind, string> = {
  forbidden: "was refused (role)",
  other_workspace: "asked for another workspace's object",
  csrf: "sent a cross-site request (refused)",
  invalid_api_key: "used an invalid API key",
  signin_throttled: "was throttled signing in",
};

/** Writes the refusal's audit entry unless its actor and kind are over the limit. Never throws. */
export async function auditRefusal(db: DbOrTx, refusal: Refusal): Promise<boolean> {
  try {
    const suppressed = limiter().admit(`${refusal.kind}|${actorKey(refusal.actor, refusal.ip)}`);
    if (suppressed === null) return false;
    const target = refusal.targetId ? ` ${refusal.targetType ?? "object"} ${refusal.targetId}` : "";
    await recordAudit(db, {
      workspaceId: refusal.workspaceId,
      actor: refusal.actor,
      action: "security.refused",
      targetType: refusal.targetType ?? "request",
      targetId: refusal.targetId ?? null,
      summary: `${actorLabel(refusal.actor)} ${SUMMARIES[refusal.kind]}: ${refusal.attempted}${target}${
        suppressed > 0 ? ` (+${suppressed} similar not recorded)` : ""
      }`,
      data: {
        kind: refusal.kind,
        attempted: refusal.attempted,
        ...(refusal.code ? { code: refusal.code } : {}),
        ip: refusal.ip ?? null,
        ...(suppressed > 0 ? { suppressed } : {}),
        ...(refusal.data ?? {}),
      },
    });
    return true;
  } catch (error) {
    console.error("[switchboard] could not audit a refused attempt", error);
    return false;
  }
}

/**
 * The refusal an error stands for, if it is one worth recording: forbidden:* with an actor (a role
 * refusal, or a CSRF refusal), not_found:* caused by another workspace's object, or an invalid API
 * key. Unknown ids, bad input and the rest are not refusals.
 */
export function refusalOf(
  error: unknown,
  actor: AuditActor | null,
  attempted: string,
  ip?: string | null,
): Refusal | null {
  if (!(error instanceof AppError)) return null;
  const cause = error.cause;
  const code = error.code;
  if (cause instanceof RefusalContext) {
    return {
      kind: cause.kind,
      workspaceId: cause.workspaceId,
      actor: cause.actor ?? actor ?? { label: "anonymous" },
      attempted,
      code,
      ip,
    };
  }
  if (!actor) return null;
  const workspaceId = "workspaceId" in actor ? actor.workspaceId : null;
  if (code.startsWith("not_found:") && cause instanceof OtherWorkspaceRefusal)
    return {
      kind: "other_workspace",
      workspaceId: cause.workspaceId,
      actor,
      attempted,
      code,
      ip,
      data: { actorWorkspaceId: workspaceId },
    };
  if (code.startsWith("forbidden:")) return { kind: "forbidden", workspaceId, actor, attempted, code, ip };
  return null;
}

/** refusalOf + auditRefusal: what authedAction and authedRoute call with whatever they caught. */
export async function auditIfRefusal(
  db: DbOrTx,
  error: unknown,
  actor: AuditActor | null,
  attempted: string,
  ip?: string | null,
): Promise<void> {
  const refusal = refusalOf(error, actor, attempted, ip);
  if (refusal) await auditRefusal(db, refusal);
}
