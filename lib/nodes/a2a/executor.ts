import { NonRetryableError, NotAvailableError } from "@/lib/contracts/errors";
import type { ApprovalRequest, ExecContext, ExecResult, Executor, Wake } from "@/lib/contracts/node";
import type { A2aGateway, A2aTaskOutcome } from "@/lib/contracts/ports";
import type { A2aConfig } from "./definition";

/** How long a task may take when the step sets no timeout. */
export const DEFAULT_A2A_TIMEOUT_MS = 5 * 60_000;
/** How long a remote agent's question waits for a person before it is refused. */
const QUESTION_TIMEOUT_MS = 24 * 60 * 60 * 1000;

function a2aOf(ctx: ExecContext<A2aConfig>): A2aGateway {
  const a2a = ctx.services.a2a;
  if (!a2a)
    throw new NotAvailableError(
      `"${ctx.nodeName}" needs A2A agents, which this Switchboard process was started without.`,
    );
  return a2a;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A remote question as an approval: the agent's exact words, and a field for the answer. */
function question(ctx: ExecContext<A2aConfig>, o: A2aTaskOutcome): ApprovalRequest {
  const who = o.agent.name || "The remote agent";
  return {
    kind: "approval",
    title: `${who} asks: ${o.text || "(no question text)"}`.slice(0, 500),
    details: [
      `The step “${ctx.nodeName}” sent a task to the A2A agent “${who}” (${o.agent.url}), which needs an answer to go on:`,
      o.text || "(the agent gave no text)",
      "Write the answer and approve to send it to the agent, or reject to cancel the task.",
    ].join("\n\n"),
    payload: {
      agent: o.agent.name,
      agentCardUrl: o.agent.url,
      taskId: o.taskId,
      contextId: o.contextId,
      question: o.text,
      answer: "",
    },
    allowEdit: true,
    editSchema: {
      type: "object",
      properties: { answer: { type: "string", title: "Answer", minLength: 1, maxLength: 100_000 } },
      required: ["answer"],
    },
    assignees: { roles: ["approver", "editor"], users: [] },
    escalateTo: null,
    timeoutMs: QUESTION_TIMEOUT_MS,
    onTimeout: "reject",
  };
}

function settle(ctx: ExecContext<A2aConfig>, o: A2aTaskOutcome, asked: boolean): ExecResult {
  const input = { agentCardUrl: ctx.config.agentCardUrl, agent: o.agent.name, taskId: o.taskId };
  switch (o.state) {
    case "completed":
      return { kind: "done", input, output: o };
    case "input-required":
      if (asked)
        throw new NonRetryableError(
          `The A2A agent “${o.agent.name}” asked a second question in the same step (${o.text.slice(0, 300)}); one question per step is answered. Its task ${o.taskId} stays open.`,
          { data: { outcome: o } },
        );
      return { kind: "wait", input, approval: question(ctx, o) };
    case "auth-required":
      throw new NonRetryableError(
        `The A2A agent “${o.agent.name}” needs authentication that Switchboard cannot give.`,
        {
          data: { outcome: o },
        },
      );
    default:
      throw new NonRetryableError(
        `The A2A agent “${o.agent.name}” ${o.state === "rejected" ? "rejected" : o.state === "canceled" ? "cancelled" : "failed"} the task${o.text ? `: ${o.text.slice(0, 500)}` : "."}`,
        { data: { outcome: o } },
      );
  }
}

/** Sends a task to a remote A2A agent; a question from the agent waits for a person's answer. */
export const a2aExecutor: Executor<A2aConfig> = {
  async run(ctx) {
    const c = ctx.config;
    const rendered = await ctx.render(c.message);
    const outcome = await a2aOf(ctx).send({
      workspaceId: ctx.workspaceId,
      cardUrl: c.agentCardUrl,
      credential: c.credential,
      message: isObject(rendered) || Array.isArray(rendered) ? rendered : String(rendered ?? ""),
      messageId: ctx.idempotencyKey,
      signal: ctx.signal,
      timeoutMs: ctx.node.timeoutMs ?? DEFAULT_A2A_TIMEOUT_MS,
    });
    return settle(ctx, outcome, false);
  },

  /** The run ended while the agent's question waited: the remote task is cancelled (tasks/cancel). */
  async abandon({ workspaceId, config, approval, services, signal }) {
    const payload = isObject(approval?.payload) ? approval.payload : {};
    if (!services.a2a || typeof payload.taskId !== "string") return;
    await services.a2a.cancel({
      workspaceId,
      cardUrl: config.agentCardUrl,
      credential: config.credential,
      taskId: payload.taskId,
      signal,
    });
  },

  async resume(ctx, wake: Wake) {
    if (wake.kind !== "approval")
      throw new NonRetryableError(`"${ctx.nodeName}" was woken by something other than its question.`);
    const a = wake.approval;
    const payload = isObject(a.payload) ? a.payload : {};
    const taskId = typeof payload.taskId === "string" ? payload.taskId : undefined;
    const contextId = typeof payload.contextId === "string" ? payload.contextId : undefined;
    const gateway = a2aOf(ctx);
    if (a.status !== "approved") {
      if (taskId)
        await gateway
          .cancel({
            workspaceId: ctx.workspaceId,
            cardUrl: ctx.config.agentCardUrl,
            credential: ctx.config.credential,
            taskId,
          })
          .catch(() => {});
      const why = a.decision?.comment || a.decision?.reason;
      throw new NonRetryableError(`A person declined to answer the A2A agent's question${why ? `: ${why}` : "."}`, {
        data: { decision: a.status },
      });
    }
    const data = a.decision?.data;
    const answer = isObject(data) && typeof data.answer === "string" ? data.answer : "";
    if (!answer.trim()) throw new NonRetryableError("The answer to the A2A agent's question was empty.");
    const outcome = await gateway.send({
      workspaceId: ctx.workspaceId,
      cardUrl: ctx.config.agentCardUrl,
      credential: ctx.config.credential,
      message: answer,
      taskId,
      contextId,
      messageId: `${ctx.idempotencyKey}:answer`,
      signal: ctx.signal,
      timeoutMs: ctx.node.timeoutMs ?? DEFAULT_A2A_TIMEOUT_MS,
    });
    return settle(ctx, outcome, true);
  },
};
