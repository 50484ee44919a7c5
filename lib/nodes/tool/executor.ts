import { NonRetryableError } from "@/lib/contracts/errors";
import type { ExecContext, ExecResult, Executor, Wake } from "@/lib/contracts/node";
import type { McpSession, McpToolResult } from "@/lib/contracts/ports";
import { argumentsObject, findTool, mcpOf, refusalText, type ToolCall, toolCallApproval, toolDecision } from "./calls";
import type { ToolConfig } from "./definition";

async function call(ctx: ExecContext<ToolConfig>, session: McpSession, c: ToolCall): Promise<ExecResult> {
  const result: McpToolResult = await session.callTool(c.tool, c.arguments, {
    signal: ctx.signal,
    timeoutMs: ctx.node.timeoutMs,
    idempotencyKey: ctx.idempotencyKey,
  });
  if (result.isError)
    throw new NonRetryableError(
      `The tool “${c.tool}” on “${c.server}” reported an error: ${result.text.slice(0, 500) || "(no text)"}`,
      { data: { result } },
    );
  return { kind: "done", input: c, output: result };
}

async function withSession<T>(ctx: ExecContext<ToolConfig>, fn: (s: McpSession) => Promise<T>): Promise<T> {
  const session = await mcpOf(ctx, "The MCP tool node").open(ctx.workspaceId, ctx.config.server, {
    credential: ctx.config.credential,
  });
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

/** Calls one MCP tool; a tool an administrator marked waits for a person's approval first. */
export const toolExecutor: Executor<ToolConfig> = {
  async run(ctx) {
    const c = ctx.config;
    const args = argumentsObject(await ctx.render(c.arguments), `"${ctx.nodeName}"`);
    const asked: ToolCall = { server: c.server, tool: c.tool, arguments: args };
    return withSession(ctx, async (session) => {
      const info = findTool(
        await session.listTools({ signal: ctx.signal, timeoutMs: ctx.node.timeoutMs }),
        c.server,
        c.tool,
      );
      if (info.requiresApproval)
        return { kind: "wait", input: asked, approval: toolCallApproval(asked, info, `The step “${ctx.nodeName}”`) };
      return call(ctx, session, asked);
    });
  },

  async resume(ctx, wake: Wake) {
    const decision = toolDecision(wake);
    if (!decision) throw new NonRetryableError(`"${ctx.nodeName}" was woken by something other than its approval.`);
    if (!decision.approved)
      throw new NonRetryableError(refusalText(decision), { data: { decision: "rejected", call: decision.call } });
    return withSession(ctx, (session) => call(ctx, session, decision.call));
  },
};
