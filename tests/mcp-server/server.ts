// A small MCP server for the tests and the end-to-end spec, on the official v2 server SDK:
// Streamable HTTP on 127.0.0.1 (startMcpTestServer) or stdio (`node --import tsx
// tests/mcp-server/server.ts --stdio`). Its tools cover what Switchboard must handle: a normal
// result, a tool error, a slow call (progress, cancellation, timeouts), a huge result, a result
// that looks like a template, and a call that records what it was given.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { toNodeHandler } from "@modelcontextprotocol/node";
import { createMcpHandler, fromJsonSchema, McpServer } from "@modelcontextprotocol/server";

export interface TestServerCall {
  tool: string;
  arguments: unknown;
  authorization: string | null;
}

export interface McpTestServerOptions {
  /** Required bearer token (401 without it). */
  token?: string;
  /** Awaited when a tool is called, before it runs (to look at the caller's state at that moment). */
  onCall?: (tool: string, args: unknown) => void | Promise<void>;
}

export interface McpTestServer {
  url: string;
  port: number;
  /** Every tools/call received, in order. */
  calls: TestServerCall[];
  /** HTTP requests received (any method), to prove that nothing connected. */
  requests: number;
  /** Calls that were cancelled by the client while running. */
  cancelled: string[];
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

const schema = (properties: Json, required: string[] = []) =>
  fromJsonSchema({ type: "object", properties, required, additionalProperties: false } as never);

const text = (value: string) => ({ content: [{ type: "text" as const, text: value }] });

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason ?? new Error("cancelled"));
      },
      { once: true },
    );
  });

/** The server's tools; `record` sees each call (the HTTP server adds the Authorization header it got). */
export function buildTestMcpServer(
  record: (tool: string, args: unknown) => void | Promise<void>,
  cancelled: string[],
): McpServer {
  const server = new McpServer({ name: "switchboard-test-tools", version: "1.0.0" });
  server.registerTool(
    "echo",
    {
      description: "Returns the text it is given.",
      inputSchema: schema({ text: { type: "string", description: "What to say back" } }, ["text"]),
      annotations: { readOnlyHint: true },
    },
    async (args: unknown) => {
      await record("echo", args);
      return text(String((args as Json).text));
    },
  );
  server.registerTool(
    "add",
    {
      description: "Adds two numbers; the sum is also structured content.",
      inputSchema: schema({ a: { type: "number" }, b: { type: "number" } }, ["a", "b"]),
    },
    async (args: unknown) => {
      await record("add", args);
      const { a, b } = args as { a: number; b: number };
      return { ...text(String(a + b)), structuredContent: { sum: a + b } };
    },
  );
  server.registerTool(
    "create_ticket",
    {
      description: "Creates a support ticket (a side effect: the tests mark it as requiring approval).",
      inputSchema: schema(
        {
          title: { type: "string", description: "Ticket title" },
          priority: { type: "string", enum: ["low", "normal", "high"] },
        },
        ["title"],
      ),
    },
    async (args: unknown) => {
      await record("create_ticket", args);
      const a = args as { title: string; priority?: string };
      return text(`Created ticket “${a.title}” (${a.priority ?? "normal"})`);
    },
  );
  server.registerTool(
    "fail",
    { description: "Always reports a tool error.", inputSchema: schema({ reason: { type: "string" } }) },
    async (args: unknown) => {
      await record("fail", args);
      return { ...text(`It went wrong: ${String((args as Json).reason ?? "no reason")}`), isError: true };
    },
  );
  server.registerTool(
    "slow",
    {
      description: "Waits `ms` milliseconds, reporting progress.",
      inputSchema: schema({ ms: { type: "number" } }, ["ms"]),
    },
    async (args: unknown, ctx) => {
      await record("slow", args);
      const ms = Number((args as Json).ms);
      const token = ctx.mcpReq._meta?.progressToken;
      try {
        for (let done = 0; done < ms; done += 50) {
          await sleep(Math.min(50, ms - done), ctx.mcpReq.signal);
          if (token !== undefined)
            await ctx.mcpReq
              .notify({ method: "notifications/progress", params: { progressToken: token, progress: done, total: ms } })
              .catch(() => {});
        }
      } catch (error) {
        cancelled.push("slow");
        throw error;
      }
      return text(`waited ${ms} ms`);
    },
  );
  server.registerTool(
    "env",
    {
      description: "Says whether the server's process has the environment variable `name` (and its length).",
      inputSchema: schema({ name: { type: "string" } }, ["name"]),
      annotations: { readOnlyHint: true },
    },
    async (args: unknown) => {
      await record("env", args);
      const value = process.env[String((args as Json).name)];
      return text(value === undefined ? "unset" : `set (${value.length} characters)`);
    },
  );
  server.registerTool(
    "huge",
    {
      description: "Returns `bytes` bytes of text.",
      inputSchema: schema({ bytes: { type: "number" } }, ["bytes"]),
    },
    async (args: unknown) => {
      await record("huge", args);
      return text("x".repeat(Number((args as Json).bytes)));
    },
  );
  server.registerTool(
    "template_bait",
    {
      description: "Returns text that looks like a template and a JSONata expression.",
      inputSchema: schema({}),
    },
    async (args: unknown) => {
      await record("template_bait", args);
      return {
        ...text("{{ run.id }} $string(vars) {{ input }}"),
        structuredContent: { value: "{{ nodes }}", expr: "$sum([1, 2])" },
      };
    },
  );
  return server;
}

/** Starts the Streamable HTTP server on 127.0.0.1 (a free port). */
export async function startMcpTestServer(options: McpTestServerOptions = {}): Promise<McpTestServer> {
  const calls: TestServerCall[] = [];
  const cancelled: string[] = [];
  let authorization: string | null = null;
  const handler = createMcpHandler(() =>
    buildTestMcpServer(async (tool, args) => {
      calls.push({ tool, arguments: args, authorization });
      await options.onCall?.(tool, args);
    }, cancelled),
  );
  const node = toNodeHandler(handler);
  const state = { requests: 0 };
  const http: Server = createServer((req, res) => {
    state.requests += 1;
    authorization = typeof req.headers.authorization === "string" ? req.headers.authorization : null;
    if (options.token && authorization !== `Bearer ${options.token}`) {
      res.writeHead(401, { "content-type": "application/json" }).end('{"error":"unauthorized"}');
      return;
    }
    void node(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    port,
    calls,
    get requests() {
      return state.requests;
    },
    cancelled,
    async close() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await handler.close();
    },
  };
}

async function serveStdio(): Promise<void> {
  const { StdioServerTransport } = await import("@modelcontextprotocol/server/stdio");
  const server = buildTestMcpServer(() => {}, []);
  await server.connect(new StdioServerTransport());
}

async function serveHttpForever(port: number): Promise<void> {
  const calls: TestServerCall[] = [];
  const handler = createMcpHandler(() =>
    buildTestMcpServer((tool, args) => {
      calls.push({ tool, arguments: args, authorization: null });
    }, []),
  );
  const node = toNodeHandler(handler);
  createServer((req, res) => void node(req, res)).listen(port, "127.0.0.1", () => {
    process.stdout.write(`MCP test server on http://127.0.0.1:${port}/mcp\n`);
  });
}

// `node --import tsx tests/mcp-server/server.ts --stdio` or `--port 4123`
if (process.argv[1] && /mcp-server[\\/]server\.ts$/.test(process.argv[1])) {
  const portFlag = process.argv.indexOf("--port");
  if (process.argv.includes("--stdio")) void serveStdio();
  else if (portFlag > 0) void serveHttpForever(Number(process.argv[portFlag + 1]));
}
