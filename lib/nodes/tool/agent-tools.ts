// An agent's `tools` list (MCP `server` + `tool` entries) as the model gateway's ToolSpecs: each
// spec's `execute` calls the tool through the engine's MCP port, inside the model's tool loop, and
// the gateway records every call (arguments, result, duration, error) for the step's trace.
//
// A tool an administrator marked as requiring approval is offered WITHOUT `execute` (deferred):
// the model's call of it ends the loop with the call pending (ModelResult.toolCalls `pending`,
// the conversation so far in ModelResult.messages). The agent's executor then waits for a person
// (`approvalFor`), and once the call is decided makes it with the approved, possibly edited,
// arguments (`call`) or tells the model the refusal, and continues the loop from its messages
// (lib/nodes/agent/executor.ts). Every gated call gets its own approval, in order.
// Before the first call of a tool the server did not annotate readOnlyHint, `ctx.sideEffect()`
// makes the steps before this one durable (the barrier a side-effecting node gets before it starts).
import { NonRetryableError } from "@/lib/contracts/errors";
import type { ApprovalRequest, ExecContext } from "@/lib/contracts/node";
import type { McpSession, McpToolInfo, McpToolResult, ToolSpec } from "@/lib/contracts/ports";
import { isPlainObject, mcpOf, toolCallApproval } from "./calls";

export interface AgentToolRef {
  server: string;
  tool: string;
}

export interface AgentMcpTools {
  /** For ModelRequest.tools: one spec per entry, named `server.tool`; tools needing approval have no `execute`. */
  specs: ToolSpec[];
  /** For ModelRequest.signal: the step's signal. */
  signal: AbortSignal;
  /** Whether the tool named `server.tool` waits for a person before each call. */
  needsApproval(name: string): boolean;
  /** The approval a call of a tool needing approval waits for (the exact call, arguments editable). */
  approvalFor(name: string, args: Record<string, unknown>): ApprovalRequest;
  /**
   * Makes one call outside the model's loop (an approved call): what the model reads back, or
   * the tool's error. Numbered on from `firstCall` for its idempotency key.
   */
  call(name: string, args: Record<string, unknown>): Promise<{ result?: unknown; error?: string }>;
  /** Closes the MCP connections (call in `finally`). */
  close(): Promise<void>;
}

/** What the model reads back: the text, with structured content when the tool sent some. */
function forModel(result: McpToolResult): unknown {
  const out: Record<string, unknown> = { text: result.text };
  if (result.structured !== undefined) out.structured = result.structured;
  if (result.truncated) out.truncated = true;
  return result.structured === undefined && !result.truncated ? result.text : out;
}

const NONE: AgentMcpTools = {
  specs: [],
  signal: new AbortController().signal,
  needsApproval: () => false,
  approvalFor: () => {
    throw new Error("internal: no MCP tools");
  },
  call: async () => ({ error: "This agent has no MCP tools." }),
  close: async () => {},
};

/**
 * Opens the agent's MCP servers (connecting now: the run has reached the agent) and builds its
 * tool specs. `firstCall`: how many calls this step visit made before (their idempotency keys are
 * `<step key>:<n>`, so a resumed loop numbers its calls on from there).
 */
export async function openAgentMcpTools(
  ctx: ExecContext<unknown>,
  tools: readonly AgentToolRef[],
  firstCall = 0,
): Promise<AgentMcpTools & { calls(): number }> {
  if (tools.length === 0) return { ...NONE, signal: ctx.signal, calls: () => firstCall };
  const mcp = mcpOf(ctx, "The agent");
  const signal = ctx.signal;
  const sessions = new Map<string, McpSession>();
  const close = async () => {
    await Promise.allSettled([...sessions.values()].map((s) => s.close()));
  };
  let calls = firstCall;
  let barrier: Promise<void> | null = null;
  const byName = new Map<string, { ref: AgentToolRef; info: McpToolInfo; session: McpSession }>();

  const invoke = async (name: string, args: Record<string, unknown>, callSignal: AbortSignal) => {
    const t = byName.get(name)!;
    // A tool the server does not call read-only is a side effect: what came before is made
    // durable first (the barrier a side-effecting node gets before it starts).
    if (!t.info.readOnly && ctx.sideEffect) {
      barrier ??= ctx.sideEffect();
      await barrier;
    }
    calls += 1;
    const result = await t.session.callTool(t.ref.tool, args, {
      signal: callSignal,
      idempotencyKey: `${ctx.idempotencyKey}:${calls}`,
    });
    if (result.isError) throw new Error(result.text.slice(0, 2000) || `The tool “${t.ref.tool}” reported an error.`);
    return forModel(result);
  };

  try {
    const infos = new Map<string, McpToolInfo[]>();
    for (const server of new Set(tools.map((t) => t.server))) {
      const session = await mcp.open(ctx.workspaceId, server);
      sessions.set(server, session);
      infos.set(server, await session.listTools({ signal: ctx.signal }));
    }
    const specs: ToolSpec[] = [];
    for (const ref of tools) {
      const name = `${ref.server}.${ref.tool}`;
      if (byName.has(name)) continue;
      const info = infos.get(ref.server)!.find((t) => t.name === ref.tool);
      if (!info)
        throw new NonRetryableError(
          `The agent "${ctx.nodeName}" lists the tool "${ref.tool}", which the MCP server "${ref.server}" does not have.`,
        );
      byName.set(name, { ref, info, session: sessions.get(ref.server)! });
      specs.push({
        name,
        description: info.description,
        inputSchema: info.inputSchema,
        // A tool needing approval is deferred: the model's call ends the loop and waits for a person.
        ...(info.requiresApproval
          ? {}
          : {
              execute: (rawArgs: unknown, options: { signal: AbortSignal }) =>
                invoke(name, isPlainObject(rawArgs) ? rawArgs : {}, AbortSignal.any([options.signal, signal])),
            }),
      });
    }
    return {
      specs,
      signal,
      needsApproval: (name) => byName.get(name)?.info.requiresApproval === true,
      approvalFor: (name, args) => {
        const t = byName.get(name);
        if (!t) throw new NonRetryableError(`The agent "${ctx.nodeName}" has no tool "${name}".`);
        return toolCallApproval(
          { server: t.ref.server, tool: t.ref.tool, arguments: args },
          t.info,
          `The agent “${ctx.nodeName}”`,
        );
      },
      call: async (name, args) => {
        if (!byName.has(name)) return { error: `The agent "${ctx.nodeName}" has no tool "${name}".` };
        try {
          return { result: await invoke(name, args, signal) };
        } catch (error) {
          if (signal.aborted) throw error;
          return { error: (error instanceof Error ? error.message : String(error)).slice(0, 2000) };
        }
      },
      calls: () => calls,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
