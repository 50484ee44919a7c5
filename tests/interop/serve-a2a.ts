// Serves an agent built with any framework as an A2A 1.0 agent on 127.0.0.1, the way a user would:
// the official @a2a-js/sdk server (an AgentExecutor, DefaultRequestHandler, InMemoryTaskStore) on
// Express (`jsonRpcHandler`, `agentCardHandler`). `answer` is the framework's code: it gets the
// user's text and returns the agent's reply; the executor turns that into a task that completes
// with the reply as an artifact (or fails with the error's message).
import type { AddressInfo } from "node:net";
import { type AgentCard, TaskState } from "@a2a-js/sdk";
import {
  AgentEvent,
  type AgentExecutor,
  DefaultRequestHandler,
  type ExecutionEventBus,
  InMemoryTaskStore,
  type RequestContext,
} from "@a2a-js/sdk/server";
import { agentCardHandler, jsonRpcHandler, UserBuilder } from "@a2a-js/sdk/server/express";
import express from "express";
import { agentMessage, statusUpdate, textOf, textPart } from "../a2a-agent/parts";

export interface ServedA2aAgent {
  url: string;
  cardUrl: string;
  port: number;
  /** The user texts received, in order. */
  received: string[];
  close(): Promise<void>;
}

class FrameworkExecutor implements AgentExecutor {
  constructor(
    private readonly answer: (text: string, signal: AbortSignal) => Promise<string>,
    private readonly received: string[],
  ) {}
  private readonly running = new Map<string, AbortController>();

  async execute(ctx: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const { taskId, contextId, userMessage } = ctx;
    const text = textOf(userMessage);
    this.received.push(text);
    const status = (state: TaskState, reply?: string) =>
      bus.publish(
        statusUpdate(
          taskId,
          contextId,
          state,
          reply ? agentMessage(reply, contextId, taskId, `${taskId}-${state}`) : undefined,
        ),
      );
    bus.publish(
      AgentEvent.task(
        ctx.task ?? {
          id: taskId,
          contextId,
          status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: new Date().toISOString() },
          artifacts: [],
          history: [userMessage],
          metadata: undefined,
        },
      ),
    );
    status(TaskState.TASK_STATE_WORKING);
    const controller = new AbortController();
    this.running.set(taskId, controller);
    try {
      const reply = await this.answer(text, controller.signal);
      bus.publish(
        AgentEvent.artifactUpdate({
          taskId,
          contextId,
          artifact: {
            artifactId: "answer",
            name: "answer",
            description: "",
            parts: [textPart(reply)],
            metadata: undefined,
            extensions: [],
          },
          append: false,
          lastChunk: true,
          metadata: undefined,
        }),
      );
      status(TaskState.TASK_STATE_COMPLETED);
    } catch (error) {
      status(
        controller.signal.aborted ? TaskState.TASK_STATE_CANCELED : TaskState.TASK_STATE_FAILED,
        error instanceof Error ? error.message : String(error),
      );
    } finally {
      this.running.delete(taskId);
    }
    bus.finished();
  }

  async cancelTask(taskId: string, bus: ExecutionEventBus): Promise<void> {
    this.running.get(taskId)?.abort();
    bus.publish(statusUpdate(taskId, "", TaskState.TASK_STATE_CANCELED));
    bus.finished();
  }
}

/** Serves `answer` as the A2A agent `name` on a free port of 127.0.0.1. */
export async function serveA2aAgent(options: {
  name: string;
  description: string;
  answer: (text: string, signal: AbortSignal) => Promise<string>;
}): Promise<ServedA2aAgent> {
  const received: string[] = [];
  const app = express();
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const card: AgentCard = {
    name: options.name,
    description: options.description,
    supportedInterfaces: [
      { url: `${url}/a2a/jsonrpc`, protocolBinding: "JSONRPC", tenant: "", protocolVersion: "1.0" },
    ],
    provider: undefined,
    version: "1.0.0",
    capabilities: { streaming: true, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ["text/plain"],
    defaultOutputModes: ["text/plain"],
    skills: [
      {
        id: "answer",
        name: options.name,
        description: options.description,
        tags: [],
        examples: [],
        inputModes: [],
        outputModes: [],
        securityRequirements: [],
      },
    ],
    signatures: [],
  };
  const handler = new DefaultRequestHandler(
    card,
    new InMemoryTaskStore(),
    new FrameworkExecutor(options.answer, received),
  );
  app.use("/.well-known/agent-card.json", agentCardHandler({ agentCardProvider: handler }));
  app.use("/a2a/jsonrpc", jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }));
  return {
    url,
    cardUrl: `${url}/.well-known/agent-card.json`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
