// Message parts for the A2A test agents (tests/a2a-agent, tests/interop): A2A 1.0's proto-shaped
// Part and Message, built the same way by every test server.
import { type Message, type Part, Role, type TaskState } from "@a2a-js/sdk";
import { AgentEvent } from "@a2a-js/sdk/server";

export const textPart = (value: string): Part => ({
  content: { $case: "text", value },
  metadata: undefined,
  filename: "",
  mediaType: "text/plain",
});

export function agentMessage(
  text: string,
  contextId: string,
  taskId: string,
  messageId = `m-${Math.random().toString(36).slice(2)}`,
): Message {
  return {
    messageId,
    contextId,
    taskId,
    role: Role.ROLE_AGENT,
    parts: [textPart(text)],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

/** The text of a message: text parts as they are, data parts as JSON. */
export function textOf(message: Message): string {
  return message.parts
    .map((p) =>
      p.content?.$case === "text"
        ? p.content.value
        : p.content?.$case === "data"
          ? JSON.stringify(p.content.value)
          : "",
    )
    .join("");
}

/** A task's status update event, stamped now, with `message` (the agent's reply) when there is one. */
export function statusUpdate(taskId: string, contextId: string, state: TaskState, message?: Message) {
  return AgentEvent.statusUpdate({
    taskId,
    contextId,
    status: { state, message, timestamp: new Date().toISOString() },
    metadata: undefined,
  });
}
