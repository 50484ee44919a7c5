// Starting a run of a workflow's PUBLISHED version, for every entry point that is not the editor:
// the REST API, webhooks, schedules, the chat trigger. One place sets the run's trigger, writes
// the audit entry and hands the run to the process's dispatcher (inline: executed here in the
// background; workers: the transaction that created the run queued its job).
//
// Idempotency-Key: the key is claimed before the run starts (lib/db/idempotency.ts). The same key
// with the same request (workflow, version, input) returns the first run (`replayed: true`); with
// a different request, or while the first request is still starting its run, it is refused (409
// naming the header). A key is kept for IDEMPOTENCY_RETENTION_MS (24 h); after that the same key
// starts a new run.
import { createHash } from "node:crypto";
import type { Actor } from "@/lib/auth/policy";
import { AppError } from "@/lib/contracts/app-errors";
import type { RunTrigger } from "@/lib/contracts/ports";
import { type AuditActor, recordAudit } from "@/lib/db/audit";
import type { Db } from "@/lib/db/client";
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  findIdempotencyKey,
  forgetIdempotencyKey,
  isDuplicateIdempotencyKey,
  releaseIdempotencyKey,
} from "@/lib/db/idempotency";
import { canonicalJson, loadPublishedVersion } from "@/lib/db/workflows-store";
import type { Engine } from "@/lib/engine/types";
import type { Dispatcher } from "@/lib/runtime/dispatch";
import { personId } from "../scope";

/** Who starts the run: a workspace, who the audit entry names, and the person (if any). */
export interface StartCaller {
  workspaceId: string;
  actor: AuditActor;
  /** stored as Run.startedById: people only (API keys, the CLI, webhooks are not users) */
  startedById?: string | null;
}

/** A signed-in person or an API key as a StartCaller. */
export function startCallerOf(actor: Actor): StartCaller {
  return { workspaceId: actor.workspaceId, actor, startedById: personId(actor) };
}

export interface StartDeps {
  db: Db;
  engine: Pick<Engine, "startRun">;
  dispatcher: Pick<Dispatcher, "carryOn">;
}

export interface StartPublishedRunInput {
  /** workflow id, or its name in the workspace */
  workflowId: string;
  /** a published version number; default: the latest published version */
  version?: number | "latest";
  input?: unknown;
  trigger: RunTrigger;
  /** same key + same request → the same run; see the file comment */
  idempotencyKey?: string;
  /** what started it (a webhook id, a schedule id…): kept in the audit entry */
  triggerData?: Record<string, unknown>;
}

export interface StartedRun {
  runId: string;
  status: string;
  version: number;
  workflowId: string;
  /** true: an earlier request with the same Idempotency-Key started this run */
  replayed: boolean;
}

export const IDEMPOTENCY_HEADER = "Idempotency-Key";
export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;

function requestHash(input: StartPublishedRunInput): string {
  const canonical = canonicalJson({
    workflowId: input.workflowId,
    version: input.version ?? "latest",
    input: input.input ?? {},
  });
  return createHash("sha256").update(canonical, "utf8").digest("hex");
}

function idempotencyConflict(message: string): AppError {
  return new AppError("conflict:run", {
    message,
    fieldErrors: [{ path: `header.${IDEMPOTENCY_HEADER}`, message }],
  });
}

async function replay(db: Db, caller: StartCaller, key: string, hash: string): Promise<StartedRun | null> {
  const existing = await findIdempotencyKey(db, caller.workspaceId, key);
  if (!existing) return null;
  if (Date.now() - existing.createdAt.getTime() > IDEMPOTENCY_RETENTION_MS) {
    await forgetIdempotencyKey(db, { workspaceId: caller.workspaceId, key });
    return null;
  }
  if (existing.requestHash !== hash)
    throw idempotencyConflict(
      `${IDEMPOTENCY_HEADER} "${key}" was already used with a different request. Use a new key for a new run.`,
    );
  const run = existing.run;
  if (!run)
    throw idempotencyConflict(
      `A request with ${IDEMPOTENCY_HEADER} "${key}" is still starting its run. Retry shortly.`,
    );
  return { runId: run.id, status: run.status, version: run.version, workflowId: run.workflowId, replayed: true };
}

export async function startPublishedRun(
  deps: StartDeps,
  caller: StartCaller,
  input: StartPublishedRunInput,
): Promise<StartedRun> {
  const { db } = deps;
  const key = input.idempotencyKey;
  const hash = key ? requestHash(input) : "";
  if (key) {
    const earlier = await replay(db, caller, key, hash);
    if (earlier) return earlier;
  }
  const published = await loadPublishedVersion(db, caller.workspaceId, input.workflowId, input.version ?? "latest");
  if (!published)
    throw new AppError("not_found:workflow", {
      message: `The workflow "${input.workflowId}" does not exist here or has no published version${typeof input.version === "number" ? ` ${input.version}` : ""}.`,
    });
  if (key) {
    try {
      await claimIdempotencyKey(db, { workspaceId: caller.workspaceId, key, requestHash: hash });
    } catch (error) {
      if (!isDuplicateIdempotencyKey(error)) throw error;
      const earlier = await replay(db, caller, key, hash);
      if (earlier) return earlier;
      throw error;
    }
  }
  let runId: string;
  try {
    ({ runId } = await deps.engine.startRun(
      {
        document: published.document,
        workspaceId: caller.workspaceId,
        workflowId: published.workflowId,
        workflowVersionId: published.workflowVersionId,
      },
      input.input ?? {},
      { trigger: input.trigger, startedById: caller.startedById ?? null },
    ));
  } catch (error) {
    if (key) await releaseIdempotencyKey(db, { workspaceId: caller.workspaceId, key });
    throw error;
  }
  if (key) await completeIdempotencyKey(db, { workspaceId: caller.workspaceId, key, runId });
  deps.dispatcher.carryOn(runId);
  await recordAudit(db, {
    workspaceId: caller.workspaceId,
    actor: caller.actor,
    action: "run.started",
    targetType: "run",
    targetId: runId,
    summary: `Started run ${runId} of version ${published.version} (${input.trigger})`,
    data: { trigger: input.trigger, version: published.version, ...(input.triggerData ?? {}) },
  });
  return { runId, status: "queued", version: published.version, workflowId: published.workflowId, replayed: false };
}
