/**
 * Agents from elsewhere: the MCP tools port (tool node, agents' `tools`) and the A2A client port
 * (a2a node). The implementations (lib/mcp, lib/a2a) open connections only when a run reaches a
 * node that needs them; nothing connects on import, validation or rendering. Every HTTP call
 * goes through the egress policy, and what comes back is data: results are never evaluated as
 * templates or expressions.
 */

/** One tool of a registered MCP server, as discovered. */
export interface McpToolInfo {
  name: string;
  description?: string;
  /** JSON Schema of the tool's arguments (an object schema). */
  inputSchema: Record<string, unknown>;
  /** An administrator marked the tool: a person approves every call before it is made. */
  requiresApproval: boolean;
  /**
   * The server annotated the tool `readOnlyHint`: it changes nothing outside. Any other tool is a
   * side effect: an agent's call of it is preceded by the barrier (what came before is durable).
   */
  readOnly?: boolean;
}

/** What a tool call returned (bounded: long text is cut, with `truncated` set). */
export interface McpToolResult {
  /** The text parts joined (what an agent reads). */
  text: string;
  /** The tool's structured content, when it sent one. */
  structured?: unknown;
  /** Content parts: text, or a short description of images, audio and resources. */
  content: unknown[];
  /** The tool reported an error (it ran, but failed). */
  isError: boolean;
  truncated?: boolean;
}

export interface McpCallOptions {
  signal: AbortSignal;
  /** Give up after this long (TimeoutError). */
  timeoutMs?: number;
  /** `runId:nodeId:visit` (plus a call index inside an agent's loop), sent in the request's `_meta`. */
  idempotencyKey?: string;
  onProgress?: (progress: { progress: number; total?: number; message?: string }) => void;
}

/** A connection to one registered server, for the length of one step. */
export interface McpSession {
  readonly server: string;
  listTools(options: { signal: AbortSignal; timeoutMs?: number }): Promise<McpToolInfo[]>;
  /**
   * Calls a tool. Throws TimeoutError, RetryableError (network, 5xx, server gone),
   * NonRetryableError (unknown tool, refused arguments, 4xx), EgressDeniedError.
   * A tool error is a result with `isError`, not a throw.
   */
  callTool(tool: string, args: Record<string, unknown>, options: McpCallOptions): Promise<McpToolResult>;
  close(): Promise<void>;
}

export interface McpGateway {
  /**
   * Opens a session to the workspace's server named `server` (lazily: the connection is made by
   * the first call). `credential` overrides the server's own credential. Throws NonRetryableError
   * when there is no such server.
   */
  open(workspaceId: string, server: string, options?: { credential?: string }): Promise<McpSession>;
}

// ---------------------------------------------------------------- A2A

/** Task states of A2A 1.0, by name. */
export type A2aTaskState =
  | "submitted"
  | "working"
  | "completed"
  | "failed"
  | "canceled"
  | "rejected"
  | "input-required"
  | "auth-required"
  | "unknown";

/** Where a remote task stands after a send (or a follow). */
export interface A2aTaskOutcome {
  agent: { name: string; url: string };
  /** The remote task, when the agent made one (a plain message reply has none). */
  taskId: string | null;
  contextId: string | null;
  state: A2aTaskState;
  /** The agent's text (the final message, the artifacts' text parts, or its question). */
  text: string;
  /** Structured data parts, in order. */
  data: unknown[];
  artifacts: { name: string; text: string; data: unknown[] }[];
  truncated?: boolean;
}

export interface A2aSendRequest {
  workspaceId: string;
  /** The agent card's URL (untrusted: the card decides where the next calls go). */
  cardUrl: string;
  /** Workspace credential sent as a bearer token. */
  credential?: string;
  /** Text, or a JSON value sent as a data part. */
  message: unknown;
  /** Continue an existing task (the answer to `input-required`). */
  taskId?: string;
  contextId?: string;
  /** Stable per step visit; sent as the message id, so a re-sent message is recognisable. */
  messageId: string;
  signal: AbortSignal;
  timeoutMs: number;
  onUpdate?: (update: { state: A2aTaskState; text: string }) => void;
}

export interface A2aGateway {
  /** Sends the message (streaming when the agent offers it) and follows the task until it ends or needs input. */
  send(request: A2aSendRequest): Promise<A2aTaskOutcome>;
  /** Asks the agent to cancel a task (best effort). */
  cancel(request: {
    workspaceId: string;
    cardUrl: string;
    credential?: string;
    taskId: string;
    signal?: AbortSignal;
  }): Promise<void>;
}
