// Agents' `tools` lists through MCP, against a real MCP server on 127.0.0.1: the simulated model
// calls them in its tool loop (traced: arguments, result, duration, error), a tool marked as
// requiring approval pauses the step before the call (each call its own approval), and the
// approver's edited arguments are the ones used.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { edge, node, trigger, workflow } from "@/lib/engine/testing/builders";
import { createMemoryStore } from "@/lib/engine/testing/memory-store";
import { mcpServerRecord, memoryMcpServers, testMcpClient } from "@/lib/mcp/testing";
import { createTestEngine } from "@/lib/testing/test-engine";
import { type McpTestServer, startMcpTestServer } from "@/tests/mcp-server/server";

let server: McpTestServer;
beforeAll(async () => {
  server = await startMcpTestServer();
});
afterAll(() => server.close());

const mcp = () =>
  testMcpClient(
    memoryMcpServers([mcpServerRecord({ name: "desk", url: server.url, approvalTools: ["create_ticket"] })]),
    [`127.0.0.1:${server.port}`],
  ).gateway;

function agentDoc(toolCalls: unknown[], tools = ["echo", "fail", "create_ticket"]) {
  return workflow(
    [
      trigger(),
      node("helper", "agent", {
        prompt: "{{ input.text }}",
        tools: tools.map((tool) => ({ server: "desk", tool })),
        simulate: { output: "done", toolCalls },
      }),
    ],
    [edge("start", "helper")],
  );
}

type Trace = { name: string; arguments: unknown; result?: unknown; error?: string; durationMs?: number }[];

describe("an agent's MCP tools", () => {
  it("calls them in the tool loop and keeps every call in the step's trace, errors included", async () => {
    const t = createTestEngine({ mcp: mcp() });
    const result = await t.engine.execute(
      {
        document: agentDoc([
          { tool: "desk.echo", arguments: { text: "{{ input.text }}" } },
          { tool: "desk.fail", arguments: { reason: "no paper" } },
        ]),
      },
      { text: "hello" },
    );
    expect(result.status).toBe("succeeded");
    const step = (await t.store.listSteps(result.runId)).find((s) => s.nodeId === "helper");
    const trace = (step!.input as { toolCalls: Trace }).toolCalls;
    expect(trace).toEqual([
      expect.objectContaining({ name: "desk.echo", arguments: { text: "hello" }, result: "hello" }),
      expect.objectContaining({
        name: "desk.fail",
        arguments: { reason: "no paper" },
        error: "It went wrong: no paper",
      }),
    ]);
    expect(typeof trace[0]!.durationMs).toBe("number");
  });

  it("a tool that requires approval pauses before the call; the approver's edited arguments are used", async () => {
    const t = createTestEngine({ mcp: mcp() });
    const before = server.calls.length;
    const waiting = await t.engine.execute(
      { document: agentDoc([{ tool: "desk.create_ticket", arguments: { title: "{{ input.text }}" } }]) },
      { text: "Broken chair" },
    );
    expect(waiting.status).toBe("waiting");
    expect(server.calls.slice(before).map((c) => c.tool)).toEqual([]);
    const [approval] = await t.store.listApprovals({ runId: waiting.runId });
    expect(approval).toMatchObject({
      nodeId: "helper",
      title: "Call create_ticket on desk",
      payload: { server: "desk", tool: "create_ticket", arguments: { title: "Broken chair" } },
      allowEdit: true,
    });
    expect(approval!.details).toMatch(/The agent “helper” wants to call the MCP tool “create_ticket”/);

    const done = await t.engine.decide(approval!.id, {
      decision: "approve",
      by: "approver-1",
      data: { arguments: { title: "Broken chair in room 4", priority: "low" } },
    });
    expect(done.status).toBe("succeeded");
    expect(server.calls.slice(before).map((c) => [c.tool, c.arguments])).toEqual([
      ["create_ticket", { title: "Broken chair in room 4", priority: "low" }],
    ]);
    const steps = await t.store.listSteps(done.runId);
    const trace = (steps.at(-1)!.input as { toolCalls: Trace }).toolCalls;
    expect(trace[0]).toMatchObject({
      name: "desk.create_ticket",
      result: "Created ticket “Broken chair in room 4” (low)",
    });
  });

  it("a refused call is told to the model, which goes on; the tool is not called", async () => {
    const t = createTestEngine({ mcp: mcp() });
    const waiting = await t.engine.execute(
      { document: agentDoc([{ tool: "desk.create_ticket", arguments: { title: "x" } }]) },
      { text: "x" },
    );
    const [approval] = await t.store.listApprovals({ runId: waiting.runId });
    const before = server.calls.length;
    const done = await t.engine.decide(approval!.id, { decision: "reject", by: "approver-1", comment: "duplicate" });
    expect(done.status).toBe("succeeded");
    expect(server.calls.length).toBe(before);
    const steps = await t.store.listSteps(done.runId);
    expect((steps.at(-1)!.input as { toolCalls: Trace }).toolCalls[0]).toMatchObject({
      name: "desk.create_ticket",
      error: "A person refused the call of “create_ticket” on “desk”: duplicate",
    });
  });

  it("a second call of a marked tool in the same visit gets its own approval (lib/nodes/agent/tool-approvals.test.ts)", async () => {
    const t = createTestEngine({ mcp: mcp() });
    const calls = [
      { tool: "desk.create_ticket", arguments: { title: "one" } },
      { tool: "desk.create_ticket", arguments: { title: "two" } },
    ];
    const waiting = await t.engine.execute({ document: agentDoc(calls) }, { text: "x" });
    const [approval] = await t.store.listApprovals({ runId: waiting.runId });
    const next = await t.engine.decide(approval!.id, { decision: "approve", by: "a" });
    expect(next.status).toBe("waiting");
    const second = (await t.store.listApprovals({ runId: waiting.runId })).find((a) => a.status === "pending");
    expect(second).toMatchObject({ seq: 1, payload: { arguments: { title: "two" } } });
    const done = await t.engine.decide(second!.id, { decision: "approve", by: "a" });
    expect(done.status).toBe("succeeded");
    const steps = await t.store.listSteps(done.runId);
    const trace = (steps.at(-1)!.input as { toolCalls: Trace }).toolCalls;
    expect(trace.map((c) => c.result)).toEqual(["Created ticket “one” (normal)", "Created ticket “two” (normal)"]);
  });

  it("a tool that is not read-only is called only once the steps before the agent are durable (the barrier)", async () => {
    // Commits take 1.5 s here, so without the barrier the agent's calls overtake them.
    const store = createMemoryStore();
    const commit = store.commit.bind(store);
    store.commit = async (...args: Parameters<typeof commit>) => {
      await new Promise((r) => setTimeout(r, 1500));
      return commit(...args);
    };
    let runId = "";
    const durableAtCall: Record<string, boolean> = {};
    const own = await startMcpTestServer({
      onCall: async (tool) => {
        const steps = await store.listSteps(runId);
        durableAtCall[tool] = steps.some((s) => s.nodeId === "prep" && s.status === "succeeded");
      },
    });
    try {
      const gateway = testMcpClient(memoryMcpServers([mcpServerRecord({ name: "desk", url: own.url })]), [
        `127.0.0.1:${own.port}`,
      ]).gateway;
      const t = createTestEngine({ mcp: gateway, store });
      const doc = workflow(
        [
          trigger(),
          node("prep", "transform", { expression: "input.text & '!'" }),
          node("helper", "agent", {
            prompt: "{{ nodes.prep.output }}",
            tools: [
              { server: "desk", tool: "echo" },
              { server: "desk", tool: "create_ticket" },
            ],
            simulate: {
              output: "done",
              toolCalls: [
                { tool: "desk.echo", arguments: { text: "look" } },
                { tool: "desk.create_ticket", arguments: { title: "{{ nodes.prep.output }}" } },
              ],
            },
          }),
        ],
        [edge("start", "prep"), edge("prep", "helper")],
      );
      ({ runId } = await t.engine.startRun({ document: doc }, { text: "Broken chair" }));
      const result = await t.engine.runUntilPauseOrEnd(runId);
      expect(result.status).toBe("succeeded");
      expect(own.calls.map((c) => c.tool)).toEqual(["echo", "create_ticket"]);
      // create_ticket is a side effect: the barrier came first (echo, annotated readOnlyHint, has
      // none; not asserted, as it depends on how fast the connection is made)
      expect(durableAtCall.create_ticket).toBe(true);
    } finally {
      await own.close();
    }
  });

  it("a listed tool the server does not have fails the step before the model is called", async () => {
    const t = createTestEngine({ mcp: mcp() });
    const result = await t.engine.execute({ document: agentDoc([], ["echo", "vanished"]) }, { text: "x" });
    expect(result.status).toBe("failed");
    expect(result.error?.message).toBe(
      'The agent "helper" lists the tool "vanished", which the MCP server "desk" does not have.',
    );
  });
});
