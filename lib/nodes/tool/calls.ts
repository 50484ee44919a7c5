// What the tool node and agents' MCP tools share: the approval a marked tool waits for (the exact
// call, its arguments editable under the tool's own schema), reading the decision back, and the
// checks on arguments. Only the engine's ports are used here: the MCP client is behind
// ExecServices.mcp.
import { NonRetryableError, NotAvailableError } from "@/lib/contracts/errors";
import type { ApprovalRequest, ExecContext, Wake } from "@/lib/contracts/node";
import type { McpGateway, McpToolInfo } from "@/lib/contracts/ports";

/** How long a tool call waits for a person before it is refused. */
export const TOOL_APPROVAL_TIMEOUT_MS = 24 * 60 * 60 * 1000;
/** Who decides tool calls (administrators always may). */
const APPROVERS = { roles: ["approver", "editor"], users: [] as string[] };
/** An edit schema larger than this (as JSON) is replaced by a plain object schema. */
const MAX_EDIT_SCHEMA_CHARS = 64 * 1024;

export interface ToolCall {
  server: string;
  tool: string;
  arguments: Record<string, unknown>;
}

/** The MCP port, or NotAvailableError naming the step (`what`: "The MCP tool node", "The agent"). */
export function mcpOf(ctx: ExecContext<unknown>, what: string): McpGateway {
  const mcp = ctx.services.mcp;
  if (!mcp)
    throw new NotAvailableError(
      `${what} "${ctx.nodeName}" needs MCP servers, which this Switchboard process was started without.`,
    );
  return mcp;
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Rendered arguments must be an object (MCP sends `arguments` as one). */
export function argumentsObject(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value))
    throw new NonRetryableError(
      `The arguments of ${what} must be an object (got ${Array.isArray(value) ? "a list" : typeof value}).`,
    );
  return value;
}

export function findTool(tools: McpToolInfo[], server: string, tool: string): McpToolInfo {
  const info = tools.find((t) => t.name === tool);
  if (!info) {
    const names = tools.map((t) => t.name);
    throw new NonRetryableError(
      `The MCP server "${server}" has no tool "${tool}"${names.length ? ` (it has: ${names.slice(0, 20).join(", ")})` : ""}.`,
    );
  }
  return info;
}

function editSchemaFor(info: McpToolInfo): Record<string, unknown> {
  let inputSchema: Record<string, unknown> = info.inputSchema;
  try {
    if (JSON.stringify(inputSchema).length > MAX_EDIT_SCHEMA_CHARS) inputSchema = { type: "object" };
  } catch {
    inputSchema = { type: "object" };
  }
  return { type: "object", properties: { arguments: inputSchema }, required: ["arguments"] };
}

/** The approval a call of a marked tool waits for: the exact call, its arguments editable. */
export function toolCallApproval(call: ToolCall, info: McpToolInfo, context: string): ApprovalRequest {
  return {
    kind: "approval",
    title: `Call ${call.tool} on ${call.server}`.slice(0, 500),
    details: [
      `${context} wants to call the MCP tool “${call.tool}” on the server “${call.server}”.`,
      info.description ? `The tool: ${info.description.slice(0, 1000)}` : "",
      "Approve to make exactly this call, edit its arguments first, or reject it.",
    ]
      .filter(Boolean)
      .join("\n\n"),
    payload: { server: call.server, tool: call.tool, arguments: call.arguments },
    allowEdit: true,
    editSchema: editSchemaFor(info),
    assignees: APPROVERS,
    escalateTo: null,
    timeoutMs: TOOL_APPROVAL_TIMEOUT_MS,
    onTimeout: "reject",
  };
}

export type ToolDecision =
  | { approved: true; call: ToolCall; edited: boolean; decidedBy: string | null }
  | { approved: false; call: ToolCall; reason: string; decidedBy: string | null };

/**
 * The decided call: server and tool as asked (never taken from edited data), the arguments as the
 * approver left them. Null when the wake is not a tool-call approval.
 */
export function toolDecision(wake: Wake): ToolDecision | null {
  if (wake.kind !== "approval") return null;
  const a = wake.approval;
  const payload = a.payload;
  if (!isPlainObject(payload) || typeof payload.server !== "string" || typeof payload.tool !== "string") return null;
  const asked: ToolCall = {
    server: payload.server,
    tool: payload.tool,
    arguments: isPlainObject(payload.arguments) ? payload.arguments : {},
  };
  if (a.status !== "approved") {
    const why = a.decision?.comment || a.decision?.reason || (a.status === "expired" ? "nobody decided in time" : "");
    return { approved: false, call: asked, reason: why, decidedBy: a.decidedById };
  }
  const data = a.decision?.data;
  const edited = isPlainObject(data) && isPlainObject(data.arguments);
  return {
    approved: true,
    call: edited ? { ...asked, arguments: data.arguments as Record<string, unknown> } : asked,
    edited,
    decidedBy: a.decidedById,
  };
}

/** A short form of a refusal, for errors and for the model. */
export function refusalText(d: Extract<ToolDecision, { approved: false }>): string {
  return `A person refused the call of “${d.call.tool}” on “${d.call.server}”${d.reason ? `: ${d.reason}` : "."}`;
}
