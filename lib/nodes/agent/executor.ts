import { RetryableError } from "@/lib/engine/errors";
import type { ChatMessage } from "@/lib/engine/ports";
import { costOf } from "@/lib/engine/prices";
import { compileJsonSchema, isCompileError } from "@/lib/workflow/json-schema-check";
import type { Executor } from "../types";
import type { AgentConfig } from "./definition";

function asText(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

export const agentExecutor: Executor<AgentConfig> = {
  async run(ctx) {
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

    const simulate =
      c.model === "simulated" && c.simulate ? ((await ctx.render(c.simulate)) as Record<string, unknown>) : undefined;
    const handoffs = c.routing === "choose" ? ctx.handoffOptions : undefined;

    const result = await ctx.services.models.generate({
      model: c.model,
      instructions,
      messages,
      tools: c.tools.map((t) => ({ name: `${t.server}.${t.tool}` })),
      outputSchema: c.outputSchema,
      handoffs,
      maxTurns: c.maxTurns,
      signal: ctx.signal,
      attempt: ctx.attempt,
      idempotencyKey: ctx.idempotencyKey,
      simulate,
    });

    let output: unknown = result.object !== undefined ? result.object : (result.text ?? "");
    if (c.outputSchema) {
      if (typeof output === "string") {
        try {
          output = JSON.parse(output);
        } catch {
          throw new RetryableError(`The model's answer is not the JSON object the output schema asks for.`);
        }
      }
      const compiled = compileJsonSchema(c.outputSchema);
      if (!isCompileError(compiled)) {
        const problems = compiled.check(output, "output");
        if (problems.length > 0)
          throw new RetryableError(
            `The model's answer does not match the output schema: ${problems
              .slice(0, 3)
              .map((p) => `${p.path}: ${p.message}`)
              .join(" ")}`,
          );
      }
    }

    const costUsd = costOf(ctx.services.prices.price(c.model), result.usage.inputTokens, result.usage.outputTokens);
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
      input: { prompt: prompt.slice(0, 2000), messages: messages.length },
      conversation: [userMessage, reply],
      vars,
    };
  },
};
