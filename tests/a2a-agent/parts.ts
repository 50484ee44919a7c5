// Message parts for the A2A test agents (tests/a2a-agent, tests/interop): A2A 1.0's proto-shaped
// Part and Message, built the same way by every test server.
import { type Message, type Part, Role } from "@a2a-js/sdk";

export const textPart = (value: string): Part => ({
  content: { $case: "text", value },
  metadata: undefined,
  filename: "",
  mediaType: "text/plain",
});

export function agentMessage(text: string, contextId: string, taskId: string): Message {
  return {
    messageId: `m-${Math.random().toString(36).slice(2)}`,
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
