"use server";
// The editor's chat panel (a workflow whose trigger is `chat`): each message starts a run of the
// draft (pinned to an immutable version, like the Run button) with the conversation as its input,
// `{ messages: [{ role, content }, …] }`; the panel follows the run's events and asks for the reply.
import { z } from "zod";
import { authedAction } from "@/lib/server/action";
import { loadRun, loadWorkflow } from "@/lib/server/resources";
import { runSteps, startRunFromEditor } from "@/lib/use-cases/runs";

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
  async ({ actor, input, host, db }) => {
    const run = await host.store.loadRun(input.runId);
    let output: unknown = run?.output ?? null;
    // a workflow without an end step has no run output: the reply is the output of the step that
    // ended last, leaving out the trigger (whose output is the run input itself)
    if (output === null && run?.status === "succeeded") {
      const { steps } = await runSteps(db, actor, input.runId);
      const unwrap = (o: unknown) =>
        o && typeof o === "object" && "value" in o && "truncated" in o ? (o as { value: unknown }).value : o;
      const inputJson = JSON.stringify(run.input ?? null);
      const last = steps
        .filter((s) => s.status === "succeeded" && JSON.stringify(unwrap(s.output) ?? null) !== inputJson)
        .sort((a, b) => String(a.endedAt).localeCompare(String(b.endedAt)))
        .at(-1);
      output = last ? (unwrap(last.output) ?? null) : null;
    }
    return { status: run?.status ?? "queued", output, error: run?.error?.message ?? null };
  },
);
