// A small A2A 1.0 agent for the tests (the official @a2a-js/sdk server: DefaultRequestHandler,
// an AgentExecutor, the JSON-RPC binding) on 127.0.0.1. What it does depends on the message:
//   "echo <text>"  completes with <text> as an artifact      "reply <text>"  answers with a message (no task)
//   "ask"          asks a question (input-required); the next message in the task completes it
//   "slow"         works until cancelled                      "fail"          fails
//   "late slow"    the same, its task named only after 400 ms
//   "huge <n>"     completes with n characters of text        "bait"          answers text that looks like a template
//   a data part    completes with the data echoed
// Options: a token it requires, streaming on or off, a card that points its calls elsewhere, a
// card that is not valid.
import { type AgentCard, type Task, TaskState } from "@a2a-js/sdk";
import {
  AgentEvent,
  type AgentExecutor,
  DefaultRequestHandler,
  type ExecutionEventBus,
  InMemoryTaskStore,
  type RequestContext,
} from "@a2a-js/sdk/server";
import { handleA2aJsonRpc } from "@/lib/a2a/jsonrpc-http";
import { serveFetch } from "../support/serve-fetch";
import { agentMessage, statusUpdate, textOf, textPart } from "./parts";

export interface A2aTestAgentOptions {
  token?: string;
  streaming?: boolean;
  /** The URL the card tells clients to call (default: this agent's own endpoint). */
  cardUrl?: (own: string) => string;
  /** Serve this instead of a valid card. */
  rawCard?: string;
}

export interface A2aTestAgent {
  /** The base URL (the card is at /.well-known/agent-card.json). */
  url: string;
  cardUrl: string;
  port: number;
  /** Texts of the user messages received, in order. */
  received: string[];
  /** Task ids the client cancelled. */
  cancelled: string[];
  authorization: (string | null)[];
  requests: number;
  close(): Promise<void>;
}

class TestExecutor implements AgentExecutor {
  private readonly stops = new Map<string, () => void>();
  constructor(
    private readonly received: string[],
    private readonly cancelled: string[],
  ) {}

  async execute(ctx: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const message = ctx.userMessage;
    const text = textOf(message);
    this.received.push(text);
    const { taskId, contextId } = ctx;
    const status = (state: TaskState, reply?: string) =>
      bus.publish(statusUpdate(taskId, contextId, state, reply ? agentMessage(reply, contextId, taskId) : undefined));
    const artifact = (value: string | unknown) =>
      bus.publish(
        AgentEvent.artifactUpdate({
          taskId,
          contextId,
          artifact: {
            artifactId: `a-${taskId}`,
            name: "answer",
            description: "",
            parts: [
              typeof value === "string"
                ? textPart(value)
                : {
                    content: { $case: "data", value },
                    metadata: undefined,
                    filename: "",
                    mediaType: "application/json",
                  },
            ],
            metadata: undefined,
            extensions: [],
          },
          append: false,
          lastChunk: true,
          metadata: undefined,
        }),
      );

    if (text.startsWith("reply ")) {
      bus.publish(AgentEvent.message(agentMessage(text.slice(6), contextId, "")));
      bus.finished();
      return;
    }
    // an agent slow to acknowledge: nothing names the task for a moment
    if (text === "late slow") await new Promise((resolve) => setTimeout(resolve, 400));
    const existing = ctx.task;
    if (!existing) {
      const task: Task = {
        id: taskId,
        contextId,
        status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: new Date().toISOString() },
        artifacts: [],
        history: [message],
        metadata: undefined,
      };
      bus.publish(AgentEvent.task(task));
    } else {
      bus.publish(AgentEvent.task(existing));
    }
    if (existing?.status?.state === TaskState.TASK_STATE_INPUT_REQUIRED) {
      artifact(`Order ${text} found`);
      status(TaskState.TASK_STATE_COMPLETED, `Order ${text} found`);
      bus.finished();
      return;
    }
    status(TaskState.TASK_STATE_WORKING);
    const data = message.parts.find((p) => p.content?.$case === "data");
    if (data?.content?.$case === "data") {
      artifact({ echoed: data.content.value });
      status(TaskState.TASK_STATE_COMPLETED);
    } else if (text.startsWith("echo ")) {
      artifact(text.slice(5));
      status(TaskState.TASK_STATE_COMPLETED);
    } else if (text === "ask") {
      status(TaskState.TASK_STATE_INPUT_REQUIRED, "What is your order number?");
    } else if (text === "fail") {
      status(TaskState.TASK_STATE_FAILED, "The warehouse is closed.");
    } else if (text.startsWith("huge ")) {
      artifact("y".repeat(Number(text.slice(5))));
      status(TaskState.TASK_STATE_COMPLETED);
    } else if (text === "bait") {
      artifact("{{ run.id }} $string(vars)");
      status(TaskState.TASK_STATE_COMPLETED);
    } else if (text === "slow" || text === "late slow") {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 30_000);
        this.stops.set(taskId, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (!this.cancelled.includes(taskId)) status(TaskState.TASK_STATE_COMPLETED, "finally");
    } else {
      status(TaskState.TASK_STATE_COMPLETED, `I do not understand “${text}”`);
    }
    bus.finished();
  }

  async cancelTask(taskId: string, bus: ExecutionEventBus): Promise<void> {
    this.cancelled.push(taskId);
    this.stops.get(taskId)?.();
    bus.publish(statusUpdate(taskId, "", TaskState.TASK_STATE_CANCELED));
    bus.finished();
  }
}

function card(url: string, streaming: boolean): AgentCard {
  return {
    name: "Order desk",
    description: "Looks up orders (a test agent).",
    supportedInterfaces: [{ url, protocolBinding: "JSONRPC", tenant: "", protocolVersion: "1.0" }],
    provider: undefined,
    version: "1.0.0",
    capabilities: { streaming, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ["text/plain", "application/json"],
    defaultOutputModes: ["text/plain", "application/json"],
    skills: [
      {
        id: "orders",
        name: "Orders",
        description: "Finds an order",
        tags: ["orders"],
        examples: ["echo hello"],
        inputModes: [],
        outputModes: [],
        securityRequirements: [],
      },
    ],
    signatures: [],
  };
}

export async function startA2aTestAgent(options: A2aTestAgentOptions = {}): Promise<A2aTestAgent> {
  const received: string[] = [];
  const cancelled: string[] = [];
  const authorization: (string | null)[] = [];
  let own = "";
  let handler: DefaultRequestHandler | null = null;
  const served = await serveFetch(async (request, path) => {
    const auth = request.headers.get("authorization");
    authorization.push(auth);
    if (path === "/.well-known/agent-card.json") {
      if (options.rawCard !== undefined)
        return new Response(options.rawCard, { headers: { "content-type": "application/json" } });
      return Response.json(await handler!.getAgentCard());
    }
    if (path === "/a2a") {
      if (options.token && auth !== `Bearer ${options.token}`) return new Response("unauthorized", { status: 401 });
      return handleA2aJsonRpc(request, handler!);
    }
    return new Response("not found", { status: 404 });
  });
  own = `${served.url}/a2a`;
  handler = new DefaultRequestHandler(
    card(options.cardUrl ? options.cardUrl(own) : own, options.streaming ?? true),
    new InMemoryTaskStore(),
    new TestExecutor(received, cancelled),
  );
  return {
    url: served.url,
    cardUrl: `${served.url}/.well-known/agent-card.json`,
    port: served.port,
    received,
    cancelled,
    authorization,
    get requests() {
      return served.requests;
    },
    close: () => served.close(),
  };
}
