// What a chat shows as a workflow's answer (the editor's chat panel, the chat page and the chat
// API of workflows whose trigger is `chat`).

/** The reply text in a run's output: a string, or its `reply`/`text`/`answer`/`message`/`output`/`content` field, else JSON. */
export function chatReplyText(output: unknown): string {
  if (typeof output === "string") return output;
  if (output && typeof output === "object") {
    for (const k of ["reply", "text", "answer", "message", "output", "content"]) {
      const v = (output as Record<string, unknown>)[k];
      if (typeof v === "string") return v;
    }
  }
  return output === null || output === undefined ? "" : JSON.stringify(output, null, 2);
}
