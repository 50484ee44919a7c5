// The MCP client behind the engine's McpGateway port, on the official TypeScript SDK (v2:
// @modelcontextprotocol/client). A session connects on its first call (never on open), so a
// workflow that names a server makes no connection and spawns no process until a run reaches the
// node. Streamable HTTP goes through the egress policy's fetch (every address checked, redirects
// only within the origin) with the server's credential as a bearer token; stdio spawns exactly the
// command and arguments an administrator pinned, with the SDK's minimal environment plus the
// variables pinned at registration, their values read from the vault when it starts. Errors become
// the engine's typed errors so retries decide by type; results are bounded data.
import {
  Client,
  ProtocolError,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from "@modelcontextprotocol/client";
import {
  EgressDeniedError,
  EngineError,
  NonRetryableError,
  RetryableError,
  TimeoutError,
} from "@/lib/contracts/errors";
import type { McpCallOptions, McpGateway, McpSession, McpToolInfo, McpToolResult } from "@/lib/contracts/ports";
import { credentialsOf, egressFetchPerPolicy, type OutboundClientOptions } from "@/lib/providers/outbound-client";
import { findInChain, httpStatusError } from "@/lib/providers/remote-errors";
import { type McpServerRecord, type McpToolSummary, requiresApproval } from "./config";
import { DEFAULT_MAX_RESULT_CHARS, toToolResult } from "./results";

/** Where registered servers are looked up (lib/db/mcp-servers.ts). */
export interface McpServerSource {
  find(workspaceId: string, name: string): Promise<McpServerRecord | null>;
}

/** `credentials`: bearer tokens of Streamable HTTP servers, and stdio servers' pinned variables. */
export interface McpClientOptions extends OutboundClientOptions {
  /** Largest message a stdio server may send (bytes). Default 8 MiB. */
  maxStdioMessageBytes?: number;
  /** Most characters of a tool result kept. Default 256 KiB. */
  maxResultChars?: number;
  /** A call's time limit when the node sets none. Default 60 s. */
  defaultTimeoutMs?: number;
  /** Connecting (initialize) gives up after this long. Default 30 s. */
  connectTimeoutMs?: number;
  /** Working directory of stdio servers (default: the process's). */
  stdioCwd?: string;
}

const CLIENT_INFO = { name: "switchboard", version: "1.0.0" };
const MAX_TOOLS = 500;

const isEgressDenied = (e: unknown): e is EgressDeniedError => e instanceof EgressDeniedError;
const isEngineError = (e: unknown): e is EngineError => e instanceof EngineError;

/** Any error from the SDK or the transport as an engine error (or the abort reason). */
export function mcpError(
  error: unknown,
  server: string,
  what: string,
  signal?: AbortSignal,
  timeoutMs?: number,
): unknown {
  if (signal?.aborted) return signal.reason ?? error;
  const denied = findInChain(error, isEgressDenied);
  if (denied) return denied;
  const where = `the MCP server "${server}"`;
  if (error instanceof SdkHttpError) return httpStatusError(error.status, where, what, error, { withStatus: true });
  if (error instanceof SdkError) {
    if (error.code === SdkErrorCode.RequestTimeout)
      return new TimeoutError(`${where} did not answer within ${timeoutMs ?? "its time limit in"} ms while ${what}.`, {
        cause: error,
        timeoutMs,
      });
    if (error.code === SdkErrorCode.ConnectionClosed || error.code === SdkErrorCode.SendFailed)
      return new RetryableError(`The connection to ${where} closed while ${what}.`, { cause: error });
    return new NonRetryableError(`${where}: ${error.message} (while ${what}).`, { cause: error });
  }
  if (UnauthorizedError.isInstance(error))
    return new NonRetryableError(`${where} refused the credential (HTTP 401) while ${what}.`, {
      cause: error,
      data: { status: 401 },
    });
  if (error instanceof ProtocolError) {
    if (error.code === -32603 || error.code === -32000)
      return new RetryableError(`${where} failed while ${what}: ${error.message}`, { cause: error });
    return new NonRetryableError(`${where} refused the request while ${what}: ${error.message}`, {
      cause: error,
      data: { code: error.code },
    });
  }
  const engine = findInChain(error, isEngineError);
  if (engine instanceof RetryableError && engine.constructor === RetryableError)
    return new RetryableError(`Could not reach ${where} while ${what}: ${engine.message}`, { cause: engine });
  if (engine) return engine;
  const code = findInChain(
    error,
    (e): e is { code: string } => typeof (e as { code?: unknown })?.code === "string",
  )?.code;
  if (code === "ENOENT" || code === "EACCES")
    return new NonRetryableError(`${where} could not be started (${code}): check its command.`, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new RetryableError(`Could not reach ${where} while ${what}: ${message}${code ? ` (${code})` : ""}.`, {
    cause: error,
  });
}

/** The tools a server lists, as stored summaries (bounded). */
export function toSummaries(
  tools: { name: string; description?: string; inputSchema?: unknown; annotations?: { readOnlyHint?: boolean } }[],
): McpToolSummary[] {
  return tools.slice(0, MAX_TOOLS).map((t) => ({
    name: t.name,
    ...(t.description ? { description: t.description.slice(0, 2000) } : {}),
    ...(t.annotations?.readOnlyHint === true ? { readOnly: true } : {}),
    inputSchema:
      t.inputSchema && typeof t.inputSchema === "object" && !Array.isArray(t.inputSchema)
        ? (t.inputSchema as Record<string, unknown>)
        : { type: "object", properties: {} },
  }));
}

/**
 * The MCP client: `open()` gives a lazily connecting session per server; `session()` opens one
 * for a record that may not be saved yet (an administrator's discovery).
 */
export function createMcpClient(servers: McpServerSource, options: McpClientOptions = {}) {
  const maxResultChars = options.maxResultChars ?? DEFAULT_MAX_RESULT_CHARS;
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 60_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
  const fetchFor = egressFetchPerPolicy(options, "the MCP server");

  async function transportFor(record: McpServerRecord, credentialName: string | null) {
    if (record.transport === "stdio") {
      if (!record.command) throw new NonRetryableError(`The MCP server "${record.name}" has no command.`);
      const { StdioClientTransport, getDefaultEnvironment } = await import("@modelcontextprotocol/client/stdio");
      // The pinned variables, their values from the vault now (never stored with the server).
      const env: Record<string, string> = {};
      const names = Object.entries(record.env ?? {});
      const resolver = names.length > 0 ? credentialsOf(options) : undefined;
      for (const [name, credential] of names) {
        const secret = resolver ? await resolver.get(record.workspaceId, credential) : null;
        if (secret === null)
          throw new NonRetryableError(
            `The credential "${credential}" (the variable ${name} of the MCP server "${record.name}") does not exist in this workspace.`,
          );
        env[name] = secret;
      }
      return new StdioClientTransport({
        command: record.command,
        args: [...record.args],
        env: { ...env, ...getDefaultEnvironment() },
        stderr: "ignore",
        ...(options.stdioCwd ? { cwd: options.stdioCwd } : {}),
        maxBufferSize: options.maxStdioMessageBytes ?? 8 * 1024 * 1024,
      });
    }
    if (!record.url) throw new NonRetryableError(`The MCP server "${record.name}" has no URL.`);
    const policy = (await options.egress?.(record.workspaceId)) ?? {};
    let token: string | undefined;
    if (credentialName) {
      const resolver = credentialsOf(options);
      const secret = resolver ? await resolver.get(record.workspaceId, credentialName) : null;
      if (secret === null)
        throw new NonRetryableError(
          `The credential "${credentialName}" of the MCP server "${record.name}" does not exist in this workspace.`,
        );
      token = secret;
    }
    return new StreamableHTTPClientTransport(new URL(record.url), {
      fetch: fetchFor(policy),
      redirectPolicy: "same-origin",
      ...(token !== undefined ? { authProvider: { token: async () => token } } : {}),
    });
  }

  function session(record: McpServerRecord, opts: { credential?: string } = {}): McpSession {
    const credentialName = opts.credential ?? record.credential;
    let connecting: Promise<Client> | null = null;
    let closed = false;
    let tools: McpToolInfo[] | null = null;
    // A transport failure outside a request's own promise (a response body over the size limit,
    // a stdio message over the buffer) would leave the request waiting until its time limit:
    // it aborts the requests in flight instead, with the error as the reason.
    let broken = new AbortController();
    const onTransportError = (error: unknown) => {
      const text = String((error as Error)?.message ?? error);
      if (!/larger than \d+ bytes|buffer|exceed/i.test(text)) return;
      const b = broken;
      broken = new AbortController();
      b.abort(
        new NonRetryableError(`The answer of the MCP server "${record.name}" is too large: ${text.slice(0, 300)}`, {
          cause: error,
        }),
      );
    };
    async function request<T>(
      signal: AbortSignal,
      what: string,
      limit: number,
      fn: (client: Client, signal: AbortSignal) => Promise<T>,
    ): Promise<T> {
      const client = await connect(signal);
      const b = broken.signal;
      try {
        return await fn(client, AbortSignal.any([signal, b]));
      } catch (error) {
        if (signal.aborted) throw signal.reason ?? error;
        throw mcpError(b.aborted ? b.reason : error, record.name, what, undefined, limit);
      }
    }

    function connect(signal: AbortSignal): Promise<Client> {
      if (closed) return Promise.reject(new NonRetryableError(`The session to "${record.name}" is closed.`));
      connecting ??= (async () => {
        const transport = await transportFor(record, credentialName);
        const client = new Client(CLIENT_INFO, { capabilities: {} });
        try {
          await client.connect(transport, { signal, timeout: connectTimeoutMs });
        } catch (error) {
          await client.close().catch(() => {});
          throw mcpError(error, record.name, "connecting", signal, connectTimeoutMs);
        }
        // after connect: the client installs its own handler there
        const previous = transport.onerror;
        transport.onerror = (error) => {
          previous?.(error);
          onTransportError(error);
        };
        return client;
      })();
      const attempt = connecting;
      // a failed connection is not kept: the next call (a retry) connects again
      attempt.catch(() => {
        if (connecting === attempt) connecting = null;
      });
      return attempt;
    }

    return {
      server: record.name,
      async listTools({ signal, timeoutMs }) {
        if (tools) return tools;
        const limit = timeoutMs ?? defaultTimeoutMs;
        const listed = await request(signal, "listing its tools", limit, (client, s) =>
          client.listTools(undefined, { signal: s, timeout: limit }),
        );
        tools = toSummaries(listed.tools).map((t) => ({ ...t, requiresApproval: requiresApproval(record, t.name) }));
        return tools;
      },
      async callTool(tool, args, call: McpCallOptions): Promise<McpToolResult> {
        const limit = call.timeoutMs ?? defaultTimeoutMs;
        const raw = await request(call.signal, `calling "${tool}"`, limit, (client, s) =>
          client.callTool(
            {
              name: tool,
              arguments: args,
              ...(call.idempotencyKey ? { _meta: { "switchboard/idempotency-key": call.idempotencyKey } } : {}),
            },
            {
              signal: s,
              timeout: limit,
              maxTotalTimeout: limit,
              ...(call.onProgress
                ? {
                    onprogress: (p: { progress: number; total?: number; message?: string }) =>
                      call.onProgress?.({ progress: p.progress, total: p.total, message: p.message }),
                  }
                : {}),
            },
          ),
        );
        return toToolResult(raw, maxResultChars);
      },
      async close() {
        closed = true;
        const c = connecting;
        connecting = null;
        if (!c) return;
        try {
          await (await c).close();
        } catch {
          // a connection that never opened, or a process already gone
        }
      },
    };
  }

  const gateway: McpGateway = {
    async open(workspaceId, name, opts) {
      const record = await servers.find(workspaceId, name);
      if (!record)
        throw new NonRetryableError(
          `There is no MCP server "${name}" in this workspace. An administrator adds MCP servers in Settings → MCP servers.`,
        );
      return session(record, opts);
    },
  };

  return {
    gateway,
    session,
    /** Connects, lists the tools and disconnects (an administrator's discovery). */
    async discover(record: McpServerRecord, signal: AbortSignal = AbortSignal.timeout(connectTimeoutMs * 2)) {
      const s = session(record);
      try {
        return await s.listTools({ signal });
      } finally {
        await s.close();
      }
    },
  };
}

export type McpClient = ReturnType<typeof createMcpClient>;
