// THE way a run of a workflow starts, whatever starts it: the editor's Run button and chat panel
// (`manual`, `chat`: the draft, pinned to a version), the REST API (`api`), webhooks, schedules,
// the chat page and API (`chat`), MCP and A2A callers, the CLI. Every start goes through the same
// steps, in this order:
//
//   1. admission (`admitStart`): a member or API key must have a role that may start runs in the
//      workspace; limits on starting runs (per member or key, per workspace) belong there too;
//   2. idempotency: an Idempotency-Key (the API) or a delivery key (a webhook delivery id, a
//      schedule's fire time) answers with the run it started before (`replayed: true`);
//   3. the version: the latest (or a given) published version, the editor's pinned draft, or a
//      version the caller already loaded (a webhook read its settings from it);
//   4. the engine creates the run (the input is checked against the workflow's input fields:
//      InputValidationError, nothing created);
//   5. dispatch: the host's dispatcher carries the run on (inline: executed here in the
//      background; workers: the transaction that created the run queued its job) — or the caller
//      waits for it (the CLI);
//   6. one `run.started` audit entry naming the trigger, the version and what started it.
//
// Idempotency-Key (request semantics): the key is claimed before the run starts
// (lib/db/idempotency.ts). The same key with the same request (workflow, version, input) returns
// the first run; with a different request, or while the first request is still starting its run,
// it is refused (409 naming the header). A key is kept for IDEMPOTENCY_RETENTION_MS (24 h; the
// host's maintenance loop deletes older ones); after that the same key starts a new run.
//
// Delivery key (trigger semantics): the run id is derived from workflow + trigger + key, so a
// second start with the same key (a webhook redelivery, a schedule fire another server claimed)
// answers with the first run, even when both race.
import { createHash } from "node:crypto";
import { type Actor, can } from "@/lib/auth/policy";
import { AppError } from "@/lib/contracts/app-errors";
import type { RunStore, RunTrigger } from "@/lib/contracts/ports";
import { type AuditActor, recordAudit } from "@/lib/db/audit";
import type { Db } from "@/lib/db/client";
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  findIdempotencyKey,
  forgetIdempotencyKey,
  IDEMPOTENCY_RETENTION_MS,
  isDuplicateIdempotencyKey,
  releaseIdempotencyKey,
} from "@/lib/db/idempotency";
import { canonicalJson, loadPublishedVersion } from "@/lib/db/workflows-store";
import type { Engine, RunResult } from "@/lib/engine/types";
import type { Dispatcher } from "@/lib/runtime/dispatch";
import { personId } from "../scope";
import { admitRunStart } from "./limits";

export { IDEMPOTENCY_RETENTION_MS };
export const IDEMPOTENCY_HEADER = "Idempotency-Key";

/** What can start a run through startWorkflowRun (retries, re-runs and subworkflows have their own paths). */
export type StartTrigger = Exclude<RunTrigger, "subworkflow" | "retry" | "rerun">;

/** Who starts the run: a workspace, who the audit entry names, and the member or key (if any). */
export interface StartCaller {
  workspaceId: string;
  actor: AuditActor;
  /** stored as Run.startedById: people only (API keys, the CLI, webhooks are not users) */
  startedById?: string | null;
  /**
   * The signed-in member or API key starting the run: its role must allow `run.start` in the
   * workspace. Absent for starts the installation makes on a workflow's behalf (a webhook's URL
   * token or a schedule authorizes them) and for the local CLI.
   */
  principal?: Actor;
}

/** A signed-in person or an API key as a StartCaller. */
export function startCallerOf(actor: Actor): StartCaller {
  return { workspaceId: actor.workspaceId, actor, startedById: personId(actor), principal: actor };
}

/** The installation starting a run for a trigger (webhook, schedule): the audit entry names the trigger. */
export function triggerCaller(workspaceId: string, trigger: StartTrigger): StartCaller {
  return { workspaceId, actor: { label: trigger }, startedById: null };
}

export interface StartDeps {
  db: Db;
  engine: Pick<Engine, "startRun" | "startHere" | "runUntilPauseOrEnd">;
  store: Pick<RunStore, "loadRun">;
  /** The host's dispatcher; without one the run is executed here in the background. */
  dispatcher?: Pick<Dispatcher, "carryOn">;
}

/** What pinning a draft gives (lib/use-cases/workflows: pinDraftForRun). */
export interface PinnedDraft {
  versionId: string;
  version: number;
  document: unknown;
  /** a new version was created for it */
  created: boolean;
}

/** Which version of which workflow runs. */
export type StartSource =
  /** a published version (by workflow id, or its name in the workspace); default the latest */
  | { kind: "published"; workflowId: string; version?: number | "latest" }
  /**
   * the editor: the workflow's draft, pinned to an immutable version by `pin` (refused while it
   * has problems) — called only once the caller was admitted
   */
  | { kind: "draft"; workflowId: string; pin: () => Promise<PinnedDraft> }
  /** a version the caller already loaded in the caller's workspace (webhook, MCP/A2A offer, CLI file) */
  | { kind: "version"; workflowId: string; workflowVersionId: string; version: number; document: unknown };

export interface StartRequest {
  trigger: StartTrigger;
  source: StartSource;
  input?: unknown;
  /** Idempotency-Key semantics (the API): same key + same request → the same run; see the file comment */
  idempotencyKey?: string;
  /** delivery semantics (webhooks, schedules): same workflow + trigger + key → the same run id */
  deliveryKey?: string;
  /** a run id chosen by the caller (an A2A task id) */
  runId?: string;
  /** what started it (a webhook delivery, a schedule, a file…): kept in the audit entry */
  triggerData?: Record<string, unknown>;
  /** the audit entry's summary; default "Started run <id> of version <n> (<trigger>)" */
  summary?: (started: { runId: string; version: number }) => string;
  /** `background` (default): the dispatcher carries the run on; `wait`: executed here until it pauses or ends */
  execution?: "background" | "wait";
}

export interface StartedRun {
  runId: string;
  status: string;
  version: number;
  workflowId: string;
  /** true: an earlier request with the same key started this run (nothing new was started) */
  replayed: boolean;
  /** the editor only: pinning the draft created a new version */
  newVersion?: boolean;
  /** execution "wait" only: how the run paused or ended */
  result?: RunResult;
}

/** The run id for a delivery key: same workflow + trigger + key → same run. */
export function triggeredRunId(workflowId: string, trigger: StartTrigger, key: string): string {
  const digest = createHash("sha256").update(`${workflowId}\n${trigger}\n${key}`).digest("hex").slice(0, 32);
  return `${trigger === "webhook" ? "wh" : trigger === "schedule" ? "sc" : trigger === "chat" ? "ch" : "tr"}_${digest}`;
}

/**
 * Admission, before anything is read or created: the caller's role, and limits on starting runs.
 * Every trigger passes here, so a check added here covers the editor, the API, webhooks,
 * schedules, chat, MCP, A2A and the CLI alike.
 */
async function admitStart(_deps: StartDeps, caller: StartCaller, request: StartRequest): Promise<void> {
  const p = caller.principal;
  if (p && (p.workspaceId !== caller.workspaceId || !can(p, "run.start", { workspaceId: caller.workspaceId })))
    throw new AppError("forbidden:run", {
      message: p.via === "apiKey" ? "This API key's role cannot start runs." : "Your role cannot start runs here.",
    });
  // per member / per key start rates, the workspace's cap on queued + running runs (./limits.ts)
  await admitRunStart(_deps.db, caller.workspaceId, p ?? null);
  void request;
}

function requestHash(request: StartRequest): string {
  const s = request.source;
  const canonical = canonicalJson({
    workflowId: s.workflowId,
    version: s.kind === "published" ? (s.version ?? "latest") : s.kind === "version" ? s.version : "draft",
    input: request.input ?? {},
  });
  return createHash("sha256").update(canonical, "utf8").digest("hex");
}

function idempotencyConflict(message: string): AppError {
  return new AppError("conflict:run", {
    message,
    fieldErrors: [{ path: `header.${IDEMPOTENCY_HEADER}`, message }],
  });
}

async function replayIdempotencyKey(
  db: Db,
  caller: StartCaller,
  key: string,
  hash: string,
): Promise<StartedRun | null> {
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

async function replayDelivery(deps: StartDeps, runId: string, workflowId: string): Promise<StartedRun | null> {
  const run = await deps.store.loadRun(runId);
  return run ? { runId, status: run.status, version: 0, workflowId, replayed: true } : null;
}

interface ResolvedVersion {
  workflowId: string;
  workflowVersionId: string;
  version: number;
  document: unknown;
  newVersion?: boolean;
}

async function resolveVersion(deps: StartDeps, caller: StartCaller, source: StartSource): Promise<ResolvedVersion> {
  if (source.kind === "version") return source;
  if (source.kind === "draft") {
    const pinned = await source.pin();
    return {
      workflowId: source.workflowId,
      workflowVersionId: pinned.versionId,
      version: pinned.version,
      document: pinned.document,
      newVersion: pinned.created,
    };
  }
  const published = await loadPublishedVersion(
    deps.db,
    caller.workspaceId,
    source.workflowId,
    source.version ?? "latest",
  );
  if (!published)
    throw new AppError("not_found:workflow", {
      message: `The workflow "${source.workflowId}" does not exist here or has no published version${typeof source.version === "number" ? ` ${source.version}` : ""}.`,
    });
  return published;
}

/** Starts a run (or answers with the one its key started before). See the file comment for the steps. */
export async function startWorkflowRun(
  deps: StartDeps,
  caller: StartCaller,
  request: StartRequest,
): Promise<StartedRun> {
  const { db } = deps;
  await admitStart(deps, caller, request);

  const key = request.idempotencyKey;
  const hash = key ? requestHash(request) : "";
  if (key) {
    const earlier = await replayIdempotencyKey(db, caller, key, hash);
    if (earlier) return earlier;
  }
  const deliveryRunId = request.deliveryKey
    ? triggeredRunId(request.source.workflowId, request.trigger, request.deliveryKey)
    : undefined;
  const version = await resolveVersion(deps, caller, request.source);
  const fixedRunId = deliveryRunId ?? request.runId;
  if (deliveryRunId) {
    const earlier = await replayDelivery(deps, deliveryRunId, version.workflowId);
    if (earlier) return { ...earlier, version: version.version };
  }
  if (key) {
    try {
      await claimIdempotencyKey(db, { workspaceId: caller.workspaceId, key, requestHash: hash });
    } catch (error) {
      if (!isDuplicateIdempotencyKey(error)) throw error;
      const earlier = await replayIdempotencyKey(db, caller, key, hash);
      if (earlier) return earlier;
      throw error;
    }
  }

  const wait = request.execution === "wait";
  let runId: string;
  let executing: Promise<RunResult> | null = null;
  try {
    const source = {
      document: version.document,
      workspaceId: caller.workspaceId,
      workflowId: version.workflowId,
      workflowVersionId: version.workflowVersionId,
    };
    const options = {
      trigger: request.trigger,
      startedById: caller.startedById ?? null,
      ...(fixedRunId ? { runId: fixedRunId } : {}),
    };
    // "wait": created under this process's lease, so that no worker takes the run it waits for
    if (wait) {
      const started = await deps.engine.startHere(source, request.input ?? {}, options);
      runId = started.runId;
      executing = started.result;
    } else runId = (await deps.engine.startRun(source, request.input ?? {}, options)).runId;
  } catch (error) {
    if (key) await releaseIdempotencyKey(db, { workspaceId: caller.workspaceId, key });
    // a concurrent start with the same delivery key won the insert
    if (deliveryRunId) {
      const earlier = await replayDelivery(deps, deliveryRunId, version.workflowId);
      if (earlier) return { ...earlier, version: version.version };
    }
    throw error;
  }
  if (key) await completeIdempotencyKey(db, { workspaceId: caller.workspaceId, key, runId });

  if (!wait) dispatch(deps, runId);
  await recordAudit(db, {
    workspaceId: caller.workspaceId,
    actor: caller.actor,
    action: "run.started",
    targetType: "run",
    targetId: runId,
    summary:
      request.summary?.({ runId, version: version.version }) ??
      `Started run ${runId} of version ${version.version} (${request.trigger})`,
    data: {
      trigger: request.trigger,
      workflowId: version.workflowId,
      version: version.version,
      ...(request.deliveryKey ? { key: request.deliveryKey } : {}),
      ...(request.triggerData ?? {}),
    },
  });
  const started: StartedRun = {
    runId,
    status: "queued",
    version: version.version,
    workflowId: version.workflowId,
    replayed: false,
    ...(version.newVersion !== undefined ? { newVersion: version.newVersion } : {}),
  };
  if (!executing) return started;
  const result = await executing;
  return { ...started, status: result.status, result };
}

function dispatch(deps: StartDeps, runId: string): void {
  if (deps.dispatcher) {
    deps.dispatcher.carryOn(runId);
    return;
  }
  void deps.engine.runUntilPauseOrEnd(runId).catch((error: unknown) => {
    console.error(`[switchboard] run ${runId} stopped with an error`, error);
  });
}
