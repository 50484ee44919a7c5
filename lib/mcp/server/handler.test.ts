// /api/mcp over real HTTP on 127.0.0.1, driven by the official MCP client (v2): the offered
// workflows as tools, a call that runs to its end (with progress), one that waits for a person,
// one that fails, bad input, roles and scopes, API keys, Host and Origin checks.
import { request as httpRequest } from "node:http";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@/lib/db/api-keys";
import { type Fixture, seedWorkspace } from "@/lib/db/fixtures";
import { openTestSqlite } from "@/lib/db/testing";
import { createTestHost, type TestHost } from "@/lib/host-testing";
import { publishOfferedWorkflow, serveMcpEndpoint } from "@/tests/support/interop";
import type { ServedFetch } from "@/tests/support/serve-fetch";

type TestDb = Awaited<ReturnType<typeof openTestSqlite>>;

let db: TestDb;
let fx: Fixture;
let host: TestHost;
let served: ServedFetch;
const keys: Record<string, string> = {};

const offer = (name: string, document: Record<string, unknown>, exposeMcp = true) =>
  publishOfferedWorkflow(db, fx.workspaceId, { name, description: `${name} (described)`, document, exposeMcp });

beforeAll(async () => {
  db = await openTestSqlite();
  fx = await seedWorkspace(db);
  host = await createTestHost({ db });
  await offer("Refund request", {
    input: {
      type: "object",
      properties: { amount: { type: "number" }, message: { type: "string" } },
      required: ["amount"],
    },
    nodes: [
      { id: "start", type: "trigger", config: { kind: "manual" } },
      { id: "look", type: "transform", config: { expression: "input.amount * 2" } },
      {
        id: "out",
        type: "end",
        config: { output: { doubled: "{{ nodes.look.output }}", note: "{{ input.message }}" } },
      },
    ],
    edges: [
      { source: "start", target: "look" },
      { source: "look", target: "out" },
    ],
  });
  await offer("Needs a person", {
    nodes: [
      { id: "start", type: "trigger", config: { kind: "manual" } },
      {
        id: "ok",
        type: "approval",
        config: { title: "OK?", assignees: { roles: ["admin"], users: [] }, timeoutMs: null },
      },
    ],
    edges: [{ source: "start", target: "ok" }],
  });
  await offer("Failing", {
    nodes: [
      { id: "start", type: "trigger", config: { kind: "manual" } },
      { id: "boom", type: "transform", config: { expression: "$error('no luck')" } },
    ],
    edges: [{ source: "start", target: "boom" }],
  });
  await offer(
    "Not offered",
    { nodes: [{ id: "start", type: "trigger", config: { kind: "manual" } }], edges: [] },
    false,
  );
  for (const [name, role, scopes] of [
    ["editor", "editor", undefined],
    ["viewer", "viewer", undefined],
    ["a2aOnly", "editor", ["a2a"]],
    ["mcpOnly", "editor", ["mcp"]],
  ] as const) {
    keys[name] = (
      await createApiKey(db, {
        workspaceId: fx.workspaceId,
        name,
        role,
        createdById: null,
        ...(scopes ? { scopes } : {}),
      })
    ).key;
  }
  served = await serveMcpEndpoint(host);
});

afterAll(async () => {
  await served?.close();
  await host?.dispose();
  await db?.dispose();
});

async function connect(key: string) {
  const client = new Client({ name: "test-agent", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${served.url}/api/mcp`), { authProvider: { token: async () => key } }),
  );
  return client;
}

describe("/api/mcp", () => {
  it("lists the offered, published workflows as tools with their input schemas", async () => {
    const client = await connect(keys.editor!);
    const { tools } = await client.listTools();
    await client.close();
    expect(tools.map((t) => t.name)).toEqual(["refund_request", "needs_a_person", "failing"]);
    expect(tools[0]).toMatchObject({
      title: "Refund request",
      description: "Refund request (described)",
      inputSchema: {
        type: "object",
        properties: { amount: { type: "number" }, message: { type: "string" } },
        required: ["amount"],
      },
    });
  });

  it("a call runs the workflow and answers with its output, reporting progress on the way", async () => {
    const client = await connect(keys.mcpOnly!);
    const progress: number[] = [];
    const result = await client.callTool(
      { name: "refund_request", arguments: { amount: 21, message: "thanks" } },
      { onprogress: (p) => progress.push(p.progress) },
    );
    await client.close();
    expect(result.isError).toBeFalsy();
    const structured = result.structuredContent as { runId: string; status: string; output: unknown };
    expect(structured).toMatchObject({ status: "succeeded", output: { doubled: 42, note: "thanks" } });
    expect(JSON.parse((result.content as { text: string }[])[0]!.text)).toEqual({ doubled: 42, note: "thanks" });
    expect(progress.length).toBeGreaterThan(0);
    const run = await db.prisma.run.findUnique({ where: { id: structured.runId } });
    expect(run).toMatchObject({ status: "succeeded", trigger: "mcp" });
    const audit = await db.prisma.auditEntry.findFirst({
      where: { action: "run.started", targetId: structured.runId },
    });
    expect(audit?.summary).toMatch(/over MCP/);
  });

  it("a run that waits for a person answers with the run id and a link; a failed run is a tool error", async () => {
    const client = await connect(keys.editor!);
    const waiting = await client.callTool({ name: "needs_a_person", arguments: {} });
    const w = waiting.structuredContent as { runId: string; status: string; url: string };
    expect(w.status).toBe("waiting");
    expect(w.url).toBe(`http://localhost:3000/runs/${w.runId}`);
    expect((waiting.content as { text: string }[])[0]!.text).toMatch(/waits for a person/);
    const failed = await client.callTool({ name: "failing", arguments: {} });
    expect(failed.isError).toBe(true);
    expect((failed.content as { text: string }[])[0]!.text).toMatch(/The run failed: .*no luck/);
    await client.close();
  });

  it("bad input is a tool error and starts no run; a viewer's key lists but cannot start runs", async () => {
    const before = await db.prisma.run.count();
    const client = await connect(keys.editor!);
    const bad = await client.callTool({ name: "refund_request", arguments: { amount: "lots" } });
    expect(bad.isError).toBe(true);
    await client.close();
    const viewer = await connect(keys.viewer!);
    expect((await viewer.listTools()).tools.length).toBe(3);
    const refused = await viewer.callTool({ name: "refund_request", arguments: { amount: 1 } });
    expect(refused.isError).toBe(true);
    expect((refused.content as { text: string }[])[0]!.text).toBe("This API key's role cannot start runs.");
    await viewer.close();
    expect(await db.prisma.run.count()).toBe(before);
  });

  it("refuses requests without a key, with a revoked or unknown key, or a key without the mcp scope", async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${served.url}/api/mcp`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
      });
    const none = await post({});
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await post({ authorization: "Bearer sb_not-a-key" })).status).toBe(401);
    const scoped = await post({ authorization: `Bearer ${keys.a2aOnly}` });
    expect(scoped.status).toBe(403);
    expect(((await scoped.json()) as { error: { message: string } }).error.message).toBe(
      "This API key may not be used for MCP.",
    );
  });

  it("a caller that disconnects while its call's run is going cancels the run", async () => {
    const slowId = await offer("Slow", {
      nodes: [
        { id: "start", type: "trigger", config: { kind: "manual" } },
        { id: "think", type: "agent", config: { prompt: "think", simulate: { output: "done", latencyMs: 20_000 } } },
      ],
      edges: [{ source: "start", target: "think" }],
    });
    const controller = new AbortController();
    const call = fetch(`${served.url}/api/mcp`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        authorization: `Bearer ${keys.editor}`,
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "slow", arguments: {} } }),
      signal: controller.signal,
    }).then((r) => r.text());
    let run = null;
    for (let i = 0; i < 200 && !run; i++) {
      run = await db.prisma.run.findFirst({ where: { workflowId: slowId, status: "running" } });
      if (!run) await new Promise((r) => setTimeout(r, 25));
    }
    expect(run).not.toBeNull();
    controller.abort();
    await call.catch(() => {});
    let status = "";
    for (let i = 0; i < 200 && status !== "cancelled"; i++) {
      status = (await db.prisma.run.findUnique({ where: { id: run!.id } }))!.status;
      if (status !== "cancelled") await new Promise((r) => setTimeout(r, 25));
    }
    expect(status).toBe("cancelled");
    await db.prisma.workflow.update({ where: { id: slowId }, data: { exposeMcp: false } });
  });

  it("refuses a foreign Origin and a Host that is not this installation's", async () => {
    const evilOrigin = await fetch(`${served.url}/api/mcp`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${keys.editor}`,
        origin: "https://evil.example",
      },
      body: "{}",
    });
    expect(evilOrigin.status).toBe(403);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${served.url}/api/mcp`,
        { method: "POST", headers: { host: "rebound.example:80", "content-type": "application/json" } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end("{}");
    });
    expect(status).toBe(403);
  });
});
