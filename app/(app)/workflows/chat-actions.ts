"use server";
// The editor's chat panel (a workflow whose trigger is `chat`): each message starts a run of the
// draft (pinned to an immutable version, like the Run button) with the conversation as its input,
// `{ messages: [{ role, content }, …] }`; the panel follows the run's events and asks for the reply.
import { z } from "zod";
import { authedAction } from "@/lib/server/action";
import { loadRun, loadWorkflow } from "@/lib/server/resources";
import { startRunFromEditor } from "@/lib/use-cases/runs";

const Id = z.string().min(1).max(100);
const Message = z.object({ role: z.enum(["user", "assistant"]), content: z.string().max(20_000) }).strict();

export const chatTurnAction = authedAction(
  {
    action: "run.start",
    input: z.object({ id: Id, messages: z.array(Message).min(1).max(200) }),
    resource: loadWorkflow,
  },
  ({ actor, input, host }) =>
    startRunFromEditor(host, actor, { workflowId: input.id, input: { messages: input.messages }, trigger: "chat" }),
);

export const chatReplyAction = authedAction(
  { action: "run.read", input: z.object({ runId: Id }), resource: loadRun },
  async ({ input, host }) => {
    const run = await host.store.loadRun(input.runId);
    return { status: run?.status ?? "queued", output: run?.output ?? null, error: run?.error?.message ?? null };
  },
);
