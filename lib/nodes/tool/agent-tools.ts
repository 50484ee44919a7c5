// An agent's `tools` list (MCP `server` + `tool` entries) as the model gateway's ToolSpecs: each
// spec's `execute` calls the tool through the engine's MCP port, inside the model's tool loop, and
// the gateway records every call (arguments, result, duration, error) for the step's trace.
//
// A tool an administrator marked as requiring approval pauses the step before the call: `execute`
// records the exact call as an approval, aborts the loop through `signal`, and the agent's
// executor returns `{ kind: "wait", approval: pendingApproval() }`. When the person decides, the
// executor runs again with the decision (`wake`): the model's loop starts over and the first call
// of that tool is made with the approved (possibly edited) arguments, or refused to the model.
// One approval per step visit (the store keys approvals by run, node and visit): a second call of
// a marked tool in the same visit is refused to the model with an explanation.
import { NonRetryableError } from "@/lib/contracts/errors";
import type { ApprovalRequest, ExecContext, Wake } from "@/lib/contracts/node";
import type { McpSession, McpToolInfo, McpToolResult, ToolSpec } from "@/lib/contracts/ports";
import { isPlainObject, mcpOf, refusalText, toolCallApproval, toolDecision } from "./calls";

export interface AgentToolRef {
  server: string;
  tool: string;
}

export interface AgentMcpTools {
  /** For ModelRequest.tools: one spec per entry, named `server.tool`. */
  specs: ToolSpec[];
  /** For ModelRequest.signal: the step's signal, also aborted when a marked tool waits for a person. */
  signal: AbortSignal;
  /** The approval to wait for after the model's call of a marked tool, else null. */
  pendingApproval(): ApprovalRequest | null;
  /** Closes the MCP connections (call in `finally`). */
  close(): Promise<void>;
}

/** The abort reason while a marked tool's call waits for a person. */
export class ToolApprovalPendingError extends Error {
  constructor(readonly approval: ApprovalRequest) {
    super(`Waiting for a person to approve: ${approval.title}`);
    this.name = "ToolApprovalPendingError";
  }
}

/** What the model reads back: the text, with structured content when the tool sent some. */
function forModel(result: McpToolResult): unknown {
  const out: Record<string, unknown> = { text: result.text };
  if (result.structured !== undefined) out.structured = result.structured;
  if (result.truncated) out.truncated = true;
  return result.structured === undefined && !result.truncated ? result.text : out;
}

/**
 * Opens the agent's MCP servers (connecting now: the run has reached the agent) and builds its
 * tool specs. `wake` is the decision when the executor runs again after a tool approval.
 */
export async function openAgentMcpTools(
  ctx: ExecContext<unknown>,
  tools: readonly AgentToolRef[],
  wake?: Wake,
): Promise<AgentMcpTools> {
  if (tools.length === 0) return { specs: [], signal: ctx.signal, pendingApproval: () => null, close: async () => {} };
  const mcp = mcpOf(ctx, "The agent");
  const controller = new AbortController();
  const signal = AbortSignal.any([ctx.signal, controller.signal]);
  const sessions = new Map<string, McpSession>();
  const close = async () => {
    await Promise.allSettled([...sessions.values()].map((s) => s.close()));
  };
  let pending: ApprovalRequest | null = null;
  const decision = wake ? toolDecision(wake) : null;
  let decisionUsed = false;
  let calls = 0;

  try {
    const infos = new Map<string, McpToolInfo[]>();
    for (const server of new Set(tools.map((t) => t.server))) {
      const session = await mcp.open(ctx.workspaceId, server);
      sessions.set(server, session);
      infos.set(server, await session.listTools({ signal: ctx.signal }));
    }
    const specs: ToolSpec[] = [];
    const seen = new Set<string>();
    for (const ref of tools) {
      const name = `${ref.server}.${ref.tool}`;
      if (seen.has(name)) continue;
      seen.add(name);
      const info = infos.get(ref.server)!.find((t) => t.name === ref.tool);
      if (!info)
        throw new NonRetryableError(
          `The agent "${ctx.nodeName}" lists the tool "${ref.tool}", which the MCP server "${ref.server}" does not have.`,
        );
      const session = sessions.get(ref.server)!;
      specs.push({
        name,
        description: info.description,
        inputSchema: info.inputSchema,
        async execute(rawArgs, options) {
          let args = isPlainObject(rawArgs) ? rawArgs : {};
          if (info.requiresApproval) {
            const mine = decision && decision.call.server === ref.server && decision.call.tool === ref.tool;
            if (mine && !decisionUsed) {
              decisionUsed = true;
              if (!decision.approved) throw new Error(refusalText(decision));
              args = decision.call.arguments;
            } else if (wake || pending) {
              throw new Error(
                `The tool “${ref.tool}” needs a person's approval before each call, and this step has already asked for one. Do without it, or finish and let a later step call it.`,
              );
            } else {
              pending = toolCallApproval(
                { server: ref.server, tool: ref.tool, arguments: args },
                info,
                `The agent “${ctx.nodeName}”`,
              );
              const waiting = new ToolApprovalPendingError(pending);
              controller.abort(waiting);
              throw waiting;
            }
          }
          calls += 1;
          const result = await session.callTool(ref.tool, args, {
            signal: AbortSignal.any([options.signal, signal]),
            idempotencyKey: `${ctx.idempotencyKey}:${calls}`,
          });
          if (result.isError)
            throw new Error(result.text.slice(0, 2000) || `The tool “${ref.tool}” reported an error.`);
          return forModel(result);
        },
      });
    }
    return { specs, signal, pendingApproval: () => pending, close };
  } catch (error) {
    await close();
    throw error;
  }
}
