// Chat outside the editor: a turn of a conversation with a workflow whose PUBLISHED trigger is
// `chat` (POST /api/v1/workflows/<id>/chat, and the chat page /chat/<id> that calls it). Each turn
// starts a run of the latest published version through the one start path (trigger `chat`,
// audited, dispatched) with the conversation as input, `{ messages: [{ role, content }, …] }`, and
// follows it: the model's tokens as they stream (the run's live `step.delta` events — only when
// the run executes in this process: with SWITCHBOARD_EXECUTE=workers on PostgreSQL they arrive
// over the event relay), then the reply when the run ends or waits for a person.
import { AppError } from "@/lib/contracts/app-errors";
import type { LiveRunEvent, RunStatus } from "@/lib/contracts/ports";
import { getRunDetail } from "@/lib/db/runs-queries";
import { loadPublishedVersion } from "@/lib/db/workflows-store";
import { createIdGenerator } from "@/lib/engine/clock";
import { chatReplyText } from "@/lib/nodes/trigger/chat-reply";
import { followRun, type InteropRunDeps } from "../interop/runs";
import { type StartCaller, type StartDeps, startWorkflowRun } from "../runs/start";
import { webhookTriggerOf } from "./webhooks";

export type ChatMessage = { role: "user" | "assistant"; content: string };

export interface ChatDeps extends StartDeps {
  store: StartDeps["store"] & InteropRunDeps["store"];
  notifier: InteropRunDeps["notifier"] & {
    subscribeLive(runId: string, listener: (event: LiveRunEvent) => void): () => void;
  };
}

export interface ChatTurnResult {
  runId: string;
  version: number;
  status: RunStatus;
  /** the reply text: the run's output as text (see chatReplyText); null while it waits or when it failed */
  reply: string | null;
  output: unknown;
  error: string | null;
  /** the run waits for a person (an approval) */
  waitingOnPerson: boolean;
}

/**
 * Runs one turn: starts the run (the caller's role, the workspace's limits, audit: the one start
 * path), calls `onStarted`, then `onDelta` with each streamed piece, and answers with the reply.
 * 404 when the workflow has no published version, 409 when that version's trigger is not `chat`.
 */
export async function chatTurn(
  deps: ChatDeps,
  caller: StartCaller,
  input: { workflowId: string; messages: ChatMessage[] },
  options: {
    onStarted?: (run: { runId: string; version: number }) => void;
    onDelta?: (piece: { nodeId: string; text: string }) => void;
    signal?: AbortSignal;
    /** stop following after this long (the run goes on); default 10 minutes */
    maxWaitMs?: number;
  } = {},
): Promise<ChatTurnResult> {
  const published = await loadPublishedVersion(deps.db, caller.workspaceId, input.workflowId, "latest");
  if (!published)
    throw new AppError("not_found:workflow", {
      message: `The workflow "${input.workflowId}" does not exist here or has no published version.`,
    });
  if (!webhookTriggerOf(published.document, "chat"))
    throw new AppError("conflict:workflow", {
      message: "This workflow's published version does not start by chat: set its trigger to chat and publish.",
    });
  // Listen before the run exists (its id is chosen here), so no streamed piece is missed.
  const runId = createIdGenerator().id("run");
  const unsubscribe = deps.notifier.subscribeLive(runId, (event) => {
    if (event.type === "step.delta" && !event.snapshot) options.onDelta?.({ nodeId: event.nodeId, text: event.text });
  });
  try {
    const started = await startWorkflowRun(deps, caller, {
      trigger: "chat",
      source: {
        kind: "version",
        workflowId: published.workflowId,
        workflowVersionId: published.workflowVersionId,
        version: published.version,
        document: published.document,
      },
      input: { messages: input.messages },
      runId,
      triggerData: { via: "chat", messages: input.messages.length },
    });
    options.onStarted?.({ runId: started.runId, version: started.version });
    const snap = await followRun(deps, started.runId, { signal: options.signal, maxWaitMs: options.maxWaitMs });
    let output: unknown = snap.output ?? null;
    if (output === null && snap.status === "succeeded")
      output = await lastStepOutput(deps, caller.workspaceId, started.runId);
    return {
      runId: started.runId,
      version: started.version,
      status: snap.status,
      reply: snap.status === "succeeded" ? chatReplyText(output) : null,
      output,
      error: snap.error?.message ?? null,
      waitingOnPerson: snap.waitingOnPerson,
    };
  } finally {
    unsubscribe();
  }
}

/** A workflow without an end step has no run output: the output of the step that ended last, not the trigger's. */
async function lastStepOutput(deps: ChatDeps, workspaceId: string, runId: string): Promise<unknown> {
  const detail = await getRunDetail(deps.db, workspaceId, runId);
  const run = await deps.store.loadRun(runId);
  if (!detail || !run) return null;
  const unwrap = (o: unknown) =>
    o && typeof o === "object" && "value" in o && "truncated" in o ? (o as { value: unknown }).value : o;
  const inputJson = JSON.stringify(run.input ?? null);
  const last = detail.steps
    .filter((s) => s.status === "succeeded" && JSON.stringify(unwrap(s.output) ?? null) !== inputJson)
    .sort((a, b) => (a.endedAt?.getTime() ?? 0) - (b.endedAt?.getTime() ?? 0))
    .at(-1);
  return last ? (unwrap(last.output) ?? null) : null;
}
