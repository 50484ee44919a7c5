import { InvalidModelOutputError } from "@/lib/contracts/errors";
import { compileJsonSchema, isCompileError } from "@/lib/contracts/json-schema-check";
import type { ExecContext, ExecResult, Executor, Wake } from "@/lib/contracts/node";
import { type ChatMessage, costOf, type ModelResult } from "@/lib/contracts/ports";
import { openAgentMcpTools } from "../tool/agent-tools";
import type { AgentConfig } from "./definition";

function asText(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/**
 * One agent turn loop. `wake`: the decision on an MCP tool call that needed a person's approval
 * (the loop starts again and that call is made with the approved arguments, or refused).
 */
async function runAgent(ctx: ExecContext<AgentConfig>, wake?: Wake): Promise<ExecResult> {
  const c = ctx.config;
  const instructions = asText(await ctx.render(c.instructions));
  const prompt = asText(await ctx.render(c.prompt));

  // An agent reached by a handoff (or asking for it) starts with the shared conversation.
  const messages: ChatMessage[] = [];
  if (ctx.handoff || c.useConversation) messages.push(...ctx.data.conversation);
  if (ctx.handoff)
    messages.push({
      role: "system",
      content: `Handed off to you by ${ctx.handoff.fromName}: ${ctx.handoff.reason}`,
      nodeId: ctx.handoff.from,
    });
  const userMessage: ChatMessage = { role: "user", content: prompt, nodeId: ctx.node.id };
  messages.push(userMessage);

  const simulated = c.model === "simulated";
  const simulate = simulated && c.simulate ? ((await ctx.render(c.simulate)) as Record<string, unknown>) : undefined;
  const handoffs = c.routing === "choose" ? ctx.handoffOptions : undefined;

  // The agent's MCP tools (connected now that the run reached it); a tool marked as requiring
  // approval ends the loop and the step waits for a person (lib/nodes/tool/agent-tools.ts).
  const mcp = await openAgentMcpTools(ctx, c.tools, wake);
  let result: ModelResult;
  try {
    result = await ctx.services.models.generate({
      model: c.model,
      instructions,
      messages,
      tools: mcp.specs,
      outputSchema: c.outputSchema,
      handoffs,
      maxTurns: c.maxTurns,
      temperature: c.temperature,
      maxOutputTokens: c.maxOutputTokens,
      signal: mcp.signal,
      attempt: ctx.attempt,
      idempotencyKey: ctx.idempotencyKey,
      requestKey: ctx.requestKey,
      onDelta: ctx.onDelta,
      simulate,
    });
  } catch (error) {
    const approval = mcp.pendingApproval();
    if (approval)
      return { kind: "wait", input: { prompt: prompt.slice(0, 2000), messages: messages.length }, approval };
    throw error;
  } finally {
    await mcp.close();
  }

  let output: unknown = result.object !== undefined ? result.object : (result.text ?? "");
  if (c.outputSchema) {
    if (typeof output === "string") {
      try {
        output = JSON.parse(output);
      } catch {
        throw new InvalidModelOutputError(`The model's answer is not the JSON object the output schema asks for.`);
      }
    }
    const compiled = compileJsonSchema(c.outputSchema);
    if (!isCompileError(compiled)) {
      const problems = compiled.check(output, "output");
      if (problems.length > 0)
        throw new InvalidModelOutputError(
          `The model's answer does not match the output schema: ${problems
            .slice(0, 3)
            .map((p) => `${p.path}: ${p.message}`)
            .join(" ")}`,
          { issues: problems.slice(0, 20) },
        );
    }
  }

  // The gateway prices real calls with the provider price table; else the engine's table.
  const costUsd =
    result.usage.costUsd ??
    costOf(ctx.services.prices.price(c.model), result.usage.inputTokens, result.usage.outputTokens);
  const reply: ChatMessage = {
    role: "assistant",
    content: typeof output === "string" ? output : JSON.stringify(output),
    nodeId: ctx.node.id,
    name: ctx.nodeName,
  };

  let vars: Record<string, unknown> | undefined;
  if (c.writes) vars = (await ctx.render(c.writes, { output })) as Record<string, unknown>;

  return {
    kind: "done",
    output,
    route: result.route,
    usage: { inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens, costUsd },
    model: c.model,
    simulated: result.simulated === true,
    // What the step worked on, and its tool trace (each call: name, arguments, result or error, duration).
    input: {
      prompt: prompt.slice(0, 2000),
      messages: messages.length,
      ...(result.steps !== undefined ? { turns: result.steps } : {}),
      ...(result.toolCalls && result.toolCalls.length > 0 ? { toolCalls: result.toolCalls } : {}),
    },
    conversation: [userMessage, reply],
    vars,
  };
}

export const agentExecutor: Executor<AgentConfig> = {
  run: (ctx) => runAgent(ctx),
  resume: (ctx, wake) => runAgent(ctx, wake),
};
