// Starting a run from a trigger (webhook, schedule, chat) on a workflow's latest published
// version. Idempotent by key: the run id is derived from the key, so a second start with the same
// key (a webhook redelivery, a schedule fire another server claimed) answers with the first run.
import { createHash } from "node:crypto";
import type { RunStore } from "@/lib/contracts/ports";
import { recordAudit } from "@/lib/db/audit";
import type { Db } from "@/lib/db/client";
import { loadPublishedVersion } from "@/lib/db/workflows-store";
import type { Engine } from "@/lib/engine/types";
import type { Dispatcher } from "@/lib/runtime/dispatch";

export interface TriggerStartDeps {
  db: Db;
  engine: Pick<Engine, "startRun">;
  dispatcher: Pick<Dispatcher, "carryOn">;
  store: Pick<RunStore, "loadRun">;
}

export type TriggerKind = "webhook" | "schedule" | "chat";

/** The run id for an idempotency key: same workflow + trigger + key → same run. */
export function triggeredRunId(workflowId: string, trigger: TriggerKind, key: string): string {
  const digest = createHash("sha256").update(`${workflowId}\n${trigger}\n${key}`).digest("hex").slice(0, 32);
  return `${trigger === "webhook" ? "wh" : trigger === "schedule" ? "sc" : "ch"}_${digest}`;
}

export interface TriggeredStart {
  runId: string;
  /** true when the key had already started this run (nothing new was started) */
  replayed: boolean;
  version: number;
}

/**
 * Starts a run of the workflow's latest published version (`document` is that version's), or
 * returns the run the same key started before. Engine errors (bad input) are thrown as they are.
 */
export async function startTriggeredRun(
  deps: TriggerStartDeps,
  input: {
    workspaceId: string;
    workflowId: string;
    trigger: TriggerKind;
    input: unknown;
    /** idempotency key (webhook delivery id, schedule fire time); none: a new run each time */
    key?: string;
    published?: { workflowVersionId: string; version: number; document: unknown };
  },
): Promise<TriggeredStart> {
  const published =
    input.published ??
    (await loadPublishedVersion(deps.db, input.workspaceId, input.workflowId, "latest").then((v) =>
      v ? { workflowVersionId: v.workflowVersionId, version: v.version, document: v.document } : null,
    ));
  if (!published) throw new Error("The workflow has no published version.");
  const runId = input.key ? triggeredRunId(input.workflowId, input.trigger, input.key) : undefined;
  if (runId && (await deps.store.loadRun(runId))) return { runId, replayed: true, version: published.version };
  try {
    const started = await deps.engine.startRun(
      {
        document: published.document,
        workspaceId: input.workspaceId,
        workflowId: input.workflowId,
        workflowVersionId: published.workflowVersionId,
      },
      input.input ?? {},
      { trigger: input.trigger, startedById: null, ...(runId ? { runId } : {}) },
    );
    deps.dispatcher.carryOn(started.runId);
    await recordAudit(deps.db, {
      workspaceId: input.workspaceId,
      actor: { label: input.trigger },
      action: "run.started",
      targetType: "run",
      targetId: started.runId,
      summary: `Started run ${started.runId} of version ${published.version} (${input.trigger})`,
      data: { trigger: input.trigger, version: published.version, ...(input.key ? { key: input.key } : {}) },
    });
    return { runId: started.runId, replayed: false, version: published.version };
  } catch (error) {
    // a concurrent start with the same key won the insert
    if (runId && (await deps.store.loadRun(runId))) return { runId, replayed: true, version: published.version };
    throw error;
  }
}
