// Each published workflow whose editor offered it as an A2A agent is one A2A 1.0 agent: its own
// card (skills from the workflow's description and inputs), `message/send` and `message/stream`
// start a run of the published version (the task id is the run id), `tasks/get` reads the run,
// `tasks/cancel` cancels it, and a run waiting for a person is `input-required` (the person
// decides in Switchboard's inbox; the run's link and what is asked are in the status message). A
// follow-up message in a waiting task ("approve …", "reject <reason>", or a data part
// `{ decision, comment?, reason?, data? }`) decides the run's pending approval as the caller —
// with the caller's role and the approval's assignees, like the REST API — and the task goes on.
import { type AgentCard, type Message, type Part, Role, type StreamResponse, type Task, TaskState } from "@a2a-js/sdk";
import {
  ExtendedAgentCardNotConfiguredError,
  PushNotificationNotSupportedError,
  RequestMalformedError,
  TaskNotCancelableError,
  TaskNotFoundError,
  UnsupportedOperationError,
} from "@a2a-js/sdk/errors";
import type { A2ARequestHandler } from "@a2a-js/sdk/server";
import { AppError } from "@/lib/contracts/app-errors";
import type { ApprovalRecord, RunStore } from "@/lib/contracts/ports";
import type { ExposedWorkflow } from "@/lib/db/interop";
import { type ApprovalDeps, decideApproval } from "@/lib/use-cases/approvals";
import {
  type Caller,
  followRun,
  type InteropRunDeps,
  isSettled,
  type RunSnapshot,
  runSnapshot,
  startOfferedRun,
} from "@/lib/use-cases/interop";
import { cancelRun } from "@/lib/use-cases/runs";

export interface A2aAgentDeps extends InteropRunDeps {
  /** This installation's base URL (cards, run links). */
  baseUrl: string;
  /** How long a blocking message/send waits for its run (default 10 minutes). */
  maxWaitMs?: number;
  /** With listApprovals, a waiting run's status names what is asked. */
  store: InteropRunDeps["store"] & Partial<Pick<RunStore, "listApprovals">>;
  /** Deciding approvals: without it, a waiting task is decided in Switchboard only. */
  approvals?: ApprovalDeps;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const MAX_TEXT = 256 * 1024;

const textPart = (value: string): Part => ({
  content: { $case: "text", value },
  metadata: undefined,
  filename: "",
  mediaType: "text/plain",
});
const dataPart = (value: unknown): Part => ({
  content: { $case: "data", value },
  metadata: undefined,
  filename: "",
  mediaType: "application/json",
});

function agentMessage(text: string, taskId: string, contextId: string): Message {
  return {
    messageId: `${taskId}:status:${Date.now()}`,
    contextId,
    taskId,
    role: Role.ROLE_AGENT,
    parts: [textPart(text.slice(0, MAX_TEXT))],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

export const agentPath = (workflowId: string) => `/api/a2a/${encodeURIComponent(workflowId)}`;

function inputSchemaOf(wf: ExposedWorkflow): Json | null {
  const doc = isObject(wf.document) ? wf.document : {};
  return isObject(doc.input) ? doc.input : null;
}

/** The workflow's card: what it does, how to call it, what it takes. */
export function agentCard(wf: ExposedWorkflow, baseUrl: string): AgentCard {
  const schema = inputSchemaOf(wf);
  const props = isObject(schema?.properties) ? Object.keys(schema.properties) : [];
  const inputs = props.length > 0 ? ` Inputs: ${props.join(", ")} (send them as a JSON data part).` : "";
  return {
    name: wf.name,
    description: (wf.description || `The Switchboard workflow “${wf.name}”.`).slice(0, 4000),
    supportedInterfaces: [
      { url: `${baseUrl}${agentPath(wf.id)}`, protocolBinding: "JSONRPC", tenant: "", protocolVersion: "1.0" },
    ],
    provider: { organization: "Switchboard", url: baseUrl },
    version: String(wf.version),
    documentationUrl: undefined,
    capabilities: { streaming: true, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: {
      apiKey: {
        scheme: {
          $case: "httpAuthSecurityScheme",
          value: {
            description: "A Switchboard API key of the workspace, with the a2a scope.",
            scheme: "bearer",
            bearerFormat: "Switchboard API key",
          },
        },
      },
    },
    securityRequirements: [{ schemes: { apiKey: { list: [] } } }],
    defaultInputModes: ["application/json", "text/plain"],
    defaultOutputModes: ["application/json", "text/plain"],
    skills: [
      {
        id: wf.id,
        name: wf.name,
        description: `${(wf.description || `Runs “${wf.name}”.`).slice(0, 2000)}${inputs}`,
        tags: ["switchboard", "workflow"],
        examples: schema ? [JSON.stringify(Object.fromEntries(props.map((p) => [p, "…"])))] : [],
        inputModes: ["application/json", "text/plain"],
        outputModes: ["application/json", "text/plain"],
        securityRequirements: [],
      },
    ],
    signatures: [],
    iconUrl: undefined,
  };
}

/**
 * The run input from a message: a data part as it is; else the text — parsed when it is JSON, or
 * given to the only string input when the workflow has exactly one, or as the input itself.
 */
export function inputFromMessage(message: Message | undefined, wf: ExposedWorkflow): unknown {
  if (!message) throw new RequestMalformedError("The request has no message.");
  const data = message.parts.find((p) => p.content?.$case === "data");
  if (data?.content?.$case === "data") return data.content.value;
  const text = message.parts
    .map((p) => (p.content?.$case === "text" ? p.content.value : ""))
    .join("")
    .trim();
  if (/^[{[]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // not JSON: plain text
    }
  }
  const schema = inputSchemaOf(wf);
  const props = isObject(schema?.properties) ? Object.entries(schema.properties) : [];
  const strings = props.filter(([, s]) => isObject(s) && s.type === "string");
  if (props.length === 1 && strings.length === 1) return { [strings[0]![0]]: text };
  if (!schema) return text;
  if (schema.type === "string") return text;
  return { message: text };
}

/** What a follow-up message in a waiting task decides, or null when it decides nothing. */
export function decisionFromMessage(
  message: Message | undefined,
): { decision: "approve" | "reject"; comment?: string; reason?: string; data?: unknown } | null {
  if (!message) return null;
  const data = message.parts.find((p) => p.content?.$case === "data");
  if (data?.content?.$case === "data") {
    const v = data.content.value;
    if (!isObject(v) || (v.decision !== "approve" && v.decision !== "reject")) return null;
    const text = (k: string) => (typeof v[k] === "string" && (v[k] as string).trim() ? (v[k] as string) : undefined);
    if (v.decision === "reject")
      return { decision: "reject", reason: text("reason") ?? text("comment") ?? "Rejected over A2A." };
    return {
      decision: "approve",
      ...(text("comment") ? { comment: text("comment") } : {}),
      ...(v.data !== undefined ? { data: v.data } : {}),
    };
  }
  const text = message.parts
    .map((p) => (p.content?.$case === "text" ? p.content.value : ""))
    .join("")
    .trim();
  const approve = /^(approve|approved|yes|ok)\b[\s:,.!-]*([\s\S]*)$/i.exec(text);
  if (approve) return { decision: "approve", ...(approve[2]?.trim() ? { comment: approve[2].trim() } : {}) };
  const reject = /^(reject|rejected|decline|no)\b[\s:,.!-]*([\s\S]*)$/i.exec(text);
  if (reject) return { decision: "reject", reason: reject[2]?.trim() || "Rejected over A2A." };
  return null;
}

const HOW_TO_ANSWER = `Reply "approve" (optionally with a comment) or "reject <reason>" in this task to decide it, or decide in Switchboard:`;

function statusOf(snap: RunSnapshot, baseUrl: string, asked?: string): { state: TaskState; text?: string } {
  switch (snap.status) {
    case "queued":
      return { state: TaskState.TASK_STATE_SUBMITTED };
    case "running":
      return { state: TaskState.TASK_STATE_WORKING, text: `${snap.stepCount} steps done` };
    case "waiting":
      return {
        state: TaskState.TASK_STATE_INPUT_REQUIRED,
        text: asked
          ? `${asked}\n\n${HOW_TO_ANSWER} ${baseUrl}/runs/${snap.runId}`
          : `The run waits for a person in Switchboard: ${baseUrl}/runs/${snap.runId}`,
      };
    case "succeeded":
      return { state: TaskState.TASK_STATE_COMPLETED };
    case "failed":
      return { state: TaskState.TASK_STATE_FAILED, text: snap.error?.message ?? "The run failed." };
    default:
      return { state: TaskState.TASK_STATE_CANCELED, text: snap.error?.message ?? "The run was cancelled." };
  }
}

function artifactOf(snap: RunSnapshot) {
  if (snap.status !== "succeeded") return [];
  const out = snap.output ?? null;
  return [
    {
      artifactId: "output",
      name: "output",
      description: "The run's output",
      parts: [typeof out === "string" ? textPart(out.slice(0, MAX_TEXT)) : dataPart(out)],
      metadata: undefined,
      extensions: [],
    },
  ];
}

export function taskOf(snap: RunSnapshot, baseUrl: string, asked?: string): Task {
  const s = statusOf(snap, baseUrl, asked);
  return {
    id: snap.runId,
    contextId: snap.runId,
    status: {
      state: s.state,
      message: s.text ? agentMessage(s.text, snap.runId, snap.runId) : undefined,
      timestamp: new Date().toISOString(),
    },
    artifacts: artifactOf(snap),
    history: [],
    metadata: { runUrl: `${baseUrl}/runs/${snap.runId}`, status: snap.status },
  };
}

/** The A2A request handler of one offered workflow, for one caller. */
export class WorkflowAgent implements A2ARequestHandler {
  constructor(
    private readonly deps: A2aAgentDeps,
    private readonly caller: Caller,
    private readonly wf: ExposedWorkflow & { workspaceId: string },
  ) {}

  async getAgentCard(): Promise<AgentCard> {
    return agentCard(this.wf, this.deps.baseUrl);
  }

  async getAuthenticatedExtendedAgentCard(): Promise<AgentCard> {
    throw new ExtendedAgentCardNotConfiguredError();
  }

  private async pending(runId: string): Promise<ApprovalRecord | null> {
    const list = this.deps.store.listApprovals;
    if (!list) return null;
    const rows = await list.call(this.deps.store, { runId, status: "pending" });
    return rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())[0] ?? null;
  }

  /** The run as a task; a waiting run's status names what the person is asked. */
  private async task(snap: RunSnapshot): Promise<Task> {
    const asked = snap.status === "waiting" ? (await this.pending(snap.runId))?.title : undefined;
    return taskOf(snap, this.deps.baseUrl, asked);
  }

  /** A follow-up message in a waiting task decides its pending approval, as the caller. */
  private async answer(params: Parameters<A2ARequestHandler["sendMessage"]>[0], taskId: string): Promise<string> {
    const snap = await this.ownRun(taskId);
    if (snap.status !== "waiting")
      throw new UnsupportedOperationError(
        "A Switchboard task takes no further messages unless it waits for a person; send a new message to start another run.",
      );
    const pending = await this.pending(snap.runId);
    const decision = decisionFromMessage(params.message);
    if (!this.deps.approvals || !pending || !decision)
      throw new UnsupportedOperationError(
        `The task waits for a person in Switchboard${pending ? ` (“${pending.title}”)` : ""}. ${
          this.deps.approvals && pending
            ? `${HOW_TO_ANSWER} ${this.deps.baseUrl}/runs/${snap.runId}`
            : `It goes on once they decide there: ${this.deps.baseUrl}/runs/${snap.runId}`
        }`,
      );
    try {
      await decideApproval(this.deps.approvals, this.caller.actor, { approvalId: pending.id, ...decision, via: "api" });
    } catch (error) {
      if (error instanceof AppError) throw new RequestMalformedError(error.message);
      throw error;
    }
    // The decision is committed; the run goes on in the background: wait until it left the wait.
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      const now = await runSnapshot(this.deps, snap.runId);
      if (now?.status !== "waiting") break;
      const next = await this.pending(snap.runId);
      if (next && next.id !== pending.id) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    return snap.runId;
  }

  private async start(params: Parameters<A2ARequestHandler["sendMessage"]>[0]): Promise<string> {
    if (params.message?.taskId) return this.answer(params, params.message.taskId);
    const input = inputFromMessage(params.message, this.wf);
    try {
      const { runId } = await startOfferedRun(this.deps, this.caller.actor, this.wf, input, "a2a");
      return runId;
    } catch (error) {
      if (error instanceof AppError) throw new RequestMalformedError(error.message);
      throw error;
    }
  }

  private async ownRun(id: string): Promise<RunSnapshot> {
    const run = await this.deps.store.loadRun(id).catch(() => null);
    if (!run || run.workspaceId !== this.caller.actor.workspaceId || run.workflowId !== this.wf.id)
      throw new TaskNotFoundError(`There is no task ${id} of this agent.`);
    return (await runSnapshot(this.deps, id))!;
  }

  async sendMessage(params: Parameters<A2ARequestHandler["sendMessage"]>[0]): Promise<Task> {
    const runId = await this.start(params);
    const snap = params.configuration?.returnImmediately
      ? await this.ownRun(runId)
      : await followRun(this.deps, runId, { maxWaitMs: this.deps.maxWaitMs });
    return this.task(snap);
  }

  async *sendMessageStream(params: Parameters<A2ARequestHandler["sendMessage"]>[0]): AsyncGenerator<StreamResponse> {
    const runId = await this.start(params);
    yield* this.stream(runId);
  }

  private async *stream(runId: string): AsyncGenerator<StreamResponse> {
    const first = await this.ownRun(runId);
    yield { payload: { $case: "task", value: await this.task(first) } };
    let last = first;
    const until = Date.now() + (this.deps.maxWaitMs ?? 10 * 60_000);
    while (!isSettled(last) && Date.now() < until) {
      const next = await followRun(this.deps, runId, { maxWaitMs: 2_000 });
      if (next.stepCount !== last.stepCount || next.status !== last.status) {
        if (isSettled(next) && next.status === "succeeded") {
          for (const artifact of artifactOf(next))
            yield {
              payload: {
                $case: "artifactUpdate",
                value: {
                  taskId: runId,
                  contextId: runId,
                  artifact,
                  append: false,
                  lastChunk: true,
                  metadata: undefined,
                },
              },
            };
        }
        const s = statusOf(
          next,
          this.deps.baseUrl,
          next.status === "waiting" ? (await this.pending(runId))?.title : undefined,
        );
        yield {
          payload: {
            $case: "statusUpdate",
            value: {
              taskId: runId,
              contextId: runId,
              status: {
                state: s.state,
                message: s.text ? agentMessage(s.text, runId, runId) : undefined,
                timestamp: new Date().toISOString(),
              },
              metadata: undefined,
            },
          },
        };
      }
      last = next;
    }
  }

  async getTask(params: { id: string }): Promise<Task> {
    return this.task(await this.ownRun(params.id));
  }

  async cancelTask(params: { id: string }): Promise<Task> {
    const snap = await this.ownRun(params.id);
    if (!isSettled(snap) || snap.status === "waiting") {
      try {
        await cancelRun(this.deps, this.caller.actor, params.id);
      } catch (error) {
        if (error instanceof AppError) throw new TaskNotCancelableError(error.message);
        throw error;
      }
    } else throw new TaskNotCancelableError(`The task already ended (${snap.status}).`);
    return taskOf((await runSnapshot(this.deps, params.id))!, this.deps.baseUrl);
  }

  async *resubscribe(params: { id: string }): AsyncGenerator<StreamResponse> {
    yield* this.stream(params.id);
  }

  async listTasks(): Promise<never> {
    throw new UnsupportedOperationError("Listing tasks is not offered; keep the task ids you started.");
  }
  async createTaskPushNotificationConfig(): Promise<never> {
    throw new PushNotificationNotSupportedError();
  }
  async getTaskPushNotificationConfig(): Promise<never> {
    throw new PushNotificationNotSupportedError();
  }
  async listTaskPushNotificationConfigs(): Promise<never> {
    throw new PushNotificationNotSupportedError();
  }
  async deleteTaskPushNotificationConfig(): Promise<never> {
    throw new PushNotificationNotSupportedError();
  }
}
