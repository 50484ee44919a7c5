import type { ChatMessage } from "@/lib/contracts/ports";
import { isPlainObject } from "./execution/helpers";

/**
 * The run's shared conversation, rebuilt from its step rows. The engine keeps it out of
 * `run.state` (which is rewritten on every commit): each message is stored once, on the succeeded
 * step that added it, as `input.conversation = { at, messages }` with `at` its position. The
 * engine rebuilds it on resume; the run and inbox pages read it the same way.
 */
export function conversationFromSteps(steps: readonly { status: string; input: unknown }[]): ChatMessage[] {
  const parts: { at: number; messages: ChatMessage[] }[] = [];
  for (const s of steps) {
    if (s.status !== "succeeded" || !isPlainObject(s.input)) continue;
    const conv = s.input.conversation;
    if (isPlainObject(conv) && Array.isArray(conv.messages))
      parts.push({ at: Number(conv.at) || 0, messages: conv.messages as ChatMessage[] });
  }
  parts.sort((a, b) => a.at - b.at);
  return parts.flatMap((p) => p.messages);
}
