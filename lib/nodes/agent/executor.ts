import { InvalidModelOutputError, NonRetryableError } from "@/lib/contracts/errors";
import { compileJsonSchema, isCompileError } from "@/lib/contracts/json-schema-check";
import type { ExecContext, ExecResult, Executor, Wake } from "@/lib/contracts/node";
import { type ChatMessage, costOf, type ModelResult, type ToolCallRecord } from "@/lib/contracts/ports";
import { openAgentMcpTools } from "../tool/agent-tools";
import { isPlainObject, refusalText, toolDecision } from "../tool/calls";
import type { AgentConfig } from "./definition";

function asText(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** Model calls a loop may make when the agent sets no `maxTurns` (the gateway's default). */
const DEFAULT_MAX_TURNS = 5;

/**
 * Where an agent's tool loop stands while it waits for a person's approval of a tool call: stored
 * in the waiting step's `input.loop`, read back on resume (`ctx.waited`), so the loop continues
 * where it stopped. `messages`: the loop's messages after the request's own (assistant turns with
 * their tool calls, tool results); `pending`: calls of tools needing approval not made yet, in
 * order (the first is the one asked about); `toolCalls`: the trace so far.
 */
interface LoopState {
  v: 1;
  messages: ChatMessage[];
  pending: { id: string; name: string; arguments: Record<string, unknown> }[];
  toolCalls: ToolCallRecord[];
  /** Model calls made so far in this visit. */
  turns: number;
  /** MCP calls made so far in this visit (their idempotency keys go on from here). */
  calls: number;
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
  simulated: boolean;
}

const freshLoop = (): LoopState => ({
  v: 1,
  messages: [],
  pending: [],
  toolCalls: [],
  turns: 0,
  calls: 0,
  usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
  simulated: false,
});

function savedLoop(waited: unknown): LoopState | null {
  const loop = isPlainObject(waited) ? waited.loop : undefined;
  if (!isPlainObject(loop) || loop.v !== 1 || !Array.isArray(loop.messages) || !Array.isArray(loop.pending))
    return null;
  return loop as unknown as LoopState;
}

/**
 * One agent turn loop. `wake`: the decision on a tool call that needed a person's approval; the
 * loop goes on from what the step stored when it waited (`ctx.waited`): the call is made with the
 * approved (possibly edited) arguments, or the refusal is the tool's result, and the model is
 * called with the conversation so far. Calls made before the wait are not made again.
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
  const maxTurns = c.maxTurns ?? DEFAULT_MAX_TURNS;

  const decision = wake ? toolDecision(wake) : null;
  let loop = wake ? savedLoop(ctx.waited) : null;
  if (wake && !loop && decision) {
    // Waited before the loop kept its state (an older version): the decided call is the loop's
    // first, and the model goes on from its result.
    loop = freshLoop();
    const name = `${decision.call.server}.${decision.call.tool}`;
    loop.messages.push({
      role: "assistant",
      content: "",
      toolCalls: [{ id: "approved-1", name, arguments: decision.call.arguments }],
    });
    loop.pending.push({ id: "approved-1", name, arguments: decision.call.arguments });
  }
  const state = loop ?? freshLoop();
  const waitInput = () => ({
    prompt: prompt.slice(0, 2000),
    messages: messages.length,
    ...(state.toolCalls.length > 0 ? { toolCalls: state.toolCalls } : {}),
    loop: state,
  });

  // The agent's MCP tools (connected now that the run reached it); a tool marked as requiring
  // approval ends the model's loop with the call pending (lib/nodes/tool/agent-tools.ts).
  const mcp = await openAgentMcpTools(ctx, c.tools, state.calls);
  let result: ModelResult;
  try {
    if (wake) {
      const head = state.pending[0];
      if (!head || !decision || `${decision.call.server}.${decision.call.tool}` !== head.name)
        throw new NonRetryableError(`The agent "${ctx.nodeName}" was woken by a decision it was not waiting for.`);
      const record: ToolCallRecord = {
        id: head.id,
        name: head.name,
        arguments: decision.approved ? decision.call.arguments : head.arguments,
      };
      const started = ctx.services.clock.now().getTime();
      if (decision.approved) {
        const made = await mcp.call(head.name, decision.call.arguments);
        if (made.error !== undefined) record.error = made.error;
        else record.result = made.result;
      } else record.error = refusalText(decision);
      record.durationMs = ctx.services.clock.now().getTime() - started;
      state.calls = mcp.calls();
      state.toolCalls.push(record);
      state.messages.push({
        role: "tool",
        toolCallId: head.id,
        name: head.name,
        content:
          record.error ?? (typeof record.result === "string" ? record.result : JSON.stringify(record.result ?? null)),
        ...(record.error !== undefined ? { isError: true } : {}),
      });
      state.pending.shift();
    }

    for (;;) {
      // The next call needing approval: wait for a person (each call its own approval, in order).
      const next = state.pending[0];
      if (next) return { kind: "wait", input: waitInput(), approval: mcp.approvalFor(next.name, next.arguments) };
      const turnsLeft = maxTurns - state.turns;
      // (The simulated model's turn counts are nominal: it has no limit to keep.)
      if (turnsLeft < 1 && !simulated)
        throw new NonRetryableError(
          `The agent "${ctx.nodeName}" used its ${maxTurns} model calls without finishing (raise maxTurns).`,
        );
      const r = await ctx.services.models.generate({
        model: c.model,
        instructions,
        messages: state.messages.length > 0 ? [...messages, ...state.messages] : messages,
        tools: mcp.specs,
        outputSchema: c.outputSchema,
        handoffs,
        maxTurns: Math.max(1, turnsLeft),
        temperature: c.temperature,
        maxOutputTokens: c.maxOutputTokens,
        signal: mcp.signal,
        attempt: ctx.attempt,
        idempotencyKey: ctx.idempotencyKey,
        // A continued loop's requests get their own keys (the first request keeps the step's).
        requestKey: state.turns > 0 ? `${ctx.requestKey}:t${state.turns}` : ctx.requestKey,
        onDelta: ctx.onDelta,
        simulate,
      });
      state.turns += r.steps ?? 1;
      state.calls = mcp.calls();
      const cost =
        r.usage.costUsd ?? costOf(ctx.services.prices.price(c.model), r.usage.inputTokens, r.usage.outputTokens);
      state.usage = {
        inputTokens: state.usage.inputTokens + r.usage.inputTokens,
        outputTokens: state.usage.outputTokens + r.usage.outputTokens,
        costUsd: state.usage.costUsd + cost,
      };
      if (r.simulated) state.simulated = true;
      const calls = r.toolCalls ?? [];
      const waiting = calls.filter((t) => t.pending);
      state.toolCalls.push(...calls.filter((t) => !t.pending));
      if (waiting.length === 0) {
        result = r;
        break;
      }
      state.messages.push(...(r.messages ?? []));
      for (const w of waiting)
        state.pending.push({
          id: w.id ?? `call-${state.calls + state.pending.length + 1}`,
          name: w.name,
          arguments: isPlainObject(w.arguments) ? w.arguments : {},
        });
    }
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

  // The gateway prices real calls with the provider price table; else the engine's table (summed
  // over every model call of the visit, resumed loops included).
  const usage = state.usage;
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
    usage: { ...usage },
    model: c.model,
    simulated: state.simulated,
    // What the step worked on, and its tool trace (each call: name, arguments, result or error, duration).
    input: {
      prompt: prompt.slice(0, 2000),
      messages: messages.length,
      ...(result.steps !== undefined || state.turns > 1 ? { turns: state.turns } : {}),
      ...(state.toolCalls.length > 0 ? { toolCalls: state.toolCalls } : {}),
    },
    conversation: [userMessage, reply],
    vars,
  };
}

export const agentExecutor: Executor<AgentConfig> = {
  run: (ctx) => runAgent(ctx),
  resume: (ctx, wake) => runAgent(ctx, wake),
};
