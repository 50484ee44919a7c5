// The MCP client against a real MCP server (the official v2 server SDK) on 127.0.0.1, over
// Streamable HTTP and over stdio: discovery, calls, tool errors, timeouts, cancellation, a server
// that is gone, a huge result, credentials, and the egress policy.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EgressDeniedError, NonRetryableError, RetryableError, TimeoutError } from "@/lib/contracts/errors";
import { type McpTestServer, startMcpTestServer } from "@/tests/mcp-server/server";
import { mcpServerRecord, memoryMcpServers, testMcpClient } from "./testing";

const signal = () => AbortSignal.timeout(15_000);

describe("MCP client over Streamable HTTP (loopback)", () => {
  let server: McpTestServer;
  let secured: McpTestServer;
  beforeAll(async () => {
    server = await startMcpTestServer();
    secured = await startMcpTestServer({ token: "s3cret-token" });
  });
  afterAll(async () => {
    await server.close();
    await secured.close();
  });

  const setup = (extra: Parameters<typeof mcpServerRecord>[0][] = []) => {
    const servers = memoryMcpServers([
      mcpServerRecord({ name: "tools", url: server.url, approvalTools: ["create_ticket"] }),
      ...extra.map((e) => mcpServerRecord(e)),
    ]);
    return { servers, client: testMcpClient(servers, [`127.0.0.1:${server.port}`, `127.0.0.1:${secured.port}`]) };
  };

  it("discovers the tools with their input schemas and the approval marks", async () => {
    const { client } = setup();
    const session = await client.gateway.open("default", "tools");
    const tools = await session.listTools({ signal: signal() });
    await session.close();
    expect(tools.map((t) => t.name)).toEqual([
      "echo",
      "add",
      "create_ticket",
      "fail",
      "slow",
      "env",
      "huge",
      "template_bait",
    ]);
    // the server's readOnlyHint annotation is kept; a tool without it is a side effect
    expect(tools.find((t) => t.name === "echo")?.readOnly).toBe(true);
    expect(tools.find((t) => t.name === "add")?.readOnly).toBeUndefined();
    expect(tools.find((t) => t.name === "add")).toMatchObject({
      requiresApproval: false,
      inputSchema: {
        type: "object",
        properties: { a: { type: "number" }, b: { type: "number" } },
        required: ["a", "b"],
      },
    });
    expect(tools.find((t) => t.name === "create_ticket")?.requiresApproval).toBe(true);
  });

  it("calls a tool: text and structured content", async () => {
    const { client } = setup();
    const session = await client.gateway.open("default", "tools");
    const result = await session.callTool("add", { a: 2, b: 40 }, { signal: signal(), idempotencyKey: "run1:t:1" });
    await session.close();
    expect(result).toEqual({
      text: "42",
      structured: { sum: 42 },
      content: [{ type: "text", text: "42" }],
      isError: false,
    });
    expect(server.calls.at(-1)).toMatchObject({ tool: "add", arguments: { a: 2, b: 40 } });
  });

  it("a tool error is a result with isError; an unknown tool and refused arguments are permanent errors", async () => {
    const { client } = setup();
    const session = await client.gateway.open("default", "tools");
    const failed = await session.callTool("fail", { reason: "disk full" }, { signal: signal() });
    expect(failed).toMatchObject({ isError: true, text: "It went wrong: disk full" });
    await expect(session.callTool("nope", {}, { signal: signal() })).rejects.toBeInstanceOf(NonRetryableError);
    const bad = await session.callTool("add", { a: "x" }, { signal: signal() });
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(/Invalid arguments/);
    await session.close();
  });

  it("times out as a TimeoutError (retryable) and stops at cancellation with the step's reason", async () => {
    const { client } = setup();
    const session = await client.gateway.open("default", "tools");
    const timedOut = await session
      .callTool("slow", { ms: 5_000 }, { signal: signal(), timeoutMs: 150 })
      .catch((e) => e);
    expect(timedOut).toBeInstanceOf(TimeoutError);
    expect(timedOut.message).toMatch(/did not answer within 150 ms/);
    const controller = new AbortController();
    const reason = new Error("run cancelled");
    setTimeout(() => controller.abort(reason), 100);
    await expect(session.callTool("slow", { ms: 5_000 }, { signal: controller.signal })).rejects.toBe(reason);
    const progress: number[] = [];
    const done = await session.callTool(
      "slow",
      { ms: 200 },
      { signal: signal(), onProgress: (p) => progress.push(p.progress) },
    );
    expect(done.text).toBe("waited 200 ms");
    expect(progress.length).toBeGreaterThan(0);
    await session.close();
  });

  it("bounds a huge result: long text is cut, and a response over the byte limit is refused", async () => {
    const { servers } = setup();
    const client = testMcpClient(servers, [`127.0.0.1:${server.port}`], {
      maxResultChars: 10_000,
      maxResponseBytes: 200_000,
    });
    const session = await client.gateway.open("default", "tools");
    const cut = await session.callTool("huge", { bytes: 150_000 }, { signal: signal() });
    expect(cut.truncated).toBe(true);
    expect(cut.text.length).toBe(10_000);
    const refused = await session.callTool("huge", { bytes: 1_000_000 }, { signal: signal() }).catch((e) => e);
    expect(refused).toBeInstanceOf(Error);
    expect(String(refused.message)).toMatch(/larger than 200000 bytes/);
    await session.close();
  });

  it("a server that is gone is a retryable error naming the server", async () => {
    const gone = await startMcpTestServer();
    const url = gone.url;
    await gone.close();
    const { client } = setup([{ name: "gone", url }]);
    const client2 = testMcpClient(memoryMcpServers([mcpServerRecord({ name: "gone", url })]), [
      `127.0.0.1:${gone.port}`,
    ]);
    const session = await client2.gateway.open("default", "gone");
    const error = await session.callTool("echo", { text: "hi" }, { signal: signal() }).catch((e) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toMatch(/MCP server "gone"/);
    await session.close();
    expect(client).toBeTruthy();
  });

  it("refuses private addresses the egress policy does not allow, before connecting", async () => {
    const before = server.requests;
    const servers = memoryMcpServers([mcpServerRecord({ name: "tools", url: server.url })]);
    const strict = testMcpClient(servers, []);
    const session = await strict.gateway.open("default", "tools");
    await expect(session.listTools({ signal: signal() })).rejects.toBeInstanceOf(EgressDeniedError);
    const metadata = testMcpClient(
      memoryMcpServers([mcpServerRecord({ name: "meta", url: "http://169.254.169.254/mcp" })]),
      [`127.0.0.1:${server.port}`],
    );
    const s2 = await metadata.gateway.open("default", "meta");
    await expect(s2.callTool("echo", {}, { signal: signal() })).rejects.toBeInstanceOf(EgressDeniedError);
    expect(server.requests).toBe(before);
  });

  it("sends the server's credential as a bearer token; a missing or refused one is a clear error", async () => {
    const credentials = {
      async get(_ws: string, name: string) {
        return name === "mcp-token" ? "s3cret-token" : name === "wrong" ? "nope" : null;
      },
    };
    const servers = memoryMcpServers([
      mcpServerRecord({ name: "secured", url: secured.url, credential: "mcp-token" }),
      mcpServerRecord({ name: "wrong", url: secured.url, credential: "wrong" }),
      mcpServerRecord({ name: "missing", url: secured.url, credential: "absent" }),
    ]);
    const client = testMcpClient(servers, [`127.0.0.1:${secured.port}`], { credentials });
    const ok = await client.gateway.open("default", "secured");
    expect((await ok.callTool("echo", { text: "hi" }, { signal: signal() })).text).toBe("hi");
    await ok.close();
    expect(secured.calls.at(-1)?.authorization).toBe("Bearer s3cret-token");
    const wrong = await client.gateway.open("default", "wrong");
    const refused = await wrong.listTools({ signal: signal() }).catch((e) => e);
    expect(refused).toBeInstanceOf(NonRetryableError);
    expect(refused.message).toMatch(/refused the credential \(HTTP 401\)/);
    const missing = await client.gateway.open("default", "missing");
    await expect(missing.listTools({ signal: signal() })).rejects.toThrow(/credential "absent" .* does not exist/);
  });

  it("an unknown server name is a permanent error that says where servers are added", async () => {
    const { client } = setup();
    await expect(client.gateway.open("default", "elsewhere")).rejects.toThrow(/no MCP server "elsewhere".*Settings/);
    await expect(client.gateway.open("other-workspace", "tools")).rejects.toBeInstanceOf(NonRetryableError);
  });
});

describe("MCP client over stdio", () => {
  it("spawns exactly the pinned command on the first call, and only then", async () => {
    const record = mcpServerRecord({
      name: "local",
      transport: "stdio",
      command: process.execPath,
      args: ["--import", "tsx", "tests/mcp-server/server.ts", "--stdio"],
    });
    const client = testMcpClient(memoryMcpServers([record]), []);
    const session = await client.gateway.open("default", "local");
    // opening spawned nothing yet: a missing command only fails at the first call
    const broken = testMcpClient(
      memoryMcpServers([mcpServerRecord({ name: "broken", transport: "stdio", command: "/nonexistent/mcp-server" })]),
      [],
    );
    const brokenSession = await broken.gateway.open("default", "broken");
    const result = await session.callTool("echo", { text: "over stdio" }, { signal: AbortSignal.timeout(20_000) });
    expect(result.text).toBe("over stdio");
    const tools = await session.listTools({ signal: AbortSignal.timeout(20_000) });
    expect(tools.map((t) => t.name)).toContain("create_ticket");
    await session.close();
    await expect(brokenSession.listTools({ signal: AbortSignal.timeout(20_000) })).rejects.toBeInstanceOf(
      NonRetryableError,
    );
    await brokenSession.close();
  }, 30_000);

  it("gives the process the variables pinned at registration, their values from the vault; nothing else", async () => {
    process.env.SB_TEST_LEAK = "from the Switchboard process";
    const record = mcpServerRecord({
      name: "local",
      transport: "stdio",
      command: process.execPath,
      args: ["--import", "tsx", "tests/mcp-server/server.ts", "--stdio"],
      env: { CRM_TOKEN: "crm-token" },
    });
    const asked: string[] = [];
    const client = testMcpClient(memoryMcpServers([record]), [], {
      credentials: {
        get: async (workspaceId, name) => {
          asked.push(`${workspaceId}/${name}`);
          return name === "crm-token" ? "s3cret-value" : null;
        },
      },
    });
    const session = await client.gateway.open("default", "local");
    const call = (name: string) =>
      session.callTool("env", { name }, { signal: AbortSignal.timeout(20_000) }).then((r) => r.text);
    try {
      expect(await call("CRM_TOKEN")).toBe("set (12 characters)");
      expect(await call("SB_TEST_LEAK")).toBe("unset");
      expect(asked).toEqual(["default/crm-token"]);
    } finally {
      await session.close();
      delete process.env.SB_TEST_LEAK;
    }
    // a pinned credential that is gone from the vault: the process is not started
    const gone = testMcpClient(memoryMcpServers([{ ...record, env: { CRM_TOKEN: "deleted" } }]), [], {
      credentials: { get: async () => null },
    });
    const s = await gone.gateway.open("default", "local");
    await expect(s.listTools({ signal: AbortSignal.timeout(20_000) })).rejects.toThrow(
      /credential "deleted" \(the variable CRM_TOKEN of the MCP server "local"\) does not exist/,
    );
    await s.close();
  }, 30_000);
});
